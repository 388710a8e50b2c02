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
/// Randomness and state: the draws come from a generator seeded with the run's seed
/// (`context.rng(for:)`) and advanced once per training batch, so a run is reproducible; the
/// encoding keeps that generator between steps, and evaluation batches draw nothing.
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
        var values = [Float](repeating: 0, count: b * t * c)
        let frequencies = (0..<(c / 2)).map { pow(10_000, -Double(2 * $0) / Double(c)) }
        for s in 0..<b {
            let p = context.positions.row(context.positions.isShared ? 0 : s)
            var shift = 0.0, scale = 1.0
            if context.training {
                shift = symmetric(maxGlobalShift)
                scale = exp(symmetric(log(maxScaling)))
            }
            for i in 0..<t {
                let position = scale * (Double(p[i]) + shift + (context.training ? symmetric(maxLocalShift) : 0))
                for k in 0..<(c / 2) {
                    values[(s * t + i) * c + 2 * k] = Float(sin(position * frequencies[k]))
                    values[(s * t + i) * c + 2 * k + 1] = Float(cos(position * frequencies[k]))
                }
            }
        }
        return x + .constant(values, shape: [b, t, c])  // (B, T, C): each sequence its own positions
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(CAPE.self) }
}
