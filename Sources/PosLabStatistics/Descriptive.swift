internal import CGSL

/// Summary statistics of one sample (GSL's `gsl_stats_*`).
///
/// Defined for any n ≥ 1; what needs two values (sd, se, the t interval) is nil when n = 1.
/// Quartiles interpolate linearly between order statistics (GSL's quantile rule, numpy's
/// default and R's type 7). An empty sample has no summary (`init` returns nil).
public struct Descriptive: Sendable, Equatable {
    public var n: Int
    public var mean: Double
    /// Sample standard deviation (n − 1 in the denominator); nil for n = 1.
    public var sd: Double?
    /// Standard error of the mean, sd/√n; nil for n = 1.
    public var standardError: Double?
    public var median: Double, min: Double, max: Double
    /// First and third quartiles.
    public var q1: Double, q3: Double

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        var sorted = values
        sorted.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
        n = values.count
        mean = sorted.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
        if n > 1 {
            let s = sorted.withUnsafeBufferPointer { gsl_stats_sd($0.baseAddress, 1, $0.count) }
            sd = s
            standardError = s / Double(n).squareRoot()
        }
        (median, q1, q3) = sorted.withUnsafeBufferPointer { p in
            (gsl_stats_median_from_sorted_data(p.baseAddress, 1, p.count),
             gsl_stats_quantile_from_sorted_data(p.baseAddress, 1, p.count, 0.25),
             gsl_stats_quantile_from_sorted_data(p.baseAddress, 1, p.count, 0.75))
        }
        min = sorted.first!
        max = sorted.last!
    }

    /// The t confidence interval of the mean at `level` (e.g. 0.95): mean ± t_{(1+level)/2, n−1}·se.
    /// nil for n = 1; zero width when every value is equal.
    public func meanInterval(level: Double = 0.95) -> (low: Double, high: Double)? {
        guard let se = standardError else { return nil }
        let half = Distributions.tQuantile((1 + level) / 2, df: Double(n - 1)) * se
        return (mean - half, mean + half)
    }
}
