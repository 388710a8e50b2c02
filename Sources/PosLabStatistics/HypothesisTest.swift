/// The outcome of a two-sided test of "no difference", with enough detail to report it.
///
/// `statistic` and `p` are nil when the test is undefined for the data (too few values, zero
/// variance, every difference zero); `note` then says why. PosLab never invents a p-value.
public struct HypothesisTest: Sendable, Equatable {
    /// Which test.
    public enum Kind: String, Sendable {
        case pairedT = "paired t"
        case welchT = "Welch t"
        case wilcoxon = "Wilcoxon signed-rank"
        case mannWhitney = "Mann-Whitney U"
        case sign = "exact sign"
    }

    public var kind: Kind
    /// How p was computed: `t`, `exact`, or `normal approximation`.
    public var method: String
    /// t, W (the smaller of the signed-rank sums) or U (of the first sample); nil if undefined.
    public var statistic: Double?
    /// Degrees of freedom of a t test.
    public var df: Double?
    /// The two-sided p-value; nil if undefined.
    public var p: Double?
    /// Sample sizes (pairs for paired tests: n1 = n2).
    public var n1: Int, n2: Int
    /// Why the test is undefined, or a remark on how it was computed.
    public var note: String?

    static func undefined(_ kind: Kind, _ n1: Int, _ n2: Int, _ why: String) -> HypothesisTest {
        HypothesisTest(kind: kind, method: "-", statistic: nil, df: nil, p: nil, n1: n1, n2: n2, note: why)
    }
}

// MARK: - t tests

/// Student's paired t-test of mean(x − y) = 0 (as `scipy.stats.ttest_rel`).
public func pairedTTest(_ x: [Double], _ y: [Double]) -> HypothesisTest {
    precondition(x.count == y.count, "paired test needs equal lengths")
    let n = x.count
    guard n >= 2 else { return .undefined(.pairedT, n, n, "needs at least 2 pairs") }
    let d = zip(x, y).map { $0 - $1 }
    let s = Descriptive(d)!
    guard let se = s.standardError, se > 0 else {
        return .undefined(.pairedT, n, n, s.mean == 0 ? "all differences are zero" : "all differences are equal (\(s.mean)): zero variance")
    }
    let t = s.mean / se, df = Double(n - 1)
    return HypothesisTest(kind: .pairedT, method: "t", statistic: t, df: df, p: Distributions.tTwoSided(t, df: df),
                          n1: n, n2: n, note: nil)
}

/// The t interval of the mean paired difference mean(x − y) at `level` (as `ttest_rel(x, y).confidence_interval(level)`);
/// nil for fewer than 2 pairs, zero width when every difference is equal.
public func pairedDifferenceInterval(_ x: [Double], _ y: [Double], level: Double = 0.95) -> (low: Double, high: Double)? {
    precondition(x.count == y.count, "paired interval needs equal lengths")
    return Descriptive(zip(x, y).map { $0 - $1 })?.meanInterval(level: level)
}

/// Welch's interval of mean(x) − mean(y) at `level` (as `ttest_ind(x, y, equal_var=False).confidence_interval(level)`):
/// the difference ± t_{(1+level)/2, df}·√(s1²/n1 + s2²/n2) with the Welch–Satterthwaite df. nil with fewer than 2
/// values on a side or when both samples are constant. The standard error comes from the samples, never from t,
/// so a difference of exactly 0 has an interval like any other.
public func welchInterval(_ x: [Double], _ y: [Double], level: Double = 0.95) -> (low: Double, high: Double)? {
    let (n1, n2) = (x.count, y.count)
    guard n1 >= 2, n2 >= 2, let a = Descriptive(x), let b = Descriptive(y) else { return nil }
    let v1 = a.sd! * a.sd! / Double(n1), v2 = b.sd! * b.sd! / Double(n2)
    guard v1 + v2 > 0 else { return nil }
    let df = (v1 + v2) * (v1 + v2) / (v1 * v1 / Double(n1 - 1) + v2 * v2 / Double(n2 - 1))
    let difference = a.mean - b.mean, half = Distributions.tQuantile((1 + level) / 2, df: df) * (v1 + v2).squareRoot()
    return (difference - half, difference + half)
}

/// Welch's unequal-variance t-test of mean(x) = mean(y) (as `ttest_ind(equal_var=False)`).
public func welchTTest(_ x: [Double], _ y: [Double]) -> HypothesisTest {
    let (n1, n2) = (x.count, y.count)
    guard n1 >= 2, n2 >= 2 else { return .undefined(.welchT, n1, n2, "needs at least 2 values on each side") }
    let a = Descriptive(x)!, b = Descriptive(y)!
    let v1 = a.sd! * a.sd! / Double(n1), v2 = b.sd! * b.sd! / Double(n2)
    guard v1 + v2 > 0 else { return .undefined(.welchT, n1, n2, "both samples are constant: zero variance") }
    let t = (a.mean - b.mean) / (v1 + v2).squareRoot()
    let df = (v1 + v2) * (v1 + v2) / (v1 * v1 / Double(n1 - 1) + v2 * v2 / Double(n2 - 1))
    return HypothesisTest(kind: .welchT, method: "t", statistic: t, df: df, p: Distributions.tTwoSided(t, df: df),
                          n1: n1, n2: n2, note: nil)
}
