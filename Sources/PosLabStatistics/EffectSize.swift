// MARK: - Effect sizes

/// Cohen's d for two independent samples: (mean x − mean y) / pooled sd; nil if undefined.
public func cohensD(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count >= 2, y.count >= 2, let a = Descriptive(x), let b = Descriptive(y) else { return nil }
    let pooled = ((Double(a.n - 1) * a.sd! * a.sd! + Double(b.n - 1) * b.sd! * b.sd!) / Double(a.n + b.n - 2)).squareRoot()
    return pooled > 0 ? (a.mean - b.mean) / pooled : nil
}

/// Cohen's d_z for paired samples: mean(x − y) / sd(x − y); nil if undefined.
public func cohensDz(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "paired effect size needs equal lengths")
    guard let s = Descriptive(zip(x, y).map { $0 - $1 }), let sd = s.sd, sd > 0 else { return nil }
    return s.mean / sd
}

/// Cliff's delta: (#{x > y} − #{x < y}) / (n1·n2), in [−1, 1]; nil for an empty sample.
public func cliffsDelta(_ x: [Double], _ y: [Double]) -> Double? {
    guard !x.isEmpty, !y.isEmpty else { return nil }
    var score = 0
    for a in x { for b in y { score += a > b ? 1 : a < b ? -1 : 0 } }
    return Double(score) / Double(x.count * y.count)
}

// MARK: - Multiple comparisons

/// Holm–Bonferroni adjusted p-values (step-down, made monotone, capped at 1), in the input order.
/// nil entries (undefined tests) are not part of the family and stay nil.
public func holmAdjusted(_ pValues: [Double?]) -> [Double?] {
    let family = pValues.indices.filter { pValues[$0] != nil }.sorted { pValues[$0]! < pValues[$1]! }
    let m = family.count
    var adjusted = [Double?](repeating: nil, count: pValues.count)
    var running = 0.0
    for (i, index) in family.enumerated() {
        running = max(running, min(1, Double(m - i) * pValues[index]!))
        adjusted[index] = running
    }
    return adjusted
}

// MARK: - Rankings

/// Ranks (1 = best, highest score; ties share the mean rank) of named scores.
public func rankByScore(_ scores: [String: Double]) -> [String: Double] {
    let names = scores.keys.sorted()
    let (ranks, _) = averageRanks(names.map { -scores[$0]! })
    return Dictionary(uniqueKeysWithValues: zip(names, ranks))
}

/// Across several rankings (e.g. one per task): each name's mean rank and mean reciprocal rank.
public func aggregateRanks(_ rankings: [[String: Double]]) -> [String: (meanRank: Double, meanReciprocalRank: Double)] {
    var sums: [String: (Double, Double, Int)] = [:]
    for ranking in rankings {
        for (name, rank) in ranking {
            let s = sums[name, default: (0, 0, 0)]
            sums[name] = (s.0 + rank, s.1 + 1 / rank, s.2 + 1)
        }
    }
    return sums.mapValues { ($0.0 / Double($0.2), $0.1 / Double($0.2)) }
}
