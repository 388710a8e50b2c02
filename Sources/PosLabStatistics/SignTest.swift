internal import CGSL

/// The exact two-sided sign test of x − y having median 0 (as `scipy.stats.binomtest(k, n, 0.5)`).
///
/// n is the number of non-zero differences and k (the statistic) the number of positive ones;
/// p = min(1, 2·P(K ≤ min(k, n − k))) under Binomial(n, ½). When every difference has the same
/// sign, p = 2·½ⁿ: 0.25 with 3 pairs, 0.0625 with 5, below 0.05 from 6. Defined even when every
/// difference is equal (where the t test is not); undefined only when every difference is zero.
public func signTest(_ x: [Double], _ y: [Double]) -> HypothesisTest {
    precondition(x.count == y.count, "paired test needs equal lengths")
    let d = zip(x, y).map { $0 - $1 }.filter { $0 != 0 }
    let n = d.count, zeros = x.count - n
    guard n > 0 else { return .undefined(.sign, x.count, x.count, "all differences are zero") }
    let k = d.filter { $0 > 0 }.count
    let tail = gsl_cdf_binomial_P(UInt32(min(k, n - k)), 0.5, UInt32(n))
    let note = zeros > 0 ? "\(zeros) zero difference\(zeros == 1 ? "" : "s") dropped" : nil
    return HypothesisTest(kind: .sign, method: "exact", statistic: Double(k), df: nil, p: min(1, 2 * tail),
                          n1: x.count, n2: x.count, note: note)
}

/// `interval` intersected with `range` (e.g. [0, 1] for an accuracy): the true mean lies in the
/// range, so the clipped interval covers it exactly as often as the interval it came from.
public func clipped(_ interval: (low: Double, high: Double)?, to range: ClosedRange<Double>) -> (low: Double, high: Double)? {
    guard let interval else { return nil }
    return (min(max(interval.low, range.lowerBound), range.upperBound), max(min(interval.high, range.upperBound), range.lowerBound))
}
