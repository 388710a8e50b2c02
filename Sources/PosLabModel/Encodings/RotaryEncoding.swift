import Foundation

/// `rope`: rotary position embedding (Su et al., RoFormer). Queries and keys of every head are
/// rotated pairwise by angles proportional to the position, θ_k = base^(−2k/d_head), so q·k depends
/// on positions only through their difference. Values are not rotated; no parameters.
///
/// Pairing: halves — component k pairs with k + d_head/2 (GPT-NeoX, LLaMA, HF `rotate_half`)
/// rather than RoFormer's interleaved (2k, 2k+1). The two are the same rotation up to a fixed
/// permutation of the head's components, which the learned projections absorb; halves lets the
/// kernel work on two contiguous runs of memory.
public final class RotaryEncoding: RegisteredEncoding {
    public static let registryName = "rope"
    public static let summary = "rotary embedding of queries and keys (Su 2021), halves pairing; base=10000"
    public var arguments: String { "base=\(base == base.rounded() ? String(Int(base)) : String(base))" }
    /// The wavelength base.
    public let base: Double
    /// The width of one head.
    public let headDim: Int
    private var cache: (positions: [Int], cos: Tensor, sin: Tensor)?

    public init(headDim: Int, base: Double = 10000) {
        self.headDim = headDim
        self.base = base
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> RotaryEncoding {
        let base = try arguments.double("base", default: 10000, in: 1.0000001...1e12)
        guard context.headDim % 2 == 0 else {
            throw ConfigurationError(field: "model.d_model",
                                     rule: "rope needs an even head width (d_model / heads = \(context.headDim))")
        }
        return RotaryEncoding(headDim: context.headDim, base: base)
    }

    /// cos and sin of position·θ_k, (T, d_head/2), computed in double precision.
    func tables(_ positions: [Int]) -> (Tensor, Tensor) {
        if let cache, cache.positions == positions { return (cache.cos, cache.sin) }
        let half = headDim / 2, t = positions.count
        let c = Tensor(zeros: [t, half]), s = Tensor(zeros: [t, half])
        for (row, p) in positions.enumerated() {
            for k in 0..<half {
                let angle = Double(p) * pow(base, -2 * Double(k) / Double(headDim))
                c.data[row * half + k] = Float(Foundation.cos(angle))
                s.data[row * half + k] = Float(Foundation.sin(angle))
            }
        }
        cache = (positions, c, s)
        return (c, s)
    }

    public func transformQueriesKeys(_ q: Tensor, _ k: Tensor, positions: [Int], layer: Int) -> (Tensor, Tensor) {
        let (c, s) = tables(positions)
        return (rotaryRotate(q, cos: c, sin: s), rotaryRotate(k, cos: c, sin: s))  // (B, H, T, D) each
    }
}
