import Foundation

/// The table `poslab run` ends with: per task × encoding, the mean token accuracy over seeds at
/// the (longest) training length and at the longest evaluation length.
public struct SummaryTable {
    public struct Line: Equatable {
        public var task: String, encoding: String
        public var seeds: Int
        /// Mean token accuracy at the training length / longest evaluation length (nil: no numbers).
        public var atTraining: Double?, atLongest: Double?
        /// Runs that diverged, and runs with no numbers at the longest length because unsupported.
        public var diverged: Int, unsupportedAtLongest: Int
    }

    public let trainingLength: Int, longestLength: Int
    public let lines: [Line]

    /// Builds the table from runs.csv rows (columns `ResultsStore.runColumns`) in suite order.
    public init(rows: [[String]], suite: Suite) {
        let c = Dictionary(uniqueKeysWithValues: ResultsStore.runColumns.enumerated().map { ($1, $0) })
        trainingLength = suite.training.maxLength
        longestLength = suite.evaluation.lengths.last!
        var groups: [String: [[String]]] = [:]
        var keys: [(String, String)] = []
        for row in rows {
            let task = row[c["task"]!] + (row[c["task_args"]!].isEmpty ? "" : "(\(row[c["task_args"]!]))")
            let enc = row[c["encoding"]!] + (row[c["encoding_args"]!].isEmpty ? "" : "(\(row[c["encoding_args"]!]))")
            let key = task + "\u{1}" + enc
            if groups[key] == nil { keys.append((task, enc)) }
            groups[key, default: []].append(row)
        }
        let trainingLength = self.trainingLength, longestLength = self.longestLength
        lines = keys.map { task, enc in
            let rows = groups[task + "\u{1}" + enc]!
            func mean(at length: Int) -> (Double?, Int) {
                let here = rows.filter { Int($0[c["eval_length"]!]) == length }
                let values = here.compactMap { Double($0[c["token_accuracy"]!]) }
                let unsupported = here.filter { $0[c["status"]!] == RunStatus.unsupported.rawValue }.count
                return (values.isEmpty ? nil : values.reduce(0, +) / Double(values.count), unsupported)
            }
            let seeds = Set(rows.map { $0[c["seed"]!] }).count
            let diverged = Set(rows.filter { $0[c["status"]!] == RunStatus.diverged.rawValue }.map { $0[c["seed"]!] }).count
            let (train, _) = mean(at: trainingLength)
            let (longest, unsupported) = mean(at: longestLength)
            return Line(task: task, encoding: enc, seeds: seeds, atTraining: train, atLongest: longest,
                        diverged: diverged, unsupportedAtLongest: unsupported)
        }
    }

    /// The table as aligned text.
    public func render() -> String {
        let header = ["task", "encoding", "seeds", "acc@\(trainingLength) (train)", "acc@\(longestLength) (longest)", "notes"]
        func fmt(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
        let body = lines.map { l -> [String] in
            var notes: [String] = []
            if l.diverged > 0 { notes.append("\(l.diverged) diverged") }
            if l.unsupportedAtLongest > 0 { notes.append("unsupported beyond its table") }
            return [l.task, l.encoding, String(l.seeds), fmt(l.atTraining), fmt(l.atLongest), notes.joined(separator: "; ")]
        }
        let widths = header.indices.map { i in ([header] + body).map { $0[i].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i >= 2 && i <= 4 ? String(repeating: " ", count: widths[i] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        var lastTask = ""
        for (l, cells) in zip(lines, body) {
            if !lastTask.isEmpty && l.task != lastTask { out.append("") }
            lastTask = l.task
            out.append(line(cells))
        }
        return out.joined(separator: "\n")
    }
}
