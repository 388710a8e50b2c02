import Foundation

/// `alibi`: attention with linear biases (Press et al. 2022). No parameters: each head h adds
/// −m_h·|j − i| to the score of query i and key j (bidirectional), or m_h·(j − i) for j ≤ i
/// (causal), so attention decays linearly with distance at a head-specific rate.
///
/// Slopes as the reference implementation: for n heads a power of two, m_h = 2^(−8(h+1)/n);
/// otherwise the 2^⌊log2 n⌋ slopes of that formula followed by every other slope of the set for
/// 2·2^⌊log2 n⌋ heads, the first n − 2^⌊log2 n⌋ of them.
public final class ALiBiEncoding: RegisteredEncoding {
    public static let registryName = "alibi"
    public static let summary = "linear distance penalty per head on attention scores (Press 2022); no parameters"
    /// One slope per head.
    public let slopes: [Double]
    /// Whether keys after the query are penalised by distance too.
    public let bidirectional: Bool
    private var cache: (positions: [Int], bias: Tensor)?

    public init(heads: Int, bidirectional: Bool) {
        slopes = Self.slopes(heads: heads)
        self.bidirectional = bidirectional
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> ALiBiEncoding {
        ALiBiEncoding(heads: context.heads, bidirectional: context.attention == .bidirectional)
    }

    /// The reference slopes for `heads` heads.
    public static func slopes(heads n: Int) -> [Double] {
        func powerOfTwo(_ n: Int) -> [Double] {
            (0..<n).map { h in pow(2, -8 * Double(h + 1) / Double(n)) }
        }
        let closest = 1 << (Int.bitWidth - 1 - n.leadingZeroBitCount)  // 2^⌊log2 n⌋
        if closest == n { return powerOfTwo(n) }
        let extra = stride(from: 0, to: 2 * closest, by: 2).map { powerOfTwo(2 * closest)[$0] }
        return powerOfTwo(closest) + extra.prefix(n - closest)
    }

    public func attentionBias(context: HookContext) -> Tensor? { context.forEachRow(bias) }  // (H, T, T) or (B, H, T, T)

    public var attentionInBlocks: Bool { true }
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        context.forEachRow(queries: queries, keys: keys) { bias(queries: $0, keys: $1) }      // (H, Tq, Tk) or (B, H, Tq, Tk)
    }

    /// The bias (H, T, T) for one row of positions.
    public func bias(_ positions: [Int]) -> Tensor {
        if let cache, cache.positions == positions { return cache.bias }
        let bias = bias(queries: positions, keys: positions)
        cache = (positions, bias)
        return bias
    }

    /// The bias (H, Tq, Tk) of queries at positions `queries` against keys at `keys`.
    public func bias(queries: [Int], keys: [Int]) -> Tensor {
        let tq = queries.count, tk = keys.count, h = slopes.count
        let bias = Tensor(zeros: [h, tq, tk])  // (H, Tq, Tk), fixed
        for head in 0..<h {
            let m = Float(slopes[head])
            for i in 0..<tq {
                for j in 0..<tk {
                    let distance = Float(keys[j] - queries[i])
                    bias.data[(head * tq + i) * tk + j] = bidirectional ? -m * abs(distance) : m * min(distance, 0)
                }
            }
        }
        return bias
    }
}
