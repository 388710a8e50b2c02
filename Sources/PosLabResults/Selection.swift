import Foundation
import PosLabStudy

/// Which grid point each (task, encoding) of a tuned suite is reported at, chosen on validation
/// sets only — never on the evaluation lengths.
///
/// A suite's `tune:` block sweeps some settings (say three learning rates) like any list. Every run
/// is then also scored on validation sets (`EvaluationSplit.validation`: drawn from their own
/// streams, at training lengths). For each (task, encoding, and any other swept setting), every
/// grid point of the tuned settings gets a **validation score**: the mean over seeds of each seed's
/// mean over the validation lengths of the tuning metric. The point with the best score is
/// *selected*; `summarize`, `compare`, `report` and `claims` show the selected point's runs only
/// (`--all-grid-points` shows every point).
///
/// - **Diverged seeds** count as the metric's worst value (0 for accuracies, +∞ for losses), so a
///   point that diverges on some seeds is ranked by what it delivers over all of them.
/// - **Ties** (equal scores, exactly) go to the point listed first in the suite; `tie` says so.
/// - **A growing study** (more seeds, a new point) recomputes the selection from every record each
///   time runs.csv is rebuilt: the selection may change, and `poslab run` says when it does.
///
/// Written as `selection.csv`: one row per (task, encoding, setting, candidate point), tidy.
public struct Selection: Sendable, Equatable {
    public static let columns = ["task", "task_args", "encoding", "encoding_args", "setting", "tuned", "metric",
                                 "validation_lengths", "validation_score", "seeds", "diverged_seeds", "rank", "tie", "selected"]

    /// One candidate grid point of one group.
    public struct Candidate: Sendable, Equatable {
        public var task: String, taskArguments: String, encoding: String, encodingArguments: String
        /// The other swept settings (`column=value;…`, runs.csv's columns), shared by the group.
        public var setting: String
        /// The tuned settings' values at this point (`learning_rate=0.001`).
        public var tuned: String
        /// The mean validation metric over seeds (nil: no seed has a number, e.g. unsupported).
        public var score: Double?
        public var seeds: Int, divergedSeeds: Int
        /// 1 for the selected point; equal scores share no rank (the first listed ranks first).
        public var rank: Int
        public var tie: Bool
        public var selected: Bool { rank == 1 }
    }

    public var metric: Metric
    public var lengths: [Int]
    public var candidates: [Candidate]

    /// The runs.csv columns of the tuned settings, in order (e.g. `learning_rate`).
    public var tunedColumns: [String]

    /// The runs.csv column of a tunable suite key.
    static func column(_ key: String) -> String {
        switch key {
        case "training.steps": "training_steps"
        default: String(key.drop { $0 != "." }.dropFirst())
        }
    }

    /// The runs.csv columns and values of a swept suite key at `point`, printed as runs.csv prints
    /// them (`ResultsStore.rows`): a training length range is two columns.
    static func columns(of key: String, at point: GridPoint) -> [(String, String)] {
        let m = point.model, t = point.training
        switch key {
        case "model.d_model": return [("d_model", String(m.dModel))]
        case "model.layers": return [("layers", String(m.layers))]
        case "model.heads": return [("heads", String(m.heads))]
        case "model.attention": return [("attention", m.attention.rawValue)]
        case "training.steps": return [("training_steps", String(t.steps))]
        case "training.batch_size": return [("batch_size", String(t.batchSize))]
        case "training.length": return [("train_length_min", String(t.minLength)), ("train_length_max", String(t.maxLength))]
        case "training.optimizer": return [("optimizer", t.optimizer)]
        case "training.learning_rate": return [("learning_rate", "\(t.learningRate)")]
        case "training.weight_decay": return [("weight_decay", "\(t.weightDecay)")]
        case "training.clip_norm": return [("clip_norm", "\(t.clipNorm)")]
        case "training.log_every": return [("log_every", String(t.logEvery))]
        default: return [(column(key), point.swept[key] ?? "")]
        }
    }

