import Foundation

/// The compact table `poslab run` and `poslab summarize` print: per task × encoding, the mean
/// token accuracy over seeds (± the half-width of its 95% t interval) at the training length and
/// at the longest evaluation length.
public struct SummaryTable {
    public let trainingLength: Int, longestLength: Int
    let summary: Summary

    public init(summary: Summary, trainingLength: Int, longestLength: Int) {
        self.summary = summary
        self.trainingLength = trainingLength
        self.longestLength = longestLength
    }

    /// The table as aligned text.
    public func render(metric: Metric = .tokenAccuracy) -> String {
        func cell(_ row: Summary.Row?) -> String {
            guard let row, let s = row.stats else { return "—" }
            let half = row.interval.map { String(format: " ±%.3f", ($0.high - $0.low) / 2) } ?? ""
            return String(format: "%.3f", s.mean) + half
        }
        let rows = summary.rows.filter { $0.metric == metric }
        var keys: [(String, String)] = []
        var seen = Set<String>()
        for r in rows where seen.insert(r.scope + "\u{1}" + r.encoding).inserted { keys.append((r.scope, r.encoding)) }
        func find(_ task: String, _ enc: String, _ length: Int) -> Summary.Row? {
            rows.first { $0.scope == task && $0.encoding == enc && $0.evalLength == length }
        }
        let header = ["task", "encoding", "seeds", "@\(trainingLength) (train)", "@\(longestLength) (longest)", "notes"]
        let body = keys.map { task, enc -> [String] in
            let train = find(task, enc, trainingLength), longest = find(task, enc, longestLength)
            let seeds = (train ?? longest).map { $0.n + $0.excluded } ?? 0
            var notes: [String] = []
            if let d = train?.diverged ?? longest?.diverged, d > 0 { notes.append("\(d) diverged") }
            if let u = longest?.unsupported, u > 0 { notes.append("unsupported at \(longestLength)") }
            return [task, enc, String(seeds), cell(train), cell(longest), notes.joined(separator: "; ")]
        }
        let widths = header.indices.map { i in ([header] + body).map { $0[i].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return (2...4).contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = ["\(metric.rawValue): mean over seeds ± half-width of the 95% t interval", line(header),
                   widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        for (i, cells) in body.enumerated() {
            if i > 0 && keys[i].0 != keys[i - 1].0 { out.append("") }
            out.append(line(cells))
        }
        return out.joined(separator: "\n")
    }
}

/// `summary.csv` and `rankings.csv` for a results folder, written atomically.
public struct Analysis {
    public let records: [RunRecord]
    public let summary: Summary
    public let rankings: Rankings
    public let trainingLength: Int, longestLength: Int

    /// Reads runs.csv in `directory` and computes the summary and the rankings.
    public init(directory: URL) throws {
        records = try RunRecord.load(directory: directory)
        guard !records.isEmpty else { throw ComparisonError("\(directory.path)/runs.csv has no rows yet") }
        summary = Summary(records: records)
        trainingLength = LengthChoice.train.lengths(in: records)[0]
        longestLength = LengthChoice.longest.lengths(in: records)[0]
        rankings = Rankings(summary: summary, metric: .tokenAccuracy, lengths: [trainingLength, longestLength].uniqued())
    }

    /// Writes summary.csv and rankings.csv into `directory`.
    public func write(to directory: URL) throws {
        try summary.table.write(to: directory.appendingPathComponent("summary.csv"))
        try rankings.table.write(to: directory.appendingPathComponent("rankings.csv"))
    }

    /// The summary table, then the across-task ranking, as text.
    public func render() -> String {
        var out = [SummaryTable(summary: summary, trainingLength: trainingLength, longestLength: longestLength).render(), ""]
        out.append("Across tasks (token_accuracy rank per task; 1 = best): mean rank, mean reciprocal rank")
        for length in [trainingLength, longestLength].uniqued() {
            let lines = rankings.overall.filter { $0.length == length }
            let text = lines.map { String(format: "%@ %.2f / %.2f", $0.encoding as NSString, $0.meanRank, $0.mrr) }
            out.append("  @\(length): " + text.joined(separator: ",  "))
        }
        return out.joined(separator: "\n")
    }
}
