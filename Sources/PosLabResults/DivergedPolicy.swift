import PosLabStudy

/// What a diverged run counts as in statistics.
public enum DivergedPolicy: String, Sendable, CaseIterable {
    /// Left out of every statistic (and counted in n_total − n).
    case drop
    /// Counted as the metric's worst value (0 for an accuracy): a diverged run failed the task.
    case worst

    /// The value of `metric` that `record` contributes under this policy (nil: left out).
    public func value(_ record: RunRow, _ metric: Metric) -> Double? {
        if self == .worst, record.status == .diverged, let worst = metric.worst { return worst }
        return record.value(metric)
    }
}
