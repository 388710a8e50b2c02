import Foundation

/// `xpos`: extrapolatable position embedding (Sun et al. 2023, "A Length-Extrapolatable
/// Transformer", ACL; arXiv 2212.10554): RoPE with an exponential decay on top. Pair k of a head
/// (of D/2) gets a scale ζ_k = (2k/D + γ)/(1 + γ) ∈ (0, 1), γ = 0.4; a query at position n is
/// rotated as RoPE does and multiplied by ζ_k^(n/s), a key at m by ζ_k^(−m/s) (s = `scale_base`,
/// 512), so q·k carries ζ_k^((n − m)/s): the farther back a key, the smaller its score.
///
/// As the authors' torchscale code (`XPOS`): n and m are positions minus ⌈T/2⌉, which centres the
/// exponents (only n − m matters); θ_k = base^(−2k/D), base 10000. Pairing by halves, as `rope`
/// (torchscale pairs interleaved components; the same rotation up to a fixed permutation of a
/// head's components, which the projections absorb). No parameters.
///
/// Designed for causal attention. In bidirectional attention keys after the query (m > n) get
/// ζ^((n − m)/s) > 1: their scores grow with distance (slowly: at most ζ_0^(−T/s)).
public final class XPosEncoding: RegisteredEncoding {
    public static let registryName = "xpos"
    public static let summary = "xPos (Sun 2023): rotary with an exponential decay by distance; base=10000, scale_base=512"
    public var attentionInBlocks: Bool { true }  // no bias or score term
    public var arguments: String { "base=\(format(base));scale_base=\(format(scaleBase))" }

    /// The rotation's wavelength base, and the decay's length scale s.
    public let base: Double, scaleBase: Double
    /// The width of one head.
    public let headDim: Int
    private var cache: (positions: Positions, query: (Tensor, Tensor), key: (Tensor, Tensor))?

    public init(headDim: Int, base: Double = 10000, scaleBase: Double = 512) {
        self.headDim = headDim
        self.base = base
        self.scaleBase = scaleBase
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> XPosEncoding {
        let base = try arguments.double("base", default: 10000, in: 1.0000001...1e12)
        let scaleBase = try arguments.double("scale_base", default: 512, in: 1e-3...1e12)
        guard context.headDim % 2 == 0 else {
            throw ConfigurationError(field: "model.d_model", rule: "xpos needs an even head width (d_model / heads = \(context.headDim))")
        }
        return XPosEncoding(headDim: context.headDim, base: base, scaleBase: scaleBase)
    }

    /// cos and sin tables (T, D/2) — (B, T, D/2) per sequence — for queries (times ζ^(n/s)) and keys
    /// (times ζ^(−n/s)), in double precision.
    func tables(_ positions: Positions) -> (query: (Tensor, Tensor), key: (Tensor, Tensor)) {
        if let cache, cache.positions == positions { return (cache.query, cache.key) }
        let half = headDim / 2, d = Double(headDim), t = positions.length
        let shape = positions.isShared ? [t, half] : [positions.rows, t, half]
        let (qc, qs, kc, ks) = (Tensor(zeros: shape), Tensor(zeros: shape), Tensor(zeros: shape), Tensor(zeros: shape))
        let centre = (t + 1) / 2                                                             // ⌈T/2⌉
        for (row, p) in positions.ids.enumerated() {
            for k in 0..<half {
                let angle = Double(p) * pow(base, -2 * Double(k) / d)
                let zeta = (2 * Double(k) / d + 0.4) / 1.4
                let up = pow(zeta, Double(p - centre) / scaleBase)
                let i = row * half + k
                (qc.data[i], qs.data[i]) = (Float(up * cos(angle)), Float(up * sin(angle)))
                (kc.data[i], ks.data[i]) = (Float(cos(angle) / up), Float(sin(angle) / up))
            }
        }
        cache = (positions, (qc, qs), (kc, ks))
        return ((qc, qs), (kc, ks))
    }

    public func transformQueriesKeys(_ q: Tensor, _ k: Tensor, context: HookContext) -> (Tensor, Tensor) {
        let (query, key) = tables(context.positions)
        return (rotaryRotate(q, cos: query.0, sin: query.1), rotaryRotate(k, cos: key.0, sin: key.1))  // (B, H, T, D) each
    }

    private func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
