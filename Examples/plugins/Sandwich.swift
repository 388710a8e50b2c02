// Sandwich.swift: Sandwich as a one-file PosLab plugin (the bias hook).
//
//   poslab plugin build Examples/plugins/Sandwich.swift
//   poslab check-plugin Examples/plugins/Sandwich.swift
import Foundation
import PosLabModel

/// `sandwich`: the parameter-free relative bias of Chi, Fan, Rudnicky & Ramadge (2023), "Dissecting
/// Transformer Length Extrapolation via the Lens of Receptive Field Analysis", ACL. Of the four
/// terms of (q_m + p_m)ᵀ(k_n + p_n) with sinusoidal position embeddings p, Sandwich keeps the
/// first and the last — the content term the model computes, and the inner product of the two
/// position embeddings, which depends only on the distance m − n:
///
///     p_mᵀ p_n = Σ_{i<d̄/2} cos((m − n)·ω_i),   ω_i = 10000^(−2i/d̄),
///
/// decaying with the distance (with ripples) like KERPLE's and T5's learned biases. This plugin
/// adds λ·(p_mᵀ p_n − d̄/2) to the attention scores, the same for every head: the −d̄/2 makes the
/// bias 0 at distance 0 and ≤ 0 elsewhere, and changes no attention weight (a constant per query
/// row cancels in the softmax). The paper's per-head variants are not reproduced here.
///
/// Arguments: `width` d̄ (default 128, even), `scale` λ (default 1). No parameters.
public final class Sandwich: RegisteredEncoding {
    public static let registryName = "sandwich"
    public static let summary = "Sandwich (Chi 2023): parameter-free bias p_mᵀp_n of sinusoids, width=128, scale=1"
    public var arguments: String { "scale=\(scale);width=\(width)" }

    let width: Int
    let scale: Double
    /// The bias by distance |m − n| (the sum is even in m − n), grown as longer inputs come.
    private var byDistance: [Float] = []

    init(width: Int, scale: Double) {
        self.width = width
        self.scale = scale
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> Sandwich {
        let width = try arguments.int("width", default: 128, in: 2...65_536)
        guard width % 2 == 0 else { throw arguments.error("width", "must be even (sin/cos pairs); got \(width)") }
        return Sandwich(width: width, scale: try arguments.double("scale", default: 1, in: 0...1_000))
    }

    /// λ·(Σ_i cos(δ·ω_i) − d̄/2) for δ = 0 ..< count, in double precision.
    func bias(upTo count: Int) -> [Float] {
        if byDistance.count < count {
            byDistance = (0..<max(count, 2 * byDistance.count)).map { delta in
                let sum = (0..<(width / 2)).reduce(0.0) { $0 + cos(Double(delta) * pow(10_000, -Double(2 * $1) / Double(width))) }
                return Float(scale * (sum - Double(width / 2)))
            }
        }
        return byDistance
    }

    public func attentionBias(context: HookContext) -> Tensor? {
        context.forEachRow { p in
            let t = p.count, span = (p.max() ?? 0) - (p.min() ?? 0)
            let table = bias(upTo: span + 1)
            var values = [Float](repeating: 0, count: t * t)
            for m in 0..<t { for n in 0..<t { values[m * t + n] = table[abs(p[m] - p[n])] } }
            return .constant(values, shape: [t, t])  // (T, T): every head
        }
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(Sandwich.self) }
}
