import Foundation

/// `relative-bias`: T5's learned scalar bias per head, indexed by the log-bucketed relative
/// distance (key position − query position) and added to the attention scores (Raffel et al. 2020).
///
/// Bucketing follows T5's `_relative_position_bucket`: half the buckets hold exact small
/// distances, the rest grow logarithmically up to `max_distance`, and everything farther shares
/// the last bucket. Bidirectional attention splits the buckets between keys before and after the
/// query; causal attention uses all of them for keys before it (keys after are masked anyway).
/// The table (buckets, heads) is shared by all layers, as in T5, and starts N(0, init_std²) with
/// `init_std` = 1/√d_model by default, as Hugging Face transformers' T5 initialises it
/// (`_init_weights`: std = factor·d_model^−0.5, factor 1); `init_std=1` is `nn.Embedding`'s default.
/// Results name `init_std` only when it is given, so the default's name is unchanged.
public final class RelativeBiasEncoding: RegisteredEncoding {
    public static let registryName = "relative-bias"
    public static let summary = "T5 learned per-head bias over log-bucketed relative distance; buckets=32, max_distance=128"
    public var arguments: String {
        "buckets=\(buckets);\(initStd.map { "init_std=\($0 == $0.rounded() ? String(Int($0)) : String($0));" } ?? "")max_distance=\(maxDistance)"
    }
    /// The initial standard deviation when given as an argument (nil: the default 1/√d_model).
    public let initStd: Double?
    /// The number of buckets.
    public let buckets: Int
    /// Distances at or beyond this share the last bucket.
    public let maxDistance: Int
    /// Whether keys after the query get buckets of their own.
    public let bidirectional: Bool
    /// The bias table (buckets, heads).
    public let table: Tensor
    public var parameters: [Tensor] { [table] }
    private var cache: (positions: [Int], ids: [Int])?
    /// The bucket of every relative distance −reach ... reach, for blocks.
    private var bucketsByDistance: (reach: Int, buckets: [Int])?

    public init(buckets: Int, maxDistance: Int, heads: Int, bidirectional: Bool, std: Float, rng: RandomGenerator,
                initStd: Double? = nil) {
        self.initStd = initStd
        self.buckets = buckets
        self.maxDistance = maxDistance
        self.bidirectional = bidirectional
        table = .gaussian([buckets, heads], std: std, rng: rng, label: "relative-bias.table")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> RelativeBiasEncoding {
        let buckets = try arguments.int("buckets", default: 32, in: 4...4096)
        let maxDistance = try arguments.int("max_distance", default: 128, in: 2...1_000_000)
        let bidirectional = context.attention == .bidirectional
        let exact = (bidirectional ? buckets / 2 : buckets) / 2
        guard maxDistance > exact else {
            throw arguments.error("max_distance", "must exceed the exact range (\(exact) for \(buckets) buckets); raise max_distance or lower buckets")
        }
        var initStd: Double?  // nil: the default, 1/√d_model
        if arguments.spec.arguments["init_std"] != nil { initStd = try arguments.double("init_std", default: 1, in: 0...100) }
        return RelativeBiasEncoding(buckets: buckets, maxDistance: maxDistance, heads: context.heads,
                                    bidirectional: bidirectional, std: initStd.map(Float.init) ?? 1 / Float(context.dModel).squareRoot(),
                                    rng: context.rng(for: registryName), initStd: initStd)
    }

    /// T5's bucket for `relative` = key position − query position.
    public static func bucket(_ relative: Int, bidirectional: Bool, buckets: Int = 32, maxDistance: Int = 128) -> Int {
        var result = 0
        var n = -relative
        var count = buckets
        if bidirectional {
            count /= 2
            if n < 0 { result += count }
            n = abs(n)
        } else {
            n = max(n, 0)
        }
        let exact = count / 2
        if n < exact { return result + n }
        // log(n/exact)/log(maxDistance/exact), via log2 so powers of two are exact.
        let fraction = log2(Double(n) / Double(exact)) / log2(Double(maxDistance) / Double(exact))
        let large = exact + Int(fraction * Double(count - exact))
        return result + min(large, count - 1)
    }

    public func attentionBias(context: HookContext) -> Tensor? { context.forEachRow(bias) }  // (H, T, T) or (B, H, T, T)

    public var attentionInBlocks: Bool { true }
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        let reach = max(1, (context.positions.ids.max() ?? 0) - (context.positions.ids.min() ?? 0))
        if bucketsByDistance.map({ $0.reach < reach }) ?? true {
            bucketsByDistance = (reach, (-reach...reach).map {
                Self.bucket($0, bidirectional: bidirectional, buckets: buckets, maxDistance: maxDistance)
            })
        }
        let (r, byDistance) = bucketsByDistance!
        return context.forEachRow(queries: queries, keys: keys) { q, k in        // (H, Tq, Tk) or (B, H, Tq, Tk)
            var ids = [Int](repeating: 0, count: q.count * k.count)
            for i in 0..<q.count { for j in 0..<k.count { ids[i * k.count + j] = byDistance[k[j] - q[i] + r] } }
            return embedding(table, ids: ids, shape: [q.count, k.count]).permuted([2, 0, 1])  // (Tq, Tk, H) → (H, Tq, Tk)
        }
    }

    /// The bias (H, T, T) for one row of positions.
    func bias(_ positions: [Int]) -> Tensor {
        let t = positions.count
        let ids: [Int]
        if let cache, cache.positions == positions {
            ids = cache.ids
        } else {
            var fresh = [Int](repeating: 0, count: t * t)
            for i in 0..<t {
                for j in 0..<t {
                    fresh[i * t + j] = Self.bucket(positions[j] - positions[i], bidirectional: bidirectional,
                                                   buckets: buckets, maxDistance: maxDistance)
                }
            }
            cache = (positions, fresh)
            ids = fresh
        }
        return embedding(table, ids: ids, shape: [t, t]).permuted([2, 0, 1])  // (T, T, H) → (H, T, T)
    }
}