    /// The selection over `records` (run records with their grid points, in suite order).
    public init(tuning: Suite.Tuning, lengths: [Int], records: [(record: RunRecord, point: GridPoint)]) {
        let metric = Metric(rawValue: tuning.metric) ?? .tokenAccuracy
        self.metric = metric
        self.lengths = lengths
        tunedColumns = tuning.keys.map(Self.column)
        func label(_ point: GridPoint, tuned: Bool) -> String {
            point.swept.keys.sorted().filter { tuning.keys.contains($0) == tuned }
                .flatMap { Self.columns(of: $0, at: point) }.map { "\($0)=\($1)" }.joined(separator: ";")
        }
        // Group → candidate points in suite order → per-seed scores.
        struct Key: Hashable { var task: String, taskArguments: String, encoding: String, encodingArguments: String, setting: String }
        var order: [Key] = []
        var points: [Key: [String]] = [:]
        var scores: [Key: [String: [Double]]] = [:]
        var diverged: [Key: [String: Int]] = [:]
        for (record, point) in records where record.status != .failed {
            let key = Key(task: record.taskName, taskArguments: record.taskArguments, encoding: record.encodingName,
                          encodingArguments: record.encodingArguments, setting: label(point, tuned: false))
            let tuned = label(point, tuned: true)
            if points[key] == nil { order.append(key) }
            if !(points[key] ?? []).contains(tuned) { points[key, default: []].append(tuned) }
            let results = (record.validation ?? []).filter { lengths.contains($0.length) }
            if record.status == .diverged || results.contains(where: { $0.status == .diverged }) {
                scores[key, default: [:]][tuned, default: []].append(metric.worst ?? .infinity)
                diverged[key, default: [:]][tuned, default: 0] += 1
                continue
            }
            let values = results.compactMap { $0.status == .ok ? $0.value(metric) : nil }
            if !values.isEmpty { scores[key, default: [:]][tuned, default: []].append(values.reduce(0, +) / Double(values.count)) }
        }
        var out: [Candidate] = []
        for key in order {
            let list = points[key]!.map { tuned -> Candidate in
                let s = scores[key]?[tuned] ?? []
                return Candidate(task: key.task, taskArguments: key.taskArguments, encoding: key.encoding,
                                 encodingArguments: key.encodingArguments, setting: key.setting, tuned: tuned,
                                 score: s.isEmpty ? nil : s.reduce(0, +) / Double(s.count), seeds: s.count,
                                 divergedSeeds: diverged[key]?[tuned] ?? 0, rank: 0, tie: false)
            }
            // Best first; nil scores last; equal scores keep the suite's order (a stable sort).
            func better(_ a: Candidate, _ b: Candidate) -> Bool {
                guard let x = a.score else { return false }
                guard let y = b.score else { return true }
                return metric.higherIsBetter ? x > y : x < y
            }
            let ranked = list.enumerated().sorted { better($0.element, $1.element) || (!better($1.element, $0.element) && $0.offset < $1.offset) }
            let bestScore = ranked.first?.element.score
            let tied = bestScore != nil && ranked.filter { $0.element.score == bestScore }.count > 1
            for (rank, item) in ranked.enumerated() {
                var c = item.element
                c.rank = rank + 1
                c.tie = tied && c.score == bestScore
                out.append(c)
            }
        }
        candidates = out
    }

    /// The groups whose selected point differs from `before`'s (the selection.csv this one replaces),
    /// one line each; none when there was no selection before.
    public func changes(since before: SelectionFilter?) -> [String] {
        guard let before else { return [] }
        return candidates.filter(\.selected).compactMap { c in
            let setting = SelectionFilter.pairs(c.setting)
            guard let old = before.selected["\(c.task)(\(c.taskArguments))|\(c.encoding)(\(c.encodingArguments))"]?
                .first(where: { SelectionFilter.equal($0.setting, setting) }) else { return nil }
            guard !SelectionFilter.equal(old.tuned, SelectionFilter.pairs(c.tuned)) else { return nil }
            let name = "\(c.task)\(c.taskArguments.isEmpty ? "" : "(\(c.taskArguments))") \(c.encoding)"
                + (c.setting.isEmpty ? "" : " [\(c.setting)]")
            return "selection changed for \(name): \(old.tuned.map { "\($0)=\($1)" }.joined(separator: ";")) → \(c.tuned) "
                + "(validation \(metric.rawValue) \(String(format: "%.4f", c.score ?? .nan)) over \(c.seeds) seed\(c.seeds == 1 ? "" : "s"))"
        }
    }

