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

    /// The bias (H, T, T) for one row of positions.
    public func bias(_ positions: [Int]) -> Tensor {
        if let cache, cache.positions == positions { return cache.bias }
        let t = positions.count, h = slopes.count
        let bias = Tensor(zeros: [h, t, t])  // (H, T, T), fixed
        for head in 0..<h {
            let m = Float(slopes[head])
            for i in 0..<t {
                for j in 0..<t {
                    let distance = Float(positions[j] - positions[i])
                    bias.data[(head * t + i) * t + j] = bidirectional ? -m * abs(distance) : m * min(distance, 0)
                }
            }
        }
        cache = (positions, bias)
        return bias
    }
}
