import Foundation
import PosLabStatistics

/// `summary.csv`: per encoding × task × evaluation length × metric, the distribution over seeds.
///
/// Runs without numbers at a length (diverged, or unsupported there) are excluded from the
/// statistics and counted in `n_excluded`. The confidence interval is Student's t interval of the
/// mean (GSL's t quantile); `max` is kept to compare with tables that report the best seed.
public struct Summary {
    public static let columns = ["task", "setting", "encoding", "eval_length", "metric", "n", "n_excluded", "mean", "sd",
                                 "ci_low", "ci_high", "median", "min", "max"]

    public struct Row: Sendable {
        public var task: String, setting: String, encoding: String, evalLength: Int, metric: Metric
        /// The task and, when settings vary, the setting (see `RunRecord.scope`).
        public var scope: String { setting.isEmpty ? task : "\(task) [\(setting)]" }
        public var n: Int, excluded: Int
        /// Of the excluded: runs unsupported at this length, and runs that diverged.
        public var unsupported: Int, diverged: Int
        public var stats: Descriptive?
        public var interval: (low: Double, high: Double)?
    }

    public let rows: [Row]

    public init(records: [RunRecord], metrics: [Metric] = Metric.allCases) {
        var order: [String] = []
        var groups: [String: [RunRecord]] = [:]
        for r in records {
            let key = "\(r.task)\u{1}\(r.setting)\u{1}\(r.encoding)\u{1}\(r.evalLength)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        var rows: [Row] = []
        for key in order {
            let group = groups[key]!, first = group[0]
            for metric in metrics {
                let values = group.compactMap { $0.value(metric) }
                let stats = Descriptive(values)
                rows.append(Row(task: first.task, setting: first.setting, encoding: first.encoding, evalLength: first.evalLength, metric: metric,
                                n: values.count, excluded: group.count - values.count,
                                unsupported: group.filter { $0.status == .unsupported }.count,
                                diverged: group.filter { $0.status == .diverged }.count,
                                stats: stats, interval: stats?.meanInterval()))
            }
        }
        self.rows = rows
    }

    /// The table as CSV rows (missing values empty).
    public var table: CSVTable {
        let f = CSVTable.field
        return CSVTable(header: Self.columns, rows: rows.map { r in
            [r.task, r.setting, r.encoding, String(r.evalLength), r.metric.rawValue, String(r.n), String(r.excluded),
             f(r.stats?.mean), f(r.stats?.sd), f(r.interval?.low), f(r.interval?.high), f(r.stats?.median),
             f(r.stats?.min), f(r.stats?.max)]
        })
    }

    /// Mean of `metric` per scope (task and setting) and encoding at one length.
    public func means(metric: Metric, length: Int) -> [String: [String: Double]] {
        var out: [String: [String: Double]] = [:]
        for r in rows where r.metric == metric && r.evalLength == length {
            if let m = r.stats?.mean { out[r.scope, default: [:]][r.encoding] = m }
        }
        return out
    }
}
