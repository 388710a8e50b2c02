import Foundation

/// `cope`: contextual position encoding (Golovneva, Wang, Weston & Sukhbaatar 2024, "Contextual
/// Position Encoding: Learning to Count What's Important", arXiv 2405.18719). Positions are counted
/// by the model: query i gates each earlier key j with g_ij = σ(q_i·k_j/√D), and key j's position
/// relative to i is the sum of the gates from j to i,
///
///     p_ij = Σ_{t=j..i} g_it,   clamped to npos − 1,
///
/// a fraction that is embedded by interpolating learned vectors e[0 ..< npos] (D each): the score
/// hook adds z_ij = (1 − w)·q_i·e[⌊p_ij⌋] + w·q_i·e[⌈p_ij⌉], w = p_ij − ⌊p_ij⌋. This is the
/// paper's code (its Figure/appendix `CoPE` module): the gates read the scaled, masked logits, and
/// q_i·e is not scaled. Each layer has its own e (as the paper's module sits in each attention
/// layer), shared by its heads.
///
/// Causal only: the sum runs from the key up to the query, which bidirectional attention does not
/// order; the encoding declares `causal`, and a bidirectional suite records it `unsupported`.
/// Arguments: `npos` (default: the training length; the paper's `npos_max`) and `init_std`, the
/// vectors' N(0, init_std²) initialisation (default 0, the paper's code: `torch.zeros`).
public final class CoPEEncoding: RegisteredEncoding {
    public static let registryName = "cope"
    public static let summary = "CoPE (Golovneva 2024): positions counted by gates σ(q·k), interpolated embeddings; causal only"
    public var arguments: String { "init_std=\(initStd);npos=\(npos)" }
    public var attentionModes: Set<AttentionMode> { [.causal] }

    /// The number of integer positions embedded (positions are clamped to npos − 1).
    public let npos: Int
    let initStd: Double
    /// One table (D, npos) per layer: column p is e[p].
    public let embeddings: [Tensor]
    public var parameters: [Tensor] { embeddings }
    private var cache: (shape: [Int], reverse: [Int], mask: Tensor)?

    public init(npos: Int, layers: Int, headDim: Int, initStd: Double, rng: RandomGenerator) {
        self.npos = npos
        self.initStd = initStd
        embeddings = (0..<layers).map { .gaussian([headDim, npos], std: Float(initStd), rng: rng, label: "cope.embeddings.\($0)") }
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> CoPEEncoding {
        let npos = try arguments.int("npos", default: context.maxLength, in: 1...1_000_000)
        let std = try arguments.double("init_std", default: 0, in: 0...100)
        return CoPEEncoding(npos: npos, layers: context.layers, headDim: context.headDim, initStd: std,
                            rng: context.rng(for: registryName))
    }

    /// Indices that reverse the last axis of a (B, H, T, T) tensor, and the causal mask (T, T).
    func constants(_ shape: [Int]) -> (reverse: [Int], mask: Tensor) {
        if let cache, cache.shape == shape { return (cache.reverse, cache.mask) }
        let t = shape[3]
        let reverse = (0..<shape.reduce(1, *)).map { t - 1 - $0 % t }
        let mask = Tensor.constant((0..<(t * t)).map { $0 % t <= $0 / t ? 1 : 0 }, shape: [t, t])  // key j ≤ query i
        cache = (shape, reverse, mask)
        return (reverse, mask)
    }

    public var attentionInBlocks: Bool { true }
    /// The same term for queries `queries` (q: their rows) against keys `keys`: the sum over a query's
    /// row runs from the key to the query, so a block of query rows against all their keys suffices.
    public func attentionScores(_ q: Tensor, _ k: Tensor, queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        let (tq, tk) = (queries.count, keys.count)
        let shape = [context.batch, context.heads, tq, tk]                                  // (B, H, Tq, Tk)
        let reverse = (0..<shape.reduce(1, *)).map { tk - 1 - $0 % tk }
        let mask = Tensor.constant((0..<(tq * tk)).map { keys.lowerBound + $0 % tk <= queries.lowerBound + $0 / tk ? 1 : 0 },
                                   shape: [tq, tk])                                          // key j ≤ query i
        let logits = matmul(q, rowsOf(k, keys), transposeB: true) * (1 / Float(context.headDim).squareRoot())
        return interpolated(q, logits: logits, mask: mask, reverse: reverse, shape: shape, layer: context.layer)
    }

    public func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? {
        let shape = [context.batch, context.heads, context.length, context.length]        // (B, H, T, T)
        let (reverse, mask) = constants(shape)
        let logits = matmul(q, k, transposeB: true) * (1 / Float(context.headDim).squareRoot())
        return interpolated(q, logits: logits, mask: mask, reverse: reverse, shape: shape, layer: context.layer)
    }

    /// The term (B, H, Tq, Tk) from the scaled logits q·kᵀ/√D (B, H, Tq, Tk), the causal mask (Tq, Tk)
    /// and the indices reversing the last axis.
    func interpolated(_ q: Tensor, logits: Tensor, mask: Tensor, reverse: [Int], shape: [Int], layer: Int) -> Tensor {
        let gates = sigmoid(logits) * mask                                                   // g_ij, 0 for j > i
        // p_ij = Σ_{t ≥ j} g_it: the running sum of the reversed row, reversed back.
        let flipped = gather(gates, axis: -1, indices: reverse, shape: shape)
        let summed = gather(cumsum(flipped, axis: -1), axis: -1, indices: reverse, shape: shape)
        let position = clamp(summed, max: Float(npos - 1))                                 // (B, H, T, T)
        let lower = position.values.map { Int($0.rounded(.down)) }, upper = position.values.map { Int($0.rounded(.up)) }
        let byPosition = matmul(q, embeddings[layer])                                // (B, H, T, npos): q_i · e[p]
        let w = position - .constant(lower.map(Float.init), shape: shape)                  // fraction above ⌊p⌋
        let below = gather(byPosition, axis: -1, indices: lower, shape: shape)
        let above = gather(byPosition, axis: -1, indices: upper, shape: shape)
        return above * w + below * (1 - w)                                                   // (B, H, T, T)
    }
}
