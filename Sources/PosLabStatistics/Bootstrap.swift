internal import CGSL
import PosLabSupport

/// The seeded percentile bootstrap interval of a sample's mean.
///
/// Draws `resamples` samples of size n with replacement from `values` (GSL's mt19937 seeded
/// with `seed`), takes each one's mean, and returns the (1 − level)/2 and (1 + level)/2 quantiles
/// of those means (linear interpolation). nil for an empty sample; zero width for n = 1.
public func bootstrapMeanInterval(_ values: [Double], level: Double = 0.95, resamples: Int = 10_000,
                                  seed: UInt64 = 1) -> (low: Double, high: Double)? {
    guard !values.isEmpty, resamples > 0 else { return nil }
    let rng = RandomGenerator(seed: seed, stream: "bootstrap")
    let n = values.count
    var means = [Double](repeating: 0, count: resamples)
    for r in 0..<resamples {
        var total = 0.0
        for _ in 0..<n { total += values[rng.int(below: n)] }
        means[r] = total / Double(n)
    }
    guard let low = quantile(means, (1 - level) / 2), let high = quantile(means, (1 + level) / 2) else { return nil }
    return (low, high)
}

/// The `p` quantile of `values` by linear interpolation between order statistics (type 7), with
/// GSL's `gsl_stats_quantile_from_sorted_data` as `Descriptive` uses.
public func quantile(_ values: [Double], _ p: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    var sorted = values
    sorted.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
    return sorted.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, p) }
}
