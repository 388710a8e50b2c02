import Foundation
import PosLabStatistics
import PosLabStudy

/// `summary.csv`: per encoding × task × evaluation length × metric, the distribution over seeds.
///
/// Runs without numbers at a length (diverged, unsupported there, or failed) are excluded from the
/// statistics and counted in `n_excluded` (`n` of `n_total` runs have numbers); with
/// `DivergedPolicy.worst` a diverged run counts as the metric's worst value instead. The interval
/// is Student's t interval of the mean (GSL's t quantile) clipped to the metric's range ([0, 1]
/// for accuracies, [0, ∞) for loss): the true mean lies in the range, so clipping never lowers
/// the coverage. `max` is kept to compare with tables that report the best seed. Each row says
/// whether its task is an order-insensitive control, whether its encoding is the order-blind
/// control (`none` under bidirectional attention), the task's chance level (the best input-blind
/// guess) and its order-blind ceiling (the best predictor from a token and the bag of tokens).
///
/// Robustness over seeds: beside the mean, `median` and `max` (published max-over-seeds numbers
/// are compared with `max`), and for accuracies `solved`, the fraction of the runs with numbers that
/// reach `solved_at` (0.9 by default): a cell where some seeds solve the task and others do not is
/// bimodal, and a mean in the middle would hide it (Zhou et al. 2024; DeepMind report the maximum).
public struct Summary {
    public static let columns = ["task", "setting", "encoding", "eval_length", "metric", "n", "n_excluded", "mean", "sd",
                                 "ci_low", "ci_high", "median", "min", "max", "n_total", "ci_method", "control_task",
                                 "control_encoding", "chance", "order_blind", "solved", "solved_at"]

    public struct Row: Sendable {
        public var task: String, setting: String, encoding: String, evalLength: Int, metric: Metric
        /// The task and, when settings vary, the setting (see `RunRow.scope`).
        public var scope: String { setting.isEmpty ? task : "\(task) [\(setting)]" }
        public var n: Int, excluded: Int
        /// Of the excluded: runs unsupported at this length, and runs that diverged.
        public var unsupported: Int, diverged: Int
        public var stats: Descriptive?
        public var interval: (low: Double, high: Double)?
        /// Whether the task needs no order (a control), and whether the encoding is blind to order here.
        public var controlTask: Bool, controlEncoding: Bool
        /// The input-blind chance level of a token-accuracy row (nil for other metrics and unknown tasks).
        public var chance: Double?
        /// The order-blind ceiling of a token-accuracy row: the best accuracy from a token and the
        /// bag of the sequence's tokens, without positions (nil for other metrics and unknown tasks).
        public var orderBlind: Double? = nil
        /// For an accuracy: the fraction of the runs with numbers whose value reaches `solvedAt` (nil otherwise).
        public var solved: Double? = nil
        /// Of the excluded: runs that failed (crashed, or stopped by an error), and why in short,
        /// each reason once (`FailureReason.short`: the signal, e.g. SIGSEGV, when a worker died by one).
        public var failed: Int = 0, failureReasons: [String] = []
        /// Whether some runs of the cell solve it and others do not (0 < solved < 1).
        public var bimodal: Bool { solved.map { $0 > 0 && $0 < 1 } ?? false }
        /// Every run of this cell, with numbers or not.
        public var total: Int { n + excluded }
    }

    public let rows: [Row]
    public let diverged: DivergedPolicy
    /// The accuracy at which a run counts as solving its cell (`solved`).
    public let solvedAt: Double

    /// The interval method, as the `ci_method` column names it.
    public static func intervalMethod(_ metric: Metric) -> String {
        metric.isBounded ? "t clipped to [0, 1]" : "t clipped to [\(Int(metric.range.lowerBound)), inf)"
    }

    public init(records: [RunRow], metrics: [Metric] = Metric.allCases, diverged: DivergedPolicy = .drop,
                facts: TaskFacts = TaskFacts(), solvedAt: Double = 0.9) {
        self.diverged = diverged
        self.solvedAt = solvedAt
        var order: [String] = []
        var groups: [String: [RunRow]] = [:]
        for r in records {
            let key = "\(r.task)\u{1}\(r.setting)\u{1}\(r.encoding)\u{1}\(r.evalLength)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        // Perplexity and bits per byte only where a corpus task gave them (not empty rows for every symbol task).
        // Likewise generated token accuracy only where a task was scored by generation.
        let metrics = metrics.filter { m in !m.onlyWhereGiven || records.contains { $0.value(m) != nil } }
        var rows: [Row] = []
        for key in order {
            let group = groups[key]!, first = group[0]
            let controlTask = facts.isControl(first.task)
            let controlEncoding = first.encoding == "none" && group.allSatisfy { $0.attention == "bidirectional" }
            let failed = group.filter { $0.status == .failed }
            // Generated token accuracy only for the tasks scored by generation.
            for metric in metrics where metric != .generatedTokenAccuracy || group.contains(where: { $0.generatedTokenAccuracy != nil }) {
                let values = group.compactMap { diverged.value($0, metric) }
                let stats = Descriptive(values)
                rows.append(Row(task: first.task, setting: first.setting, encoding: first.encoding, evalLength: first.evalLength, metric: metric,
                                n: values.count, excluded: group.count - values.count,
                                unsupported: group.filter { $0.status == .unsupported }.count,
                                diverged: group.filter { $0.status == .diverged }.count,
                                stats: stats, interval: clipped(stats?.meanInterval(), to: metric.range),
                                controlTask: controlTask, controlEncoding: controlEncoding,
                                chance: metric == .tokenAccuracy ? facts.chanceLevel(first.task, length: first.evalLength) : nil,
                                orderBlind: metric == .tokenAccuracy ? facts.orderBlindCeiling(first.task, length: first.evalLength) : nil,
                                solved: metric.isBounded && metric.higherIsBetter && !values.isEmpty
                                    ? Double(values.filter { $0 >= solvedAt }.count) / Double(values.count) : nil,
                                failed: failed.count, failureReasons: failed.compactMap { $0.message.map(FailureReason.short) }.uniqued()))
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
             f(r.stats?.min), f(r.stats?.max), String(r.total), r.interval == nil ? "" : Self.intervalMethod(r.metric),
             r.controlTask ? "true" : "false", r.controlEncoding ? "true" : "false", f(r.chance), f(r.orderBlind),
             f(r.solved), r.solved == nil ? "" : f(solvedAt)]
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

    /// The scopes whose task is an order-insensitive control, in first-seen order.
    public var controlScopes: [String] { rows.filter(\.controlTask).map(\.scope).uniqued() }
}
