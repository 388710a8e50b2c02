

/// What an encoding is told about the model it is built for.
public struct EncodingContext: Sendable {
    /// The width of the residual stream.
    public var dModel: Int
    /// The number of attention heads.
    public var heads: Int
    /// The number of transformer blocks.
    public var layers: Int
    /// The longest sequence trained on.
    public var maxLength: Int
    /// Bidirectional or causal attention.
    public var attention: AttentionMode
    /// The seed of the run; draw initial weights from `rng(for:)`, never from a shared stream.
    public var seed: UInt64
    /// The registry building the encoding (set by `EncodingRegistry.make`): a wrapper builds the
    /// encoding it wraps through it, so a name only that registry knows resolves inside the wrapper.
    public internal(set) var registry: EncodingRegistry = .shared

    public init(dModel: Int, heads: Int, layers: Int, maxLength: Int, attention: AttentionMode, seed: UInt64) {
        self.dModel = dModel
        self.heads = heads
        self.layers = layers
        self.maxLength = maxLength
        self.attention = attention
        self.seed = seed
    }

    /// The context of a model with `config`, for a run with `seed`.
    public init(config: ModelConfig, seed: UInt64) {
        self.init(dModel: config.dModel, heads: config.heads, layers: config.layers, maxLength: config.maxLength,
                  attention: config.attention, seed: seed)
    }

    /// The width of one head.
    public var headDim: Int { dModel / heads }

    /// A generator for this encoding's initial weights: a stream of its own per name, so that the
    /// weights every encoding shares (embeddings, blocks, head) are identical across encodings.
    public func rng(for name: String) -> RandomGenerator { RandomGenerator(seed: seed, stream: "encoding/\(name)") }
}

/// A way of telling a transformer where each token is. Protocol version 2.
///
/// Encodings in the literature act at one or more of five places, and each has a hook here:
/// (a) `embed` adds a vector per position to the token embeddings (learned, sinusoidal), and
///     `embedLayer` to the input of every block (per-layer absolute encodings);
/// (b) `transformQueriesKeys` changes queries and keys by position (rotary, xPos);
/// (c) `attentionBias` adds a bias from (query position, key position) to the attention scores
///     (T5 relative bias, ALiBi, KERPLE, FIRE);
/// (d) `attentionScores` adds a term that depends on the queries and keys themselves (Shaw et al.'s
///     relative keys, CoPE's contextual positions).
/// Every hook receives one `HookContext`: its layer, the attention mode, the positions (shared or
/// per sequence) and the batch's shape. The host checks every hook's output shape and throws
/// `HookError` naming the hook and the expected shape. Write each hook with engine ops (`+`, `*`,
/// `matmul`, `embedding`, `gather`, `cumsum`, …): gradients come for free. Every requirement has a
/// default below, so an encoding implements only the hooks it uses.
public protocol PositionalEncoding: AnyObject {
    /// The name used in suite files, the registry and results, e.g. `relative-bias`.
    var name: String { get }
    /// The encoding's arguments as written in results, e.g. `buckets=32;max_distance=128`.
    var arguments: String { get }
    /// The trainable tensors, handed to the optimizer.
    var parameters: [Tensor] { get }
    /// The longest sequence it can represent at all (nil: any length), e.g. a learned table's size.
    var maximumLength: Int? { get }
    /// Whether it is meant to represent positions beyond the length it was trained on.
    var extrapolates: Bool { get }
    /// The attention modes it is defined for; a model in another mode is `unsupported`, not a failure.
    var attentionModes: Set<AttentionMode> { get }
    /// Whether it is meant to carry no position information at all, as `none` does (false by
    /// default). `poslab run` refuses a plugin encoding that leaves the model's output exactly as
    /// `none` leaves it — its methods match no hook — unless it declares this
    /// (`ConformanceChecker.changesOutput`).
    var isPositionless: Bool { get }
    /// The positions of a sequence of `length` tokens, asked once per forward pass; `training` tells
    /// a training batch from an evaluation one. 0 ..< length unless the encoding chooses its own.
    func positions(length: Int, training: Bool) -> [Int]
    /// (a) Token embeddings `x` (B, T, C) with position information added; called once, layer 0.
    func embed(_ x: Tensor, context: HookContext) -> Tensor
    /// (a) The residual stream `x` (B, T, C) entering block `context.layer`, with position information added.
    func embedLayer(_ x: Tensor, context: HookContext) -> Tensor
    /// (b) Queries and keys (B, H, T, D) transformed by position; return `q` and `k` themselves when
    /// they are left alone (the model then reads them in place, without copies).
    func transformQueriesKeys(_ q: Tensor, _ k: Tensor, context: HookContext) -> (Tensor, Tensor)
    /// (c) An additive attention bias from positions: (T, T), (H, T, T), or (B, H, T, T) for
    /// per-sequence positions; nil for none. Added after q·kᵀ is scaled by 1/√D.
    func attentionBias(context: HookContext) -> Tensor?
    /// (d) An additive term (B, H, T, T) from the queries and keys (B, H, T, D) attention uses (after
    /// `transformQueriesKeys`); nil for none. Added after q·kᵀ is scaled by 1/√D, so scale it yourself.
    func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor?

    // Attention in blocks (evaluation at long lengths, in memory linear in T; docs/speed.md).

    /// Whether (c) and (d) can be asked for one block of queries at a time (the two hooks below), so
    /// that evaluation computes attention in blocks instead of the full (B, H, T, T) scores. False by
    /// default: say true when the encoding adds no bias or score term, or implements both block hooks
    /// it needs. An encoding that says false is evaluated with the full matrix, as in training.
    var attentionInBlocks: Bool { get }
    /// (c) in blocks: the bias of queries `queries` against keys `keys` (ranges of 0 ..< T), the
    /// entries of `attentionBias` at those rows and columns: (Tq, Tk), (H, Tq, Tk), or (B, Tq, Tk) /
    /// (B, H, Tq, Tk) for per-sequence positions. Asked only without gradients (evaluation).
    func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor?
    /// (d) in blocks: the score term of queries `queries` against keys `keys`, (B, H, Tq, Tk), the
    /// entries of `attentionScores` at those rows and columns. `q` holds the block's queries only,
    /// (B, H, Tq, D); `k` every key, (B, H, T, D). Asked only without gradients (evaluation).
    func attentionScores(_ q: Tensor, _ k: Tensor, queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor?
}

// MARK: - Defaults: an encoding that does nothing at a hook leaves it out.

extension PositionalEncoding {
    public var arguments: String { "" }
    public var parameters: [Tensor] { [] }
    public var maximumLength: Int? { nil }
    public var extrapolates: Bool { maximumLength == nil }
    public var attentionModes: Set<AttentionMode> { Set(AttentionMode.allCases) }
    public var isPositionless: Bool { false }
    public func positions(length: Int, training: Bool) -> [Int] { Array(0..<length) }
    public func embed(_ x: Tensor, context: HookContext) -> Tensor { x }
    public func embedLayer(_ x: Tensor, context: HookContext) -> Tensor { x }
    public func transformQueriesKeys(_ q: Tensor, _ k: Tensor, context: HookContext) -> (Tensor, Tensor) { (q, k) }
    public func attentionBias(context: HookContext) -> Tensor? { nil }
    public func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? { nil }
    public var attentionInBlocks: Bool { false }
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? { nil }
    public func attentionScores(_ q: Tensor, _ k: Tensor, queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? { nil }

    /// The name with its arguments, e.g. `relative-bias(buckets=32;max_distance=128)`.
    public var fullName: String { arguments.isEmpty ? name : "\(name)(\(arguments))" }
}
