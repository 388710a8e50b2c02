import Foundation

/// `fire`: functional interpolation for relative positions (Li et al. 2023, "Functional
/// Interpolation for Relative Positions Improves Long Context Transformers", ICLR 2024). Every head's
/// bias for query i and key j is one learned MLP of a progressively normalised distance:
///
///     b(i, j) = f_θ( ψ(i − j) / (ψ(max(p_i, L)) + 1e-6) ),   ψ(x) = log(|c·x| + 1),
///     f_θ = Linear(1, hidden) → σ → Linear(hidden, heads),   L = |ℓ · init_threshold|,
///
/// where p_i is the query's position, c (the log transform's scale) and ℓ (a multiplier of the
/// threshold L, which keeps short sequences from being over-normalised) are learned scalars, and
/// the MLP is shared by all layers. This is the paper's reference code (its appendix); like that
/// code, the distance enters through |i − j|, so keys at the same distance left and right get the
/// same bias in bidirectional attention.
///
/// The activation σ: `activation=gelu` by default, where the paper has ReLU (`activation=relu`, which
/// matches the reference code exactly; tested). ReLU's kink makes the finite-difference gradient
/// check that every encoding must pass (`check-plugin`, step 1e-2) fail whenever some ReLU input
/// lies within a step of 0 — at initialisation, any first-layer bias within 0.01 of 0 — although
/// its gradients are right; GELU is smooth and otherwise close to ReLU.
///
/// Initialisation, the reference code's defaults: `hidden=32`, `init_c=0.1`, `init_threshold=512`
/// (ℓ starts at 1); the MLP's weights and biases as PyTorch's `nn.Linear`, U(−1/√fan_in, 1/√fan_in).
public final class FireEncoding: RegisteredEncoding {
    public static let registryName = "fire"
    public static let summary = "FIRE: learned MLP of log-transformed distance normalised by the query position (Li 2023)"
    public var arguments: String {
        "activation=\(activation.rawValue);hidden=\(hidden);init_c=\(format(initC));init_threshold=\(format(initThreshold))"
    }

    /// The MLP's nonlinearity.
    public enum Activation: String, Sendable { case gelu, relu }

    let hidden: Int, initC: Double, initThreshold: Double, activation: Activation
    /// The MLP: (1, hidden), (hidden), (hidden, heads), (heads).
    public let w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor
    /// The log transform's scale c, and the threshold's multiplier ℓ (one value each).
    public let c: Tensor, thresholdMultiplier: Tensor
    public var parameters: [Tensor] { [w1, b1, w2, b2, c, thresholdMultiplier] }
    private var cache: (positions: [Int], distance: Tensor, position: [Float])?

