import Foundation

/// `shaw`: relative position representations for keys (Shaw, Uszkoreit & Vaswani 2018,
/// "Self-Attention with Relative Position Representations", NAACL). Query i and key j score
///
///     e_ij = q_i · (k_j + a_ij) / √D,   a_ij = w_clip(j − i, k),   clip(x, k) = max(−k, min(k, x)),
///
/// so the score hook adds q_i · w_clip(j − i, k) / √D. Each layer learns its own table w of 2k + 1
/// vectors of the head width D, shared by all heads, as in the paper (§3.3, "shared across
/// attention heads") and tensor2tensor's `dot_product_attention_relative` (one table per layer).
/// Only the key representations a^K are used: the paper's value term a^V (added to the weighted
/// sum of values) has no hook here; the paper's ablation (Table 3) finds a^K alone within 0.1 BLEU.
///
/// Arguments: `max_distance` k, the clipping distance (default 16, the paper's base model);
/// `init_std`, the tables' N(0, init_std²) initialisation (default 1/√(2k + 1), the variance of
/// tensor2tensor's default `uniform_unit_scaling` initialiser, U(±√(3/(2k + 1))), for a (2k + 1, D) table).
public final class ShawEncoding: RegisteredEncoding {
    public static let registryName = "shaw"
    public static let summary = "Shaw 2018 relative key representations, clipped at max_distance (default 16), one table per layer"
    public var arguments: String { (initStd.map { "init_std=\($0);" } ?? "") + "max_distance=\(maxDistance)" }

    /// The clipping distance k.
    public let maxDistance: Int
    /// The initial standard deviation when given as an argument (nil: the default 1/√(2k + 1)).
    let initStd: Double?
    /// One table (2k + 1, D) per layer: row r holds the key representation of distance r − k.
    public let tables: [Tensor]
    public var parameters: [Tensor] { tables }
    private var cache: (positions: Positions, heads: Int, ids: [Int])?

    public init(maxDistance: Int, layers: Int, headDim: Int, initStd: Double? = nil, rng: RandomGenerator) {
        self.maxDistance = maxDistance
        self.initStd = initStd
        let std = Float(initStd ?? 1 / Double(2 * maxDistance + 1).squareRoot())
        tables = (0..<layers).map { .gaussian([2 * maxDistance + 1, headDim], std: std, rng: rng, label: "shaw.keys.\($0)") }
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> ShawEncoding {
        let k = try arguments.int("max_distance", default: 16, in: 1...100_000)
        var std: Double?  // nil: the default, 1/√(2k + 1); results name init_std only when it is given
        if arguments.spec.arguments["init_std"] != nil { std = try arguments.double("init_std", default: 1, in: 0...100) }
        return ShawEncoding(maxDistance: k, layers: context.layers, headDim: context.headDim, initStd: std,
                            rng: context.rng(for: registryName))
    }

    /// For every (sequence, head, query i, key j), the table row clip(p_j − p_i, k) + k, row-major (B, H, T, T).
    func rows(_ positions: Positions, batch: Int, heads: Int) -> [Int] {
        if let cache, cache.positions == positions, cache.heads == heads, cache.ids.count == batch * heads * positions.length * positions.length {
            return cache.ids
        }
        let t = positions.length, k = maxDistance
        var ids = [Int](repeating: 0, count: batch * heads * t * t)
        for s in 0..<batch {
            let p = positions.row(positions.isShared ? 0 : s)
            for h in 0..<heads {
                for i in 0..<t { for j in 0..<t { ids[((s * heads + h) * t + i) * t + j] = max(-k, min(k, p[j] - p[i])) + k } }
            }
        }
        cache = (positions, heads, ids)
        return ids
    }

    public var attentionInBlocks: Bool { true }
    public func attentionScores(_ q: Tensor, _ k: Tensor, queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        let (b, h, tq, tk, m) = (context.batch, context.heads, queries.count, keys.count, maxDistance)
        let byDistance = matmul(q, tables[context.layer], transposeB: true)                  // (B, H, Tq, 2k+1)
        var ids = [Int](repeating: 0, count: b * h * tq * tk)
        for s in 0..<b {
            let p = context.positions.row(context.positions.isShared ? 0 : s)
            for head in 0..<h {
                for i in 0..<tq {
                    let row = ((s * h + head) * tq + i) * tk, pi = p[queries.lowerBound + i]
                    for j in 0..<tk { ids[row + j] = max(-m, min(m, p[keys.lowerBound + j] - pi)) + m }
                }
            }
        }
        let picked = gather(byDistance, axis: -1, indices: ids, shape: [b, h, tq, tk])
        return picked * (1 / Float(context.headDim).squareRoot())                           // (B, H, Tq, Tk)
    }

    public func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? {
        let (b, h, t) = (context.batch, context.heads, context.length)
        let byDistance = matmul(q, tables[context.layer], transposeB: true)                  // (B, H, T, 2k+1): q_i · w_r
        let picked = gather(byDistance, axis: -1, indices: rows(context.positions, batch: b, heads: h), shape: [b, h, t, t])
        return picked * (1 / Float(context.headDim).squareRoot())                           // (B, H, T, T)
    }
}
