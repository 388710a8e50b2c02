// CAPE.swift: continuous augmented positional embeddings as a one-file PosLab plugin (the embed hook).
//
//   poslab plugin build Examples/plugins/CAPE.swift
//   poslab check-plugin Examples/plugins/CAPE.swift
import Foundation
import PosLabModel

/// `cape`: Continuous Augmented Positional Embeddings (Likhomanenko, Xu, Synnaeve, Collobert, Rogozhnikov
/// 2021, "CAPE: Encoding Relative Positions with Continuous Augmented Positional Embeddings",
/// NeurIPS). Sinusoidal absolute embeddings of real-valued positions, added to the token
/// embeddings; in training each sequence's positions x_i = i are augmented (§3) by
///
///     x'_i = λ·(x_i + Δ + ε_i),   Δ ~ U[−Δmax, Δmax] (global shift),  ε_i ~ U[−εmax, εmax] (local shift),
///                                 log λ ~ U[−log λmax, log λmax] (global scaling),
///
/// drawn per sequence and per training batch, so the model cannot rely on absolute positions and
/// learns relative ones; evaluation uses x_i = i. The embedding is Vaswani et al.'s: column 2k holds
/// sin(x·ω_k) and column 2k + 1 cos(x·ω_k), ω_k = 10000^(−2k/C).
///
/// Arguments: `global_shift` Δmax (default 5), `local_shift` εmax (default 0.5), `global_scaling`
/// λmax ≥ 1 (default 1.1; 1 turns scaling off). No parameters.
///
/// Positions come from `HookContext.realPositions` (B, T), shifted and scaled per sequence with
/// tensor ops, and the sinusoids are `sin` and `cos` of them (docs/plugins.md, "Real-valued positions").
///
/// Randomness and state: the draws come from a generator seeded with the run's seed
/// (`context.rng(for:)`) and advanced by every training batch, so a run is reproducible; the
/// encoding keeps that generator between steps (the only state it keeps: docs/plugins.md, "Random
/// numbers and state"), and evaluation batches draw nothing.
public final class CAPE: RegisteredEncoding {
    public static let registryName = "cape"
    public static let summary = "CAPE (Likhomanenko 2021): sinusoids of augmented real positions; global_shift=5, local_shift=0.5, global_scaling=1.1"
    public var arguments: String { "global_scaling=\(maxScaling);global_shift=\(maxGlobalShift);local_shift=\(maxLocalShift)" }

    let width: Int
    let maxGlobalShift: Double, maxLocalShift: Double, maxScaling: Double
    let draws: RandomGenerator

    init(width: Int, globalShift: Double, localShift: Double, scaling: Double, rng: RandomGenerator) {
        self.width = width
        maxGlobalShift = globalShift
        maxLocalShift = localShift
        maxScaling = scaling
        draws = rng
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> CAPE {
        guard context.dModel % 2 == 0 else {
            throw ConfigurationError(field: "model.d_model", rule: "cape needs an even d_model (sin/cos pairs); got \(context.dModel)")
        }
        return CAPE(width: context.dModel,
                    globalShift: try arguments.double("global_shift", default: 5, in: 0...1_000_000),
                    localShift: try arguments.double("local_shift", default: 0.5, in: 0...1_000),
                    scaling: try arguments.double("global_scaling", default: 1.1, in: 1...1_000),
                    rng: context.rng(for: registryName))
    }

    /// Uniform on [−a, a].
    func symmetric(_ a: Double) -> Double { a == 0 ? 0 : (2 * draws.uniform() - 1) * a }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {
        let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        var positions = context.realPositions  // (B, T): each sequence's own positions, as reals
        if context.training {
            // Per sequence, in this order: Δ, λ, then its T local shifts ε_i.
            var shift = [Float](), scale = [Float](), local = [Float]()
            for _ in 0..<b {
                shift.append(Float(symmetric(maxGlobalShift)))
                scale.append(Float(exp(symmetric(log(maxScaling)))))
                local += (0..<t).map { _ in Float(symmetric(maxLocalShift)) }
            }
            positions = (positions + .constant(shift, shape: [b, 1]) + .constant(local, shape: [b, t]))
                * .constant(scale, shape: [b, 1])  // x'_i = λ·(x_i + Δ + ε_i), (B, T)
        }
        let frequencies = Tensor.constant((0..<(c / 2)).map { Float(pow(10_000, -Double(2 * $0) / Double(c))) }, shape: [c / 2])
        let angles = positions.reshaped([b, t, 1]) * frequencies  // (B, T, C/2)
        // Column 2k sin, column 2k + 1 cos: (B, T, C/2, 2) → (B, T, C).
        let table = concatLast([sin(angles).reshaped([b, t, c / 2, 1]), cos(angles).reshaped([b, t, c / 2, 1])])
        return x + table.reshaped([b, t, c])
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(CAPE.self) }
}
