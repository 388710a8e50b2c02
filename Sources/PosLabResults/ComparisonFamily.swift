import PosLabStudy

/// Which comparisons share one Holm adjustment: the question a family of tests answers.
public enum ComparisonFamily: String, Sendable, CaseIterable {
    /// One task (and grid setting) at one length, one metric: "which encodings differ here?" (the default).
    case block
    /// One task (and setting), every selected length.
    case task
    /// Every task at one length.
    case length
    /// Every comparison in the file.
    case all

    /// The family a comparison of `scope` at `length` of `metric` belongs to, as the `family` column names it.
    public func key(metric: Metric, scope: String, length: Int) -> String {
        switch self {
        case .block: "\(metric.rawValue) / \(scope) / length \(length)"
        case .task: "\(metric.rawValue) / \(scope) / every length"
        case .length: "\(metric.rawValue) / every task / length \(length)"
        case .all: "\(metric.rawValue) / every comparison"
        }
    }
}
