import Foundation
import PosLabModel

/// `shaw-example`: relative key representations (Shaw, Uszkoreit & Vaswani 2018), written with the
/// score hook: query i and key j score q_i·(k_j + w[clip(j − i, k)])/√D, so the hook adds
/// q_i·w[clip(j − i, k)]/√D. One table w (2k + 1, D) shared by every layer and head (PosLab's
/// built-in `shaw` keeps one per layer). Forward code only — no backward code.
public final class RelativeKeys: RegisteredEncoding {
    public static let registryName = "shaw-example"  // PosLab has a built-in `shaw`
    public static let summary = "Shaw-style relative keys through the score hook (plugin example)"
    public var arguments: String { "max_distance=\(maxDistance)" }

    let maxDistance: Int
    let table: Tensor                                                   // (2k + 1, D)
    public var parameters: [Tensor] { [table] }

    init(maxDistance: Int, headDim: Int, rng: RandomGenerator) {
        self.maxDistance = maxDistance
        table = .gaussian([2 * maxDistance + 1, headDim], std: 0.1, rng: rng, label: "shaw-example.table")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> RelativeKeys {
        let k = try arguments.int("max_distance", default: 8, in: 1...4096)
        return RelativeKeys(maxDistance: k, headDim: context.headDim, rng: context.rng(for: registryName))
    }

    public func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? {
        let (b, h, t) = (context.batch, context.heads, context.length)
        // The table row of every (sequence, head, query i, key j): clip(p_j − p_i) + k.
        var rows = [Int]()
        rows.reserveCapacity(b * h * t * t)
        for s in 0..<b {
            let p = context.positions.row(context.positions.isShared ? 0 : s)
            for _ in 0..<h { for i in 0..<t { for j in 0..<t { rows.append(max(-maxDistance, min(maxDistance, p[j] - p[i])) + maxDistance) } } }
        }
        let byDistance = matmul(q, table, transposeB: true)             // (B, H, T, 2k + 1): q_i · w_r
        let scores = gather(byDistance, axis: -1, indices: rows, shape: [b, h, t, t])
        return scores * (1 / Float(context.headDim).squareRoot())       // (B, H, T, T)
    }
}
