import Foundation

/// `rope`: rotary position embedding (Su et al., RoFormer). Queries and keys of every head are
/// rotated pairwise by angles proportional to the position, θ_k = base^(−2k/d_head), so q·k depends
/// on positions only through their difference. Values are not rotated; no parameters.
///
/// Pairing: halves — component k pairs with k + d_head/2 (GPT-NeoX, LLaMA, HF `rotate_half`)
/// rather than RoFormer's interleaved (2k, 2k+1). The two are the same rotation up to a fixed
/// permutation of the head's components, which the learned projections absorb; halves lets the
/// kernel work on two contiguous runs of memory.
///
/// Scaling for sequences longer than the training length L (`scaling=pi|ntk|yarn`, `factor=s`;
/// without `factor`, s = T/L for a sequence of T tokens, YaRN's "dynamic scaling", Peng et al. 2023
/// §3.3). At lengths up to L nothing changes, so training is plain RoPE. Beyond L:
/// - `pi`, position interpolation (Chen et al. 2023): θ'_k = θ_k / s;
/// - `ntk`, NTK-aware scaling (bloc97 2023, as YaRN's eq. 16 writes it): base' = base · s^(d/(d−2));
/// - `yarn` (Peng et al. 2023, §3.2–3.4): "NTK-by-parts" θ'_k = (1 − γ_k)·θ_k/s + γ_k·θ_k, with
///   r_k = L·θ_k/2π rotations over L and γ = 0 below r = α, 1 above r = β, linear between
///   (α = 1, β = 32, the paper's LLaMA values), and queries and keys both scaled by
///   0.1·ln(s) + 1, the paper's √(1/t), so that their product is divided by the temperature t.
public final class RotaryEncoding: RegisteredEncoding {
    public static let registryName = "rope"
    public static let summary = "rotary embedding of queries and keys (Su 2021), halves pairing; base=10000, scaling=pi|ntk|yarn beyond the training length"
    public var attentionInBlocks: Bool { true }  // no bias or score term
    public var arguments: String {
        let plain = "base=\(format(base))"
        switch scaling {
        case .none: return plain
        case .pi, .ntk: return plain + ";factor=\(factor.map(format) ?? "dynamic");scaling=\(scaling.rawValue)"
        case .yarn:
            return plain + ";alpha=\(format(yarnAlpha));beta=\(format(yarnBeta));factor=\(factor.map(format) ?? "dynamic");scaling=yarn"
        }
    }

    /// How rotation frequencies change beyond the training length.
    public enum Scaling: String, Sendable { case none, pi, ntk, yarn }
    /// The wavelength base.
    public let base: Double
    /// The width of one head.
    public let headDim: Int
    /// The scaling applied beyond `trainingLength`, its factor (nil: T / trainingLength) and
    /// YaRN's ramp bounds α and β.
    public let scaling: Scaling, factor: Double?, trainingLength: Int, yarnAlpha: Double, yarnBeta: Double
    private var cache: (positions: Positions, cos: Tensor, sin: Tensor)?

    public init(headDim: Int, base: Double = 10000, scaling: Scaling = .none, factor: Double? = nil, trainingLength: Int = 1,
                yarnAlpha: Double = 1, yarnBeta: Double = 32) {
        self.headDim = headDim
        self.base = base
        self.scaling = scaling
        self.factor = factor
        self.trainingLength = trainingLength
        self.yarnAlpha = yarnAlpha
        self.yarnBeta = yarnBeta
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> RotaryEncoding {
        let base = try arguments.double("base", default: 10000, in: 1.0000001...1e12)
        guard context.headDim % 2 == 0 else {
            throw ConfigurationError(field: "model.d_model",
                                     rule: "rope needs an even head width (d_model / heads = \(context.headDim))")
        }
        let text = arguments.string("scaling") ?? "none"
        guard let scaling = Scaling(rawValue: text) else {
            throw arguments.error("scaling", "must be none, pi, ntk or yarn (got '\(text)')")
        }
        guard scaling != .none else { return RotaryEncoding(headDim: context.headDim, base: base) }
        var factor: Double?
        if let written = arguments.string("factor"), written != "dynamic" {
            guard let value = Double(written), value.isFinite, value >= 1, value <= 1e6 else {
                throw arguments.error("factor", "must be a number in 1...1e6 or dynamic (got '\(written)')")
            }
            factor = value
        }
        var (alpha, beta) = (1.0, 32.0)
        if scaling == .yarn {
            alpha = try arguments.double("alpha", default: 1, in: 0...1e6)
            beta = try arguments.double("beta", default: 32, in: 0...1e6)
            guard beta > alpha else { throw arguments.error("beta", "must exceed alpha (\(alpha))") }
        }
        return RotaryEncoding(headDim: context.headDim, base: base, scaling: scaling, factor: factor,
                              trainingLength: context.maxLength, yarnAlpha: alpha, yarnBeta: beta)
    }

    /// The rotation frequencies θ'_k (d_head/2 of them) and the factor on queries and keys, for a
    /// sequence of `length` tokens: θ_k = base^(−2k/d_head) and 1 up to the training length.
    public func frequencies(length: Int) -> (theta: [Double], magnitude: Double) {
        let half = headDim / 2, d = Double(headDim)
        func theta(_ base: Double) -> [Double] { (0..<half).map { pow(base, -2 * Double($0) / d) } }
        guard scaling != .none, length > trainingLength else { return (theta(base), 1) }
        let s = factor ?? Double(length) / Double(trainingLength)
        switch scaling {
        case .none: return (theta(base), 1)
        case .pi: return (theta(base).map { $0 / s }, 1)
        case .ntk: return (theta(base * pow(s, d / (d - 2))), 1)
        case .yarn:
            let scaled = theta(base).map { t -> Double in
                let r = Double(trainingLength) * t / (2 * Double.pi)  // rotations over the training length
                let gamma = min(max((r - yarnAlpha) / (yarnBeta - yarnAlpha), 0), 1)
                return (1 - gamma) * t / s + gamma * t
            }
            return (scaled, 0.1 * Foundation.log(s) + 1)
        }
    }

    /// cos and sin of position·θ_k, (T, d_head/2), or (B, T, d_head/2) for per-sequence positions,
    /// computed in double precision (times YaRN's magnitude).
    func tables(_ positions: Positions) -> (Tensor, Tensor) {
        if let cache, cache.positions == positions { return (cache.cos, cache.sin) }
        let half = headDim / 2, t = positions.length
        let (theta, magnitude) = frequencies(length: t)
        let shape = positions.isShared ? [t, half] : [positions.rows, t, half]
        let c = Tensor(zeros: shape), s = Tensor(zeros: shape)
        for (row, p) in positions.ids.enumerated() {
            for k in 0..<half {
                let angle = Double(p) * theta[k]
                c.data[row * half + k] = Float(magnitude * Foundation.cos(angle))
                s.data[row * half + k] = Float(magnitude * Foundation.sin(angle))
            }
        }
        cache = (positions, c, s)
        return (c, s)
    }

    public func transformQueriesKeys(_ q: Tensor, _ k: Tensor, context: HookContext) -> (Tensor, Tensor) {
        let (c, s) = tables(context.positions)
        return (rotaryRotate(q, cos: c, sin: s), rotaryRotate(k, cos: c, sin: s))  // (B, H, T, D) each
    }

    private func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
