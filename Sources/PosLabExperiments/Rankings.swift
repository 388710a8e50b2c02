import PosLabStatistics

/// `rankings.csv`: per task, encodings ranked by mean (1 = best; ties share the mean rank), and
/// across tasks each encoding's mean rank and mean reciprocal rank (the aggregate McGill's
/// length-generalization study reports). For loss, lower is better.
public struct Rankings {
    public static let columns = ["metric", "eval_length", "scope", "encoding", "mean", "rank", "mean_rank", "mean_reciprocal_rank"]

    public let table: CSVTable
    /// Across-task lines, best first: (length, encoding, mean rank, mean reciprocal rank).
    public let overall: [(length: Int, encoding: String, meanRank: Double, mrr: Double)]

    public init(summary: Summary, metric: Metric, lengths: [Int]) {
        var rows: [[String]] = []
        var overall: [(Int, String, Double, Double)] = []
        for length in lengths {
            let means = summary.means(metric: metric, length: length)
            var perTask: [[String: Double]] = []
            for task in means.keys.sorted() {
                let scores = means[task]!.mapValues { metric == .loss ? -$0 : $0 }
                let ranks = rankByScore(scores)
                perTask.append(ranks)
                for enc in ranks.keys.sorted(by: { ranks[$0]! < ranks[$1]! || (ranks[$0]! == ranks[$1]! && $0 < $1) }) {
                    rows.append([metric.rawValue, String(length), task, enc, "\(means[task]![enc]!)", "\(ranks[enc]!)", "", ""])
                }
            }
            let aggregate = aggregateRanks(perTask)
            for enc in aggregate.keys.sorted(by: { aggregate[$0]!.meanRank < aggregate[$1]!.meanRank || (aggregate[$0]!.meanRank == aggregate[$1]!.meanRank && $0 < $1) }) {
                let a = aggregate[enc]!
                rows.append([metric.rawValue, String(length), "all tasks", enc, "", "", "\(a.meanRank)", "\(a.meanReciprocalRank)"])
                overall.append((length, enc, a.meanRank, a.meanReciprocalRank))
            }
        }
        table = CSVTable(header: Self.columns, rows: rows)
        self.overall = overall
    }
}