    /// selection.csv.
    public var table: CSVTable {
        CSVTable(header: Self.columns, rows: candidates.map { c in
            [c.task, c.taskArguments, c.encoding, c.encodingArguments, c.setting, c.tuned, metric.rawValue,
             lengths.map(String.init).joined(separator: " "), CSVTable.field(c.score), String(c.seeds), String(c.divergedSeeds),
             String(c.rank), c.tie ? "true" : "false", c.selected ? "true" : "false"]
        })
    }
}

/// The selection as runs.csv's readers apply it (read back from selection.csv).
public struct SelectionFilter: Sendable {
    /// task(args)|encoding(args) → (setting pairs, tuned pairs) of each selected point.
    var selected: [String: [(setting: [(String, String)], tuned: [(String, String)])]] = [:]
    /// The runs.csv columns of the tuned settings.
    public var tunedColumns: [String] = []
    /// The tuning metric and lengths, for the line that says what is shown.
    public var metric = "", lengths = ""

    /// Reads `selection.csv` in `directory` (nil: the study is not tuned).
    public static func load(directory: URL) throws -> SelectionFilter? {
        let url = directory.appendingPathComponent("selection.csv")
        guard let table = try CSVTable.read(url, expectedHeader: Selection.columns,
                                            fix: "`poslab rebuild \(directory.path)` rewrites it from the run records") else { return nil }
        var filter = SelectionFilter()
        let c = Dictionary(uniqueKeysWithValues: Selection.columns.enumerated().map { ($1, $0) })
        for row in table.rows {
            filter.metric = row[c["metric"]!]
            filter.lengths = row[c["validation_lengths"]!]
            for (column, _) in pairs(row[c["tuned"]!]) where !filter.tunedColumns.contains(column) { filter.tunedColumns.append(column) }
            guard row[c["selected"]!] == "true" else { continue }
            let group = "\(row[c["task"]!])(\(row[c["task_args"]!]))|\(row[c["encoding"]!])(\(row[c["encoding_args"]!]))"
            filter.selected[group, default: []].append((pairs(row[c["setting"]!]), pairs(row[c["tuned"]!])))
        }
        return filter
    }

    /// The line commands print about what they show in a tuned study (nil: not tuned).
    public static func note(directory: URL, allGridPoints: Bool) -> String? {
        guard let selection = (try? load(directory: directory)) ?? nil else { return nil }
        let tuned = selection.tunedColumns.joined(separator: ", ")
        return allGridPoints
            ? "Tuned study: every grid point of \(tuned) is shown, each as its own setting (--all-grid-points)."
            : "Tuned study: each task and encoding at its \(tuned) selected on validation (\(selection.metric) at length "
              + "\(selection.lengths.split(separator: " ").joined(separator: ", ")), selection.csv); --all-grid-points shows every point."
    }

    /// Whether a runs.csv row (`value(column)`) is at its group's selected point.
    package func keeps(task: String, taskArguments: String, encoding: String, encodingArguments: String,
               value: (String) -> String?) -> Bool {
        guard let points = selected["\(task)(\(taskArguments))|\(encoding)(\(encodingArguments))"] else { return false }
        return points.contains { point in
            (point.setting + point.tuned).allSatisfy { column, v in value(column).map { Self.same($0, v) } ?? false }
        }
    }

    /// `column=value;…` as pairs.
    static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: ";").map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    /// Whether two lists of pairs name the same values.
    static func equal(_ a: [(String, String)], _ b: [(String, String)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && same($0.1, $1.1) }
    }

    /// Values compared as numbers when both are (0.001 is 1e-3).
    static func same(_ a: String, _ b: String) -> Bool {
        if let x = Double(a), let y = Double(b) { return x == y }
        return a == b
    }
}
