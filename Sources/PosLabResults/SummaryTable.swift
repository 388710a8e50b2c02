import Foundation
import PosLabStudy

/// The compact table `poslab run` and `poslab summarize` print: per task × encoding, the mean of
/// a metric over seeds with its 95% interval (t, clipped to the metric's range) at chosen
/// lengths, each task's chance level and order-blind ceiling, and which rows are controls. Its
/// notes say which runs diverged, failed (with the signal or the reason) or are unsupported at a length.
public struct SummaryTable {
    public let trainingLength: Int, lengths: [Int]
    let summary: Summary

    public init(summary: Summary, trainingLength: Int, lengths: [Int]) {
        self.summary = summary
        self.trainingLength = trainingLength
        self.lengths = lengths
    }

    /// The table as aligned text.
    public func render(metric: Metric = .tokenAccuracy) -> String {
        let rows = summary.rows.filter { $0.metric == metric }
        let longest = rows.map(\.evalLength).max()
        func cell(_ row: Summary.Row?) -> String {
            guard let row, let s = row.stats else { return "—" }
            let ci = row.interval.map { String(format: " [%.3f, %.3f]", $0.low, $0.high) } ?? ""
            let n = row.n < row.total ? " (\(row.n)/\(row.total))" : ""
            return String(format: "%.3f", s.mean) + ci + n
        }
        var keys: [(String, String)] = []
        var seen = Set<String>()
        for r in rows where seen.insert(r.scope + "\u{1}" + r.encoding).inserted { keys.append((r.scope, r.encoding)) }
        func find(_ task: String, _ enc: String, _ length: Int) -> Summary.Row? {
            rows.first { $0.scope == task && $0.encoding == enc && $0.evalLength == length }
        }
        let titles = lengths.map { l in "@\(l)" + (l == trainingLength ? " (train)" : l == longest ? " (longest)" : "") }
        let header = ["task", "encoding", "runs"] + titles + ["notes"]
        var body: [[String]] = [], groupStarts: [Int] = []
        let scopes = keys.map(\.0).uniqued()
        for scope in scopes {
            groupStarts.append(body.count)
            let encodings = keys.filter { $0.0 == scope }.map(\.1)
            let any = rows.first { $0.scope == scope }
            if metric == .tokenAccuracy {
                let chance = lengths.map { l in rows.first { $0.scope == scope && $0.evalLength == l }?.chance.map { String(format: "%.3f", $0) } ?? "" }
                let control = any?.controlTask == true ? "control task: needs no order" : ""
                if chance.contains(where: { !$0.isEmpty }) || !control.isEmpty {  // none known (e.g. a text task): no row
                    body.append([scope, "(chance)", ""] + chance + [control])
                }
                let blind = lengths.map { l in rows.first { $0.scope == scope && $0.evalLength == l }?.orderBlind.map { String(format: "%.3f", $0) } ?? "" }
                if blind.contains(where: { !$0.isEmpty }) { body.append([scope, "(order-blind)", ""] + blind + [""]) }
            }
            for enc in encodings {
                let cells = lengths.map { find(scope, enc, $0) }
                let present = cells.compactMap { $0 }
                let total = present.map(\.total).max() ?? 0
                var notes: [String] = []
                if let d = present.map(\.diverged).max(), d > 0 {
                    notes.append("\(d) diverged" + (summary.diverged == .worst && metric.worst != nil ? " (counted as \(metric.worst!))" : ""))
                }
                // Runs that crashed or stopped on an error have no numbers: say so, with why (e.g. SIGSEGV).
                if let f = present.map(\.failed).max(), f > 0 {
                    let reasons = present.flatMap(\.failureReasons).uniqued()
                    notes.append("\(f) failed" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"))
                }
                let unsupported = zip(lengths, cells).filter { $0.1 != nil && $0.1!.unsupported == $0.1!.total }.map(\.0)
                if !unsupported.isEmpty { notes.append("unsupported at \(unsupported.map(String.init).joined(separator: ", "))") }
                if present.first?.controlEncoding == true { notes.append("order-blind control") }
                // Seeds that solve the cell beside seeds that do not: the mean alone would hide it.
                let split = zip(lengths, cells).compactMap { l, c in c.flatMap { $0.bimodal ? "\(l): \(Int(($0.solved! * Double($0.n)).rounded()))/\($0.n)" : nil } }
                if !split.isEmpty { notes.append("bimodal (seeds ≥ \(CSVTable.field(summary.solvedAt)) at " + split.joined(separator: ", ") + ")") }
                body.append([scope, enc, String(total)] + cells.map(cell) + [notes.joined(separator: "; ")])
            }
        }
        let widths = header.indices.map { i in ([header] + body).map { $0[i].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return (2..<(header.count - 1)).contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let range = metric.isBounded ? "[0, 1]" : "[0, ∞)"
        var out = ["\(metric.rawValue) (\(metric.direction)): mean over seeds [95% t interval, clipped to \(range)]"
                   + (metric == .tokenAccuracy ? "; (chance) = the best input-blind guess; (order-blind) = the best guess from a token and the bag of tokens, no positions" : ""),
                   line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        for (i, cells) in body.enumerated() {
            if i > 0 && groupStarts.contains(i) { out.append("") }
            out.append(line(cells))
        }
        return out.joined(separator: "\n")
    }
}

/// `summary.csv` and `rankings.csv` for a results folder, written atomically.
public struct Analysis {
    public let records: [RunRow]
    public let summary: Summary
    public let rankings: Rankings
    public let metric: Metric
    public let trainingLength: Int, longestLength: Int
    /// Every evaluated length, ascending.
    public let allLengths: [Int]

    /// Reads runs.csv in `directory` and computes the summary and the rankings (of `metric`, at
    /// the training and the longest length; control tasks left out of the aggregate unless asked).
    public init(directory: URL, metric: Metric = .tokenAccuracy, diverged: DivergedPolicy = .drop, includeControls: Bool = false,
                solvedAt: Double = 0.9, allGridPoints: Bool = false) throws {
        try self.init(records: RunRow.load(directory: directory, allGridPoints: allGridPoints), directory: directory, metric: metric,
                      diverged: diverged, includeControls: includeControls, solvedAt: solvedAt)
    }

    /// Computes the summary and the rankings from `records`, the rows of `directory`'s runs.csv
    /// (`RunRow.load`), as `init(directory:)` does from the file.
    public init(records: [RunRow], directory: URL, metric: Metric = .tokenAccuracy, diverged: DivergedPolicy = .drop,
                includeControls: Bool = false, solvedAt: Double = 0.9) throws {
        self.records = records
        guard !records.isEmpty else { throw ResultsError("\(directory.path)/runs.csv has no rows yet") }
        self.metric = metric
        summary = Summary(records: records, diverged: diverged, solvedAt: solvedAt)
        trainingLength = LengthChoice.train.lengths(in: records)[0]
        longestLength = LengthChoice.longest.lengths(in: records)[0]
        allLengths = LengthChoice.all.lengths(in: records)
        rankings = Rankings(summary: summary, metric: metric, lengths: [trainingLength, longestLength].uniqued(),
                            includeControls: includeControls)
    }

    /// The lengths the table shows by default: all of them when there are at most 4, else the
    /// training length, twice it (or the middle length) and the longest.
    public var defaultLengths: [Int] {
        if allLengths.count <= 4 { return allLengths }
        let middle = allLengths.contains(2 * trainingLength) ? 2 * trainingLength : allLengths[allLengths.count / 2]
        return [trainingLength, middle, longestLength].filter(allLengths.contains).uniqued().sorted()
    }

    /// Whether every run used bidirectional attention (where `none` cannot see order).
    public var bidirectional: Bool { records.allSatisfy { $0.attention == "bidirectional" } }

    /// Writes summary.csv and rankings.csv into `directory`.
    public func write(to directory: URL) throws {
        try summary.table.write(to: directory.appendingPathComponent("summary.csv"))
        try rankings.table.write(to: directory.appendingPathComponent("rankings.csv"))
    }

    /// The summary table at `lengths` (default: `defaultLengths`), then the across-task ranking, as text.
    public func render(lengths: [Int]? = nil) -> String {
        let shown = lengths ?? defaultLengths
        var out = [SummaryTable(summary: summary, trainingLength: trainingLength, lengths: shown).render(metric: metric)]
        let hidden = allLengths.filter { !shown.contains($0) }
        if !hidden.isEmpty {
            out.append("(also evaluated at \(hidden.map(String.init).joined(separator: ", ")): in summary.csv; --lengths all prints them)")
        }
        if records.contains(where: { $0.encoding == "none" && $0.attention == "causal" }) {
            out.append("Causal attention: `none` is not an order-blind control here (a token sees only the ones before it, which tells it its position).")
        }
        out.append("")
        var title = "Across tasks (\(metric.rawValue) rank per task; 1 = best): mean rank, mean reciprocal rank"
        if !rankings.excludedControls.isEmpty {
            title += "; control tasks left out: \(rankings.excludedControls.joined(separator: ", "))"
        }
        out.append(title)
        for length in [trainingLength, longestLength].uniqued() {
            let lines = rankings.overall.filter { $0.length == length }
            let text = lines.map { String(format: "%@ %.2f / %.2f", $0.encoding as NSString, $0.meanRank, $0.mrr) }
            out.append("  @\(length): " + (text.isEmpty ? "no task to rank" : text.joined(separator: ",  ")))
        }
        return out.joined(separator: "\n")
    }
}
