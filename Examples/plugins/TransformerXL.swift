// TransformerXL.swift: Transformer-XL's relative attention as a one-file PosLab plugin (the score hook).
//
//   poslab plugin build Examples/plugins/TransformerXL.swift
//   poslab check-plugin Examples/plugins/TransformerXL.swift
import Foundation
import PosLabModel

/// `txl-relative`: the relative positional encoding of Transformer-XL (Dai, Yang, Yang, Carbonell,
/// Le & Salakhutdinov 2019, "Transformer-XL: Attentive Language Models beyond a Fixed-Length
/// Context", ACL; §3.3). Query i and key j score, per head,
///
///     A_ij = q_iᵀ k_j  +  q_iᵀ W_R R_{i−j}  +  uᵀ k_j  +  vᵀ W_R R_{i−j}
///              (a)          (b)               (c)          (d)
///
/// where R_{i−j} is the sinusoid of the distance i − j (Vaswani et al.'s formula, no learned
/// table: sin in the first half, cos in the second, as in the paper's code), W_R projects it to
/// each head, and u, v are learned vectors per head that replace the query in the terms (c) and
/// (d) that do not depend on it. The model computes (a); the score hook adds (b) + (c) + (d),
/// scaled by 1/√D as (a) is. Every layer has its own W_R, u and v (the paper's code's `untie_r`;
/// sharing u and v across layers is its default). The paper's segment-level recurrence (the memory
/// of the previous segment) is a training scheme, not an encoding, and is not part of this plugin.
///
/// Arguments: `width`, the sinusoid's width d_R (default d_model, as in the paper), even.
/// Initial weights: N(0, 0.02²), the paper's code's `init_std`.
public final class TransformerXLRelative: RegisteredEncoding {
    public static let registryName = "txl-relative"
    public static let summary = "Transformer-XL relative attention (Dai 2019): q·W_R·R(i−j) + u·k + v·W_R·R(i−j), per layer"
    public var arguments: String { "width=\(width)" }

    let width: Int
    let heads: Int, headDim: Int
    /// Per layer: W_R (d_R, H·D), u (1, H, 1, D), v (1, H, 1, D).
    let projections: [Tensor], contentBias: [Tensor], positionBias: [Tensor]
    public var parameters: [Tensor] { projections + contentBias + positionBias }

    init(width: Int, context: EncodingContext) {
        self.width = width
        heads = context.heads
        headDim = context.headDim
        let rng = context.rng(for: Self.registryName)
        let (h, d) = (context.heads, context.headDim)
        projections = (0..<context.layers).map { .gaussian([width, h * d], std: 0.02, rng: rng, label: "txl.W_R.\($0)") }
        contentBias = (0..<context.layers).map { .gaussian([1, h, 1, d], std: 0.02, rng: rng, label: "txl.u.\($0)") }
        positionBias = (0..<context.layers).map { .gaussian([1, h, 1, d], std: 0.02, rng: rng, label: "txl.v.\($0)") }
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> TransformerXLRelative {
        let width = try arguments.int("width", default: context.dModel, in: 2...65_536)
        guard width % 2 == 0 else { throw arguments.error("width", "must be even (sin/cos pairs); got \(width)") }
        return TransformerXLRelative(width: width, context: context)
    }

    /// R for the distances −span … span (row r: distance r − span), (2·span + 1, d_R): sin | cos.
    func sinusoids(span: Int) -> Tensor {
        let half = width / 2
        var values = [Float](repeating: 0, count: (2 * span + 1) * width)
        for r in 0...(2 * span) {
            let distance = Double(r - span)
            for i in 0..<half {
                let angle = distance / pow(10_000, Double(2 * i) / Double(width))
                values[r * width + i] = Float(sin(angle))
                values[r * width + half + i] = Float(cos(angle))
            }
        }
        return .constant(values, shape: [2 * span + 1, width])
    }

    public func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? {
        let (b, h, t, d, layer) = (context.batch, heads, context.length, headDim, context.layer)
        let rows = (0..<b).map { context.positions.row(context.positions.isShared ? 0 : $0) }
        let span = rows.map { ($0.max() ?? 0) - ($0.min() ?? 0) }.max() ?? 0
        let n = 2 * span + 1
        // W_R R for every distance, per head: (n, H·D) → (H, n, D).
        let relative = matmul(sinusoids(span: span), projections[layer]).reshaped([n, h, d]).permuted([1, 0, 2])
        // (b) + (d) = (q_i + v)ᵀ W_R R_{i−j}: every query against every distance, per head (H, B·T, n).
        let queries = (q + positionBias[layer]).permuted([1, 0, 2, 3]).reshaped([h, b * t, d])
        let byDistance = matmul(queries, relative, transposeB: true).reshaped([h, b, t, n]).permuted([1, 0, 2, 3])  // (B, H, T, n)
        var columns = [Int](repeating: 0, count: b * h * t * t)
        for s in 0..<b {
            let p = rows[s]
            for head in 0..<h {
                for i in 0..<t { for j in 0..<t { columns[((s * h + head) * t + i) * t + j] = p[i] - p[j] + span } }
            }
        }
        let positional = gather(byDistance, axis: -1, indices: columns, shape: [b, h, t, t])
        // (c) = uᵀ k_j, the same for every query: (H, B·T, D)·(H, D, 1) → (B, H, 1, T).
        let keys = k.permuted([1, 0, 2, 3]).reshaped([h, b * t, d])
        let content = matmul(keys, contentBias[layer].reshaped([h, d, 1])).reshaped([h, b, 1, t]).permuted([1, 0, 2, 3])
        return (positional + content) * (1 / Float(d).squareRoot())  // (B, H, T, T)
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(TransformerXLRelative.self) }
}
