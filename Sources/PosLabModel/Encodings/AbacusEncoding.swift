/// `abacus`: Abacus embeddings (McLeish et al. 2024, "Transformers Can Do Arithmetic with the Right
/// Embeddings", §3; github.com/mcleish7/arithmetic). A learned embedding of each digit's
/// *significance* — its place within its own number — added to the token embeddings, with a random
/// offset during training so that the embeddings of places beyond the trained digit counts are
/// trained too.
///
///     x_t ← x_t + E[a_t + k],  a_t = the task's position id of token t (its digit's significance,
///                                    1 for the units; 0 for a token that is not a digit)
///                              k ~ U{0 … max_offset} per training batch, k = 0 in evaluation;
///                              a_t = 0 stays 0 (not a digit: no offset)
///
/// The significance ids come from the task: `addition(positions=significance)` gives digit k of each
/// operand and of the answer the id k + 1, and every other token 0. Over a task without its own ids
/// (positions 0 ..< T) it is a learned absolute table whose training positions are shifted by k.
///
/// Decisions against the reference: one offset per batch (the reference draws one per batch too,
/// `max_k` = 100 by default, its `k` in the paper); the table has `size + max_offset + 1` rows, N(0, 1)
/// at start as PyTorch's `nn.Embedding`; an id past the table is clipped to its last row rather
/// than refused, since a task's significance ids, not the sequence length, decide what is needed
/// (`size` 1,024 digits by default).
public final class AbacusEncoding: RegisteredEncoding {
    public static let registryName = "abacus"
    public static let summary = "Abacus (McLeish 2024): learned embedding of each digit's significance, random offset in training"
    public var attentionInBlocks: Bool { true }  // no bias or score term
    public var arguments: String { "max_offset=\(maxOffset);size=\(size)" }
    /// The largest training offset k.
    public let maxOffset: Int
    /// The largest significance id represented without an offset.
    public let size: Int
    /// The table (size + max_offset + 1, d_model); row 0 is the non-digits'.
    public let table: Tensor
    public var parameters: [Tensor] { [table] }
    public var extrapolates: Bool { true }
    private let offsets: RandomGenerator

    public init(maxOffset: Int, size: Int, dModel: Int, rng: RandomGenerator, seed: UInt64) {
        self.maxOffset = maxOffset
        self.size = size
        table = .gaussian([size + maxOffset + 1, dModel], std: 1, rng: rng, label: "abacus.table")
        offsets = RandomGenerator(seed: seed, stream: "abacus/offsets")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> AbacusEncoding {
        let maxOffset = try arguments.int("max_offset", default: 100, in: 0...100_000)
        let size = try arguments.int("size", default: 1024, in: 1...1_000_000)
        guard (size + maxOffset + 1) * context.dModel <= 1 << 28 else {
            throw arguments.error("size", "a table of \(size + maxOffset + 1) × d_model \(context.dModel) floats is more than 2^28 (1 GiB); make it smaller")
        }
        return AbacusEncoding(maxOffset: maxOffset, size: size, dModel: context.dModel, rng: context.rng(for: registryName),
                              seed: context.seed)
    }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {
        let p = context.positions
        let k = context.training && maxOffset > 0 ? offsets.int(in: 0...maxOffset) : 0       // one offset per batch
        let rows = table.shape[0]
        let ids = p.ids.map { $0 == 0 ? 0 : min($0 + k, rows - 1) }                          // (T) or (B·T)
        return x + embedding(table, ids: ids, shape: p.isShared ? [p.length] : [p.rows, p.length])  // + (T, C) or (B, T, C)
    }
}
