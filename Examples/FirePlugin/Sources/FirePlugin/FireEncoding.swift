import Foundation
import PosLabModel

/// `fire-example`: a FIRE-style learned relative bias (Li et al. 2024, "Functional Interpolation for
/// Relative Positions Improves Long Context Transformers").
///
/// Each head's bias for query i and key j is a small MLP of the progressive distance
/// x = ψ(|i − j|) / ψ(max(i, L)), with ψ(d) = log(1 + d) and L the training length: the MLP is
/// learned, the features are not. Written with engine ops only — no backward code.
public final class FireEncoding: RegisteredEncoding {
    public static let registryName = "fire-example"  // PosLab has a built-in `fire`
    public static let summary = "FIRE-style learned bias: MLP of log-scaled relative distance (plugin example)"
    public var arguments: String { "hidden=\(hidden)" }

    let hidden: Int, trainingLength: Int
    let w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor
    public var parameters: [Tensor] { [w1, b1, w2, b2] }

    init(hidden: Int, heads: Int, trainingLength: Int, rng: RandomGenerator) {
        self.hidden = hidden
        self.trainingLength = trainingLength
        w1 = .gaussian([1, hidden], std: 1, rng: rng, label: "fire.w1")
        b1 = .gaussian([hidden], std: 1, rng: rng, label: "fire.b1")
        w2 = .gaussian([hidden, heads], std: 1 / Float(hidden).squareRoot(), rng: rng, label: "fire.w2")
        b2 = .filled([heads], value: 0, label: "fire.b2")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> FireEncoding {
        let hidden = try arguments.int("hidden", default: 32, in: 1...1024)
        return FireEncoding(hidden: hidden, heads: context.heads, trainingLength: context.maxLength,
                            rng: context.rng(for: registryName))
    }

    public func attentionBias(context: HookContext) -> Tensor? {
        context.forEachRow(bias)                                       // (H, T, T), or (B, H, T, T) per sequence
    }

    /// The bias for one row of positions, (H, T, T).
    func bias(_ positions: [Int]) -> Tensor {
        let t = positions.count
        func psi(_ d: Int) -> Float { Float(log1p(Double(d))) }
        var features = [Float](repeating: 0, count: t * t)
        for i in 0..<t {
            for j in 0..<t {
                features[i * t + j] = psi(abs(positions[i] - positions[j])) / psi(max(positions[i], trainingLength))
            }
        }
        let x = Tensor.constant(features, shape: [t, t, 1])            // (T, T, 1), fixed
        let h = gelu(linear(x, w1, b1))                                // (T, T, hidden)
        return linear(h, w2, b2).permuted([2, 0, 1])                   // (H, T, T)
    }
}