    public init(hidden: Int, heads: Int, initC: Double, initThreshold: Double, activation: Activation = .gelu,
                rng: RandomGenerator) {
        self.hidden = hidden
        self.activation = activation
        self.initC = initC
        self.initThreshold = initThreshold
        func linearInit(_ shape: [Int], fanIn: Int, label: String) -> Tensor {  // nn.Linear's default
            let bound = 1 / Double(fanIn).squareRoot()
            let values = (0..<shape.reduce(1, *)).map { _ in Float(bound * (2 * rng.uniform() - 1)) }
            return Tensor(values, shape: shape, requiresGrad: true, label: label)
        }
        w1 = linearInit([1, hidden], fanIn: 1, label: "fire.w1")
        b1 = linearInit([hidden], fanIn: 1, label: "fire.b1")
        w2 = linearInit([hidden, heads], fanIn: hidden, label: "fire.w2")
        b2 = linearInit([heads], fanIn: hidden, label: "fire.b2")
        c = Tensor([Float(initC)], shape: [1], requiresGrad: true, label: "fire.c")
        thresholdMultiplier = Tensor([1], shape: [1], requiresGrad: true, label: "fire.threshold_multiplier")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> FireEncoding {
        let hidden = try arguments.int("hidden", default: 32, in: 1...1024)
        let initC = try arguments.double("init_c", default: 0.1, in: 1e-6...1e6)
        let initThreshold = try arguments.double("init_threshold", default: 512, in: 1e-6...1e9)
        let text = arguments.string("activation") ?? "gelu"
        guard let activation = Activation(rawValue: text) else {
            throw arguments.error("activation", "must be gelu or relu (got '\(text)')")
        }
        return FireEncoding(hidden: hidden, heads: context.heads, initC: initC, initThreshold: initThreshold,
                            activation: activation, rng: context.rng(for: registryName))
    }

    /// The MLP's input for every (query, key) pair, (T, T).
    func normalizedDistance(positions: [Int]) -> Tensor {
        if cache?.positions != positions {
            cache = (positions, Self.distances(queries: positions, keys: positions), positions.map(Float.init))
        }
        return normalizedDistance(cache!.distance, queries: cache!.position)
    }

    /// p_i − p_j for queries at `queries` and keys at `keys`, (Tq, Tk).
    static func distances(queries: [Int], keys: [Int]) -> Tensor {
        let tq = queries.count, tk = keys.count
        var d = [Float](repeating: 0, count: tq * tk)
        for i in 0..<tq { for j in 0..<tk { d[i * tk + j] = Float(queries[i] - keys[j]) } }
        return .constant(d, shape: [tq, tk])
    }

    /// The MLP's input (Tq, Tk) from the distances (Tq, Tk) and the query positions (Tq).
    func normalizedDistance(_ distance: Tensor, queries position: [Float]) -> Tensor {
        let t = position.count
        let threshold = abs(thresholdMultiplier * Float(initThreshold))                    // (1)
        // max(p_i, L): the query's position, or the threshold where that is larger.
        let limit = threshold.scalar
        let normalizer = select(position.map { $0 > limit }, .constant(position, shape: [t]), threshold)  // (T)
        let numerator = log(abs(c * distance) + 1)                                         // (T, T)
        let denominator = log(abs(c * normalizer) + 1) + 1e-6                              // (T)
        return numerator / denominator.reshaped([t, 1])                                    // (T, T)
    }

    public func attentionBias(context: HookContext) -> Tensor? { context.forEachRow(bias) }  // (H, T, T) or (B, H, T, T)

    /// The bias (H, T, T) for one row of positions.
    func bias(_ positions: [Int]) -> Tensor { mlp(normalizedDistance(positions: positions)) }

    /// The MLP of the normalised distances x (Tq, Tk): the bias (H, Tq, Tk).
    func mlp(_ x: Tensor) -> Tensor {
        let (tq, tk) = (x.shape[0], x.shape[1])
        let z = linear(x.reshaped([tq, tk, 1]), w1, b1)                                    // (Tq, Tk, hidden)
        let h = activation == .relu ? relu(z) : gelu(z)
        return linear(h, w2, b2).permuted([2, 0, 1])                                       // (H, Tq, Tk)
    }

    public var attentionInBlocks: Bool { true }
    /// The floats of the MLP's hidden layer per piece of a block (see below).
    public var blockFloats = 1 << 20
    /// The MLP's hidden layer holds Tq·Tk·hidden floats: the block is taken a few queries at a time
    /// (about `blockFloats` floats each), their biases written into one (H, Tq, Tk) tensor.
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        context.forEachRow(queries: queries, keys: keys) { q, k in               // (H, Tq, Tk) or (B, H, Tq, Tk)
            let (tq, tk, h) = (q.count, k.count, w2.shape[1])
            let out = Tensor(zeros: [h, tq, tk])
            let rows = max(1, blockFloats / max(1, tk * hidden))
            for r0 in stride(from: 0, to: tq, by: rows) {
                let r1 = min(r0 + rows, tq), part = Array(q[r0..<r1])
                let bias = mlp(normalizedDistance(Self.distances(queries: part, keys: k), queries: part.map(Float.init)))
                for head in 0..<h {                                                    // (H, r1 − r0, Tk) into rows r0 ..< r1
                    (out.data + (head * tq + r0) * tk).update(from: bias.data + head * (r1 - r0) * tk, count: (r1 - r0) * tk)
                }
            }
            return out
        }
    }

    private func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
