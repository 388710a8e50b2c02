import Foundation

/// `alibi-asym`: ALiBi with separate learned slopes for keys to the left and to the right of the
/// query, so that bidirectional attention can tell the two sides apart (plain `alibi`'s −m·|i − j|
/// cannot). Head h adds to the score of query i and key j
///
///     −exp(λ_h)·(i − j)  for j < i,     −exp(ρ_h)·(j − i)  for j > i,     0 for j = i,
///
/// with the log-slopes λ (left) and ρ (right) learned per head and shared by all layers.
///
/// The variant followed: x-transformers' `LearnedAlibiPositionalBias(bidirectional=True)`
/// (lucidrains), which learns past and future log-slopes separately, both initialised at Press et
/// al.'s (2022) slopes; unlike that code (which adds +m·(j − i) to future keys), both sides here are
/// penalties that grow with distance, as in ALiBi. Causal attention has no right side: only λ.
/// Initialisation: exp(λ_h) = exp(ρ_h) = `init_scale` · m_h with the reference slopes m_h of `alibi`
/// (default `init_scale=1`, so training starts at exactly symmetric ALiBi).
public final class ALiBiAsymmetricEncoding: RegisteredEncoding {
    public static let registryName = "alibi-asym"
    public static let summary = "ALiBi with learned left and right slopes per head (x-transformers' learned bidirectional ALiBi)"
    public var arguments: String { "init_scale=\(initScale == initScale.rounded() ? String(Int(initScale)) : String(initScale))" }

    let initScale: Double
    /// Log-slopes for keys left of the query (H), and right of it (H; nil in causal attention).
    public let leftLogSlopes: Tensor, rightLogSlopes: Tensor?
    public var parameters: [Tensor] { [leftLogSlopes] + (rightLogSlopes.map { [$0] } ?? []) }
    private var cache: (positions: [Int], left: Tensor, right: Tensor)?

    public init(heads: Int, bidirectional: Bool, initScale: Double = 1) {
        self.initScale = initScale
        let logSlopes = ALiBiEncoding.slopes(heads: heads).map { Float(Foundation.log(initScale * $0)) }
        leftLogSlopes = Tensor(logSlopes, shape: [heads], requiresGrad: true, label: "alibi-asym.left")
        rightLogSlopes = bidirectional ? Tensor(logSlopes, shape: [heads], requiresGrad: true, label: "alibi-asym.right") : nil
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> ALiBiAsymmetricEncoding {
        let scale = try arguments.double("init_scale", default: 1, in: 1e-3...1e3)
        return ALiBiAsymmetricEncoding(heads: context.heads, bidirectional: context.attention == .bidirectional, initScale: scale)
    }

    public func attentionBias(context: HookContext) -> Tensor? { context.forEachRow(bias) }  // (H, T, T) or (B, H, T, T)

    public var attentionInBlocks: Bool { true }
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        context.forEachRow(queries: queries, keys: keys) { q, k in               // (H, Tq, Tk) or (B, H, Tq, Tk)
            let (left, right) = Self.distances(queries: q, keys: k)
            return bias(left: left, right: right)
        }
    }

    /// The distances (Tq, Tk) to keys left of each query and right of it (0 on the other side).
    static func distances(queries: [Int], keys: [Int]) -> (left: Tensor, right: Tensor) {
        let tq = queries.count, tk = keys.count
        var left = [Float](repeating: 0, count: tq * tk), right = left
        for i in 0..<tq {
            for j in 0..<tk {
                let d = keys[j] - queries[i]
                left[i * tk + j] = Float(max(-d, 0))
                right[i * tk + j] = Float(max(d, 0))
            }
        }
        return (.constant(left, shape: [tq, tk]), .constant(right, shape: [tq, tk]))
    }

    /// The bias (H, T, T) for one row of positions.
    func bias(_ positions: [Int]) -> Tensor {
        if cache?.positions != positions {
            let (left, right) = Self.distances(queries: positions, keys: positions)
            cache = (positions, left, right)
        }
        return bias(left: cache!.left, right: cache!.right)                         // (T, T) distances
    }

    /// The bias (H, Tq, Tk) from the distances (Tq, Tk) to the left and to the right.
    func bias(left: Tensor, right: Tensor) -> Tensor {
        let h = leftLogSlopes.count
        let leftBias = exp(leftLogSlopes).reshaped([h, 1, 1]) * left                // (H, T, T)
        guard let rightLogSlopes else { return -leftBias }
        return -(leftBias + exp(rightLogSlopes).reshaped([h, 1, 1]) * right)
    }
}
