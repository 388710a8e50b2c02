import Foundation

/// `kerple`: kernelized relative positional bias (Chi et al. 2022, "KERPLE: Kernelized Relative
/// Positional Embedding for Length Extrapolation", NeurIPS). Head h adds, for distance d = |i − j|,
///
///     kind=log:    −r1_h · log(1 + r2_h · d)
///     kind=power:  −r1_h · d^r2_h,  0 < r2_h ≤ 2
///
/// with r1_h, r2_h > 0 learned per head and shared by all layers.
///
/// Constraints: the reference implementation (the authors' GPT-NeoX fork, `ParallelKerpleLog`
/// and `ParallelKerplePower`) clamps the stored parameters in place to ≥ 0.01 (and the power's
/// exponent to ≤ 2) at every forward pass. Here they are reparametrised instead, with the same bounds:
/// r = 0.01 + softplus(θ), and the power's exponent r2 = 0.01 + 1.99·sigmoid(θ), so a parameter
/// pushed against a bound keeps a gradient rather than sticking there.
///
/// Initialisation (`init=uniform`, the reference's): each r drawn from U(0, scale) with the
/// reference's scales — log: r1 2, r2 1; power: r1 1, r2 (the exponent) 2 — then raised to
/// 0.011 if below (the reference clamps to 0.01 at its first forward pass). `init=constant` starts
/// every head at its scale. The scales are the arguments `r1_scale` and `r2_scale`.
public final class KerpleEncoding: RegisteredEncoding {
    public static let registryName = "kerple"
    public static let summary = "KERPLE learned per-head log or power distance kernel (Chi 2022); kind=log|power"
    public var arguments: String {
        "kind=\(kind.rawValue);init=\(initialisation);r1_scale=\(format(r1Scale));r2_scale=\(format(r2Scale))"
    }

    /// The kernel's form.
    public enum Kind: String, Sendable { case log, power }
    /// The floor of r1 and r2 (the reference's eps).
    public static let floor: Float = 0.01

    public let kind: Kind
    let initialisation: String, r1Scale: Double, r2Scale: Double
    /// Unconstrained per-head parameters θ1, θ2 (H); r1 and r2 are functions of them.
    public let theta1: Tensor, theta2: Tensor
    public var parameters: [Tensor] { [theta1, theta2] }
    private var cache: (positions: [Int], distance: Tensor, logDistance: Tensor, positive: [Bool])?

    public init(kind: Kind, heads: Int, initialisation: String, r1Scale: Double, r2Scale: Double, rng: RandomGenerator) {
        self.kind = kind
        self.initialisation = initialisation
        self.r1Scale = r1Scale
        self.r2Scale = r2Scale
        func draw(_ scale: Double) -> [Double] {
            (0..<heads).map { _ in initialisation == "constant" ? scale : scale * rng.uniform() }
        }
        let r1 = draw(r1Scale), r2 = draw(r2Scale)
        let floor = Double(Self.floor)
        // θ with 0.01 + softplus(θ) = r: softplus⁻¹(y) = log(eˠ − 1).
        func inverseSoftplus(_ r: Double) -> Float { Float(Foundation.log(expm1(max(r - floor, 0.001)))) }
        // θ with 0.01 + 1.99·sigmoid(θ) = r: logit((r − 0.01) / 1.99).
        func inverseExponent(_ r: Double) -> Float {
            let u = min(max((r - floor) / (2 - floor), 0.0005), 0.9995)
            return Float(Foundation.log(u / (1 - u)))
        }
        theta1 = Tensor(r1.map(inverseSoftplus), shape: [heads], requiresGrad: true, label: "kerple.r1")
        theta2 = Tensor(r2.map(kind == .power ? inverseExponent : inverseSoftplus), shape: [heads], requiresGrad: true,
                        label: "kerple.r2")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> KerpleEncoding {
        let text = arguments.string("kind") ?? "log"
        guard let kind = Kind(rawValue: text) else { throw arguments.error("kind", "must be log or power (got '\(text)')") }
        let initialisation = arguments.string("init") ?? "uniform"
        guard ["uniform", "constant"].contains(initialisation) else {
            throw arguments.error("init", "must be uniform or constant (got '\(initialisation)')")
        }
        let r1Scale = try arguments.double("r1_scale", default: kind == .log ? 2 : 1, in: 0.011...100)
        let r2Scale = try arguments.double("r2_scale", default: kind == .log ? 1 : 2, in: 0.011...(kind == .log ? 100 : 2))
        return KerpleEncoding(kind: kind, heads: context.heads, initialisation: initialisation, r1Scale: r1Scale,
                              r2Scale: r2Scale, rng: context.rng(for: registryName))
    }

    /// r1 per head, (H).
    public var r1: Tensor { softplus(theta1) + Self.floor }
    /// r2 per head, (H): the log kernel's rate, or the power kernel's exponent.
    public var r2: Tensor {
        kind == .log ? softplus(theta2) + Self.floor : sigmoid(theta2) * (2 - Self.floor) + Self.floor
    }

    public func attentionBias(context: HookContext) -> Tensor? { context.forEachRow(bias) }  // (H, T, T) or (B, H, T, T)

    public var attentionInBlocks: Bool { true }
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        context.forEachRow(queries: queries, keys: keys) { q, k in               // (H, Tq, Tk) or (B, H, Tq, Tk)
            let (d, logD, positive) = constants(queries: q, keys: k)
            return bias(d, logD, positive)
        }
    }

    /// |p_i − p_j| (Tq, Tk), its log (1 where it is 0), and whether it is positive, repeated per head (H·Tq·Tk).
    func constants(queries: [Int], keys: [Int]) -> (Tensor, Tensor, [Bool]) {
        let tq = queries.count, tk = keys.count, h = theta1.count
        var d = [Float](repeating: 0, count: tq * tk)
        for i in 0..<tq { for j in 0..<tk { d[i * tk + j] = Float(abs(queries[i] - keys[j])) } }
        let positive = (0..<(h * tq * tk)).map { d[$0 % (tq * tk)] > 0 }
        return (.constant(d, shape: [tq, tk]), .constant(d.map { Foundation.log(max($0, 1)) }, shape: [tq, tk]), positive)
    }

    /// The bias (H, T, T) for one row of positions.
    func bias(_ positions: [Int]) -> Tensor {
        if cache?.positions != positions {
            let (d, logD, positive) = constants(queries: positions, keys: positions)
            cache = (positions, d, logD, positive)
        }
        return bias(cache!.distance, cache!.logDistance, cache!.positive)           // (T, T) each
    }

    /// The bias (H, Tq, Tk) from the constants of `constants(queries:keys:)`.
    func bias(_ d: Tensor, _ logD: Tensor, _ positive: [Bool]) -> Tensor {
        let h = theta1.count
        let r1 = self.r1.reshaped([h, 1, 1]), r2 = self.r2.reshaped([h, 1, 1])          // (H, 1, 1)
        switch kind {
        case .log:
            return -(r1 * log(r2 * d + 1))                                              // (H, T, T)
        case .power:
            // d^r2 = exp(r2 · log d) for d > 0, and 0 at d = 0 (where log d has no gradient to give).
            let powered = select(positive, exp(r2 * logD), .constant(filled: 0, shape: [1]))  // (H, T, T)
            return -(r1 * powered)
        }
    }

    private func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}
