// MARK: - Rank tests

/// Exact tests are used up to this many values (per sample), when there are no ties or zeros.
public let exactRankTestLimit = 50

/// The Wilcoxon signed-rank test of x − y symmetric about 0 (zero differences dropped, as
/// `scipy.stats.wilcoxon(zero_method='wilcox')`).
///
/// Exact null distribution of W+ when no difference is zero, no |difference| is tied and at most
/// 50 remain; otherwise the normal approximation with the tie-corrected variance and a
/// continuity correction. The statistic is min(W+, W−). With 5 pairs the smallest possible exact
/// two-sided p is 2/32 = 0.0625.
public func wilcoxonSignedRank(_ x: [Double], _ y: [Double]) -> HypothesisTest {
    precondition(x.count == y.count, "paired test needs equal lengths")
    let differences = zip(x, y).map { $0 - $1 }
    let d = differences.filter { $0 != 0 }
    let n = d.count, zeros = differences.count - n
    guard n > 0 else { return .undefined(.wilcoxon, x.count, x.count, "all differences are zero") }
    let (ranks, ties) = averageRanks(d.map(abs))
    let wPlus = zip(d, ranks).filter { $0.0 > 0 }.map(\.1).reduce(0, +)
    let total = Double(n * (n + 1)) / 2
    let statistic = min(wPlus, total - wPlus)
    let note = zeros > 0 ? "\(zeros) zero difference\(zeros == 1 ? "" : "s") dropped" : nil
    if zeros == 0 && ties.isEmpty && n <= exactRankTestLimit {
        // counts[w] = number of sign assignments with W+ = w (subsets of {1…n} summing to w).
        var counts = [Double](repeating: 0, count: Int(total) + 1)
        counts[0] = 1
        for r in 1...n {
            for w in stride(from: Int(total), through: r, by: -1) { counts[w] += counts[w - r] }
        }
        let outcomes = counts.reduce(0, +), w = Int(wPlus.rounded())
        let lower = counts[0...w].reduce(0, +) / outcomes, upper = counts[w...].reduce(0, +) / outcomes
        return HypothesisTest(kind: .wilcoxon, method: "exact", statistic: statistic, df: nil,
                              p: min(1, 2 * min(lower, upper)), n1: x.count, n2: x.count, note: note)
    }
    let mean = total / 2
    let tieTerm = ties.map { Double($0 * $0 * $0 - $0) }.reduce(0, +)
    let variance = Double(n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48
    guard variance > 0 else { return .undefined(.wilcoxon, x.count, x.count, "zero variance of the signed-rank sum") }
    let shift = wPlus - mean
    let z = (shift - 0.5 * (shift > 0 ? 1 : shift < 0 ? -1 : 0)) / variance.squareRoot()
    return HypothesisTest(kind: .wilcoxon, method: "normal approximation", statistic: statistic, df: nil,
                          p: Distributions.normalTwoSided(z), n1: x.count, n2: x.count, note: note)
}

/// The Mann–Whitney U test of x and y coming from one distribution (as `scipy.stats.mannwhitneyu`,
/// two-sided).
///
/// Exact null distribution of U when the pooled sample has no ties and each sample has at most
/// 50 values; otherwise the normal approximation with the tie-corrected variance and a
/// continuity correction. The statistic is U of x: the number of pairs with x > y (ties ½).
public func mannWhitneyU(_ x: [Double], _ y: [Double]) -> HypothesisTest {
    let (n1, n2) = (x.count, y.count)
    guard n1 >= 1, n2 >= 1 else { return .undefined(.mannWhitney, n1, n2, "needs at least 1 value on each side") }
    let (ranks, ties) = averageRanks(x + y)
    let u1 = ranks[0..<n1].reduce(0, +) - Double(n1 * (n1 + 1)) / 2
    let product = Double(n1 * n2)
    if ties.isEmpty && n1 <= exactRankTestLimit && n2 <= exactRankTestLimit {
        let counts = mannWhitneyCounts(n1, n2)
        let outcomes = counts.reduce(0, +), u = Int(u1.rounded())
        let lower = counts[0...u].reduce(0, +) / outcomes, upper = counts[u...].reduce(0, +) / outcomes
        return HypothesisTest(kind: .mannWhitney, method: "exact", statistic: u1, df: nil,
                              p: min(1, 2 * min(lower, upper)), n1: n1, n2: n2, note: nil)
    }
    let n = Double(n1 + n2)
    let tieTerm = ties.map { Double($0 * $0 * $0 - $0) }.reduce(0, +)
    let variance = product / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
    guard variance > 0 else { return .undefined(.mannWhitney, n1, n2, "every value is tied: zero variance") }
    // U = max(U1, U2) ≥ n1·n2/2, corrected towards the mean: z < 0 (p = 1) when U is within ½ of it.
    let u = max(u1, product - u1)
    let z = (u - product / 2 - 0.5) / variance.squareRoot()
    return HypothesisTest(kind: .mannWhitney, method: "normal approximation", statistic: u1, df: nil,
                          p: min(1, 2 * Distributions.normalSurvival(z)), n1: n1, n2: n2, note: nil)
}

/// counts[u] = the number of orderings of n1 x's and n2 y's with U = u, by the recurrence
/// c(a, b; u) = c(a − 1, b; u − b) + c(a, b − 1; u) (only additions: exact to double precision).
func mannWhitneyCounts(_ n1: Int, _ n2: Int) -> [Double] {
    // previous[a] holds c(a, b − 1; ·) while current[a] is built for b.
    var previous = (0...n1).map { _ in [1.0] }  // b = 0: U = 0 in exactly one way
    if n2 == 0 { return previous[n1] }
    for b in 1...n2 {
        var current: [[Double]] = [[1.0]]  // a = 0
        for a in 1...max(n1, 1) where n1 >= 1 {
            var c = [Double](repeating: 0, count: a * b + 1)
            for (u, v) in previous[a].enumerated() { c[u] += v }             // last element is a y
            for (u, v) in current[a - 1].enumerated() { c[u + b] += v }      // last element is an x
            current.append(c)
        }
        previous = current
    }
    return previous[n1]
}
