import PosLabStatistics
import PosLabStudy

/// `rankings.csv`: per task, encodings ranked by mean (1 = best; ties share the mean rank), and
/// across tasks each encoding's mean rank and mean reciprocal rank (the aggregate McGill's
/// length-generalization study reports). Lower is better for loss, higher for accuracies.
///
/// Control tasks (order-insensitive: every encoding, `none` included, can solve them) are ranked
/// on their own rows but left out of the across-task aggregate unless `includeControls`: averaged
/// in, they reward the encoding that is best at ignoring order.
public struct Rankings {
    public static let columns = ["metric", "eval_length", "scope", "encoding", "mean", "rank", "mean_rank", "mean_reciprocal_rank",
                                 "control_task"]

    public let table: CSVTable
    /// Across-task lines, best first: (length, encoding, mean rank, mean reciprocal rank).
    public let overall: [(length: Int, encoding: String, meanRank: Double, mrr: Double)]
    /// The control scopes left out of the across-task aggregate (empty when included).
    public let excludedControls: [String]

    public init(summary: Summary, metric: Metric, lengths: [Int], includeControls: Bool = false) {
        var rows: [[String]] = []
        var overall: [(Int, String, Double, Double)] = []
        let controls = Set(summary.controlScopes)
        excludedControls = includeControls ? [] : summary.controlScopes
        for length in lengths {
            let means = summary.means(metric: metric, length: length)
            var perTask: [[String: Double]] = []
            for task in means.keys.sorted() {
                let scores = means[task]!.mapValues { metric.higherIsBetter ? $0 : -$0 }
                let ranks = rankByScore(scores)
                if includeControls || !controls.contains(task) { perTask.append(ranks) }
                for enc in ranks.keys.sorted(by: { ranks[$0]! < ranks[$1]! || (ranks[$0]! == ranks[$1]! && $0 < $1) }) {
                    rows.append([metric.rawValue, String(length), task, enc, "\(means[task]![enc]!)", "\(ranks[enc]!)", "", "",
                                 controls.contains(task) ? "true" : "false"])
                }
            }
            let aggregate = aggregateRanks(perTask)
            for enc in aggregate.keys.sorted(by: { aggregate[$0]!.meanRank < aggregate[$1]!.meanRank || (aggregate[$0]!.meanRank == aggregate[$1]!.meanRank && $0 < $1) }) {
                let a = aggregate[enc]!
                let scope = includeControls || controls.isEmpty ? "all tasks" : "all tasks but controls"
                rows.append([metric.rawValue, String(length), scope, enc, "", "", "\(a.meanRank)", "\(a.meanReciprocalRank)", ""])
                overall.append((length, enc, a.meanRank, a.meanReciprocalRank))
            }
        }
        table = CSVTable(header: Self.columns, rows: rows)
        self.overall = overall
    }
}
