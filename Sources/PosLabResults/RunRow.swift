import Foundation
import PosLabStudy

/// One row of runs.csv, typed.
public struct RunRow: Sendable {
    /// `name(args)` of the task and the encoding, as they group results.
    public var task: String, encoding: String
    public var seed: UInt64
    public var trainLengthMax: Int
    public var evalLength: Int
    public var status: RunStatus
    public var tokenAccuracy: Double?, sequenceAccuracy: Double?, evalLoss: Double?
    /// Generated token accuracy (tasks scored by generation only).
    public var generatedTokenAccuracy: Double? = nil
    /// The tokens of each evaluated sequence (the evaluation length, unless a prompt task's layout adds its answer).
    public var sequenceLength: Int? = nil
    /// exp(eval_loss) and the loss in bits per UTF-8 byte of the scored targets (corpus tasks only).
    public var perplexity: Double?, bitsPerByte: Double?
    /// The settings that vary across the file, `column=value;…` (empty when only one configuration
    /// is present): results with different settings are never averaged or paired together.
    public var setting: String
    /// `bidirectional` or `causal`: whether `none` is blind to order (bidirectional) or not.
    public var attention: String
    /// Why a failed run failed (runs.csv's `message`; nil when empty), e.g. a worker's signal.
    public var message: String? = nil

    public init(task: String, encoding: String, seed: UInt64, trainLengthMax: Int, evalLength: Int, status: RunStatus,
                tokenAccuracy: Double?, sequenceAccuracy: Double?, evalLoss: Double?, perplexity: Double? = nil, bitsPerByte: Double? = nil, setting: String = "",
                attention: String = "bidirectional") {
        self.task = task
        self.encoding = encoding
        self.seed = seed
        self.trainLengthMax = trainLengthMax
        self.evalLength = evalLength
        self.status = status
        self.tokenAccuracy = tokenAccuracy
        self.sequenceAccuracy = sequenceAccuracy
        self.evalLoss = evalLoss
        self.perplexity = perplexity
        self.bitsPerByte = bitsPerByte
        self.setting = setting
        self.attention = attention
    }

    /// The task and, when settings vary, the setting: the scope within which encodings are compared.
    public var scope: String { setting.isEmpty ? task : "\(task) [\(setting)]" }

    /// The value of `metric` (nil unless the run has numbers at this length).
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .tokenAccuracy: tokenAccuracy
        case .sequenceAccuracy: sequenceAccuracy
        case .generatedTokenAccuracy: generatedTokenAccuracy
        case .loss: evalLoss
        case .perplexity: perplexity
        case .bitsPerByte: bitsPerByte
        }
    }

    /// Every row of the runs.csv in `directory`, in file order. A missing, empty, ragged or
    /// unparsable file, a value that is not a number or outside its metric's range, a row that
    /// repeats another (the same run, length and protocol: it would be counted twice) and a row
    /// whose status is not ok yet carries numbers (they are not results) are each a `ResultsError`
    /// naming the file, the line and the column.
    ///
    /// An ok row without `eval_loss` (written before PosLab marked it: the evaluation loss was NaN
    /// or infinite there, the model's outputs overflowing at that length) is read as diverged at
    /// that length, without numbers, as PosLab now writes it.
    ///
    /// In a tuned study (one with `selection.csv`), only the rows of each (task, encoding)'s grid
    /// point selected on validation are returned, and the tuned settings are not part of a row's
    /// `setting` (encodings tuned to different learning rates are compared); `allGridPoints`
    /// returns every row, each point its own setting.
    public static func load(directory: URL, allGridPoints: Bool = false) throws -> [RunRow] {
        let url = directory.appendingPathComponent("runs.csv")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ResultsError("\(directory.path): no such results folder (run a suite first, e.g. poslab run Experiments/quick.yaml)")
        }
        guard let table = try CSVTable.read(url, expectedHeader: ResultsStore.runColumns, accepting: [ResultsStore.runColumnsBefore22],
                                            fix: rebuildHint(directory)) else {
            throw ResultsError("\(url.path) does not exist; run the suite first")
        }
        return try load(table: table, directory: directory, allGridPoints: allGridPoints)
    }

    /// The rows of `table`, runs.csv of `directory` as read or as just written
    /// (`ResultsStore.Rebuilt.runsTable`, in `ResultsStore.runColumns`), read as `load(directory:)`
    /// reads the file: the same checks, and errors naming runs.csv's path and line. `directory` is
    /// where a tuned study's selection.csv is read.
    public static func load(table: CSVTable, directory: URL, allGridPoints: Bool = false) throws -> [RunRow] {
        let url = directory.appendingPathComponent("runs.csv")
        let fix = rebuildHint(directory)
        guard !table.rows.isEmpty else { throw ResultsError("\(url.path) has a header but no rows yet; run the suite first") }
        func named(_ name: String, _ args: String) -> String { args.isEmpty ? name : "\(name)(\(args))" }
        let c = Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, $0) })
        func cell(_ row: [String], _ column: RunColumn) -> String { row[c[column.rawValue]!] }
        var rows = Array(table.rows.enumerated())
        var tuned: [String] = []
        if !allGridPoints, let selection = try SelectionFilter.load(directory: directory) {
            tuned = selection.tunedColumns
            rows = rows.filter { _, row in
                selection.keeps(task: cell(row, .task), taskArguments: cell(row, .taskArgs), encoding: cell(row, .encoding),
                                encodingArguments: cell(row, .encodingArgs)) { column in c[column].map { row[$0] } }
            }
            guard !rows.isEmpty else {
                throw ResultsError("\(directory.path)/selection.csv selects no grid point with rows in runs.csv; "
                                   + "`poslab rebuild \(directory.path)` rewrites both, or pass --all-grid-points")
            }
        }
        let varying = ResultsStore.settingColumns.filter { column in
            !tuned.contains(column) && Set(rows.map { $0.element[c[column]!] }).count > 1
        }
        // A cell's seed: what statistics count once (task, encoding, seed, every setting, length, evaluation set and protocol).
        let identity = ([.task, .taskArgs, .encoding, .encodingArgs, .seed] + RunColumn.settings
            + [.evalLength, .evalSize, .evalSeed, .evalProtocol]).map(\.rawValue)
        var seen: [String: Int] = [:]  // a cell's seed → the line that has it
        return try rows.map { i, row in
            let line = i + 2
            func bad(_ column: RunColumn, _ rule: String) -> ResultsError {
                ResultsError("\(url.path):\(line): column \(column.rawValue) (\(c[column.rawValue]! + 1)): \(rule); \(fix)")
            }
            let key = identity.map { row[c[$0]!] }.joined(separator: "\u{1}")
            if let first = seen[key] {
                let p = cell(row, .evalProtocol), how = p.isEmpty || p == "sampled" ? "" : " under \(p)"
                throw ResultsError("\(url.path):\(line): repeats line \(first) (\(named(cell(row, .encoding), cell(row, .encodingArgs))) on "
                                   + "\(named(cell(row, .task), cell(row, .taskArgs))), seed \(cell(row, .seed)), length \(cell(row, .evalLength))\(how), "
                                   + "the same settings): a seed has one row per length, and a repeated row would be counted twice; \(fix)")
            }
            seen[key] = line
            func integer<T: FixedWidthInteger>(_ column: RunColumn, _: T.Type) throws -> T {
                guard let v = T(cell(row, column)) else { throw bad(column, "'\(cell(row, column))' is not a whole number") }
                return v
            }
            guard let status = RunStatus(rawValue: cell(row, .status)) else {
                throw bad(.status, "'\(cell(row, .status))' is not one of ok, unsupported, diverged, failed")
            }
            func metric(_ m: Metric) throws -> Double? {
                let column = m.column, text = cell(row, column)
                if text.isEmpty { return nil }
                guard let v = Double(text), v.isFinite else { throw bad(column, "'\(text)' is not a number") }
                guard m.range.contains(v) else {
                    throw bad(column, "\(text) is outside [\(m.range.lowerBound), \(m.range.upperBound.isFinite ? "\(m.range.upperBound)]" : "∞)")")
                }
                return v
            }
            if status != .ok, let m = Metric.allCases.first(where: { !cell(row, $0.column).isEmpty }) {
                throw bad(m.column, "a \(status.rawValue) row has no numbers, yet this one holds \(cell(row, m.column))")
            }
            // An ok row without a loss: the evaluation loss overflowed at this length, so the run diverged here.
            let overflowed = status == .ok && cell(row, .evalLoss).isEmpty
            let attention = cell(row, .attention)
            var record = RunRow(task: named(cell(row, .task), cell(row, .taskArgs)),
                             encoding: named(cell(row, .encoding), cell(row, .encodingArgs)), seed: try integer(.seed, UInt64.self),
                             trainLengthMax: try integer(.trainLengthMax, Int.self), evalLength: try integer(.evalLength, Int.self),
                             status: status, tokenAccuracy: try metric(.tokenAccuracy), sequenceAccuracy: try metric(.sequenceAccuracy),
                             evalLoss: try metric(.loss), perplexity: try metric(.perplexity), bitsPerByte: try metric(.bitsPerByte),
                             setting: (varying.map { "\($0)=\(row[c[$0]!])" } + Self.protocolSetting(cell(row, .evalProtocol)))
                                .joined(separator: ";"),
                             attention: attention)
            record.generatedTokenAccuracy = try metric(.generatedTokenAccuracy)
            record.sequenceLength = cell(row, .sequenceLength).isEmpty ? nil : try integer(.sequenceLength, Int.self)
            record.message = cell(row, .message).isEmpty ? nil : cell(row, .message)
            if overflowed {
                record.status = .diverged
                (record.tokenAccuracy, record.sequenceAccuracy, record.generatedTokenAccuracy) = (nil, nil, nil)
                (record.perplexity, record.bitsPerByte) = (nil, nil)
            }
            return record
        }
    }
}

extension RunRow {
    /// What to do about a damaged runs.csv in `directory`.
    static func rebuildHint(_ directory: URL) -> String {
        "`poslab rebuild \(directory.path)` rewrites it from the run records"
    }

    /// Why `metric` cannot be compared or summarized in `records` read from `directory`'s runs.csv
    /// (no row has a value for it, e.g. perplexity in a study without a text task), or nil.
    public static func missingMetric(_ metric: Metric, in records: [RunRow], directory: URL) -> String? {
        guard !records.contains(where: { $0.value(metric) != nil }) else { return nil }
        let present = Metric.allCases.filter { m in records.contains { $0.value(m) != nil } }.map(\.rawValue)
        let only = metric.onlyWhereGiven ? (metric == .generatedTokenAccuracy ? " (tasks scored by generation give it)" : " (text tasks give it)") : ""
        return "\(directory.path)/runs.csv has no \(metric.rawValue) values\(only), so there is nothing to compare or summarize by it and "
            + "nothing was written; choose another --metric" + (present.isEmpty ? "" : " (these results have \(present.joined(separator: ", ")))")
    }

    /// A corpus task's evaluation protocol is part of a row's setting: results under different
    /// protocols are never averaged or paired together. Sampled sequences need no mention.
    package static func protocolSetting(_ name: String) -> [String] {
        name.isEmpty || name == "sampled" ? [] : ["eval_protocol=\(name)"]
    }
}

/// Which evaluation length(s) to look at.
public enum LengthChoice: Sendable, Equatable, CustomStringConvertible {
    /// The longest training length.
    case train
    /// The longest evaluation length.
    case longest
    /// One given length.
    case length(Int)
    /// Every evaluation length.
    case all

    public init?(_ text: String) {
        switch text {
        case "train": self = .train
        case "longest": self = .longest
        case "all": self = .all
        default:
            guard let l = Int(text), l > 0 else { return nil }
            self = .length(l)
        }
    }

    public var description: String {
        switch self {
        case .train: "train"
        case .longest: "longest"
        case .all: "all"
        case .length(let l): String(l)
        }
    }

    /// The lengths this choice selects among `records`.
    public func lengths(in records: [RunRow]) -> [Int] {
        let available = Set(records.map(\.evalLength))
        switch self {
        case .train: return records.map(\.trainLengthMax).max().map { [$0] } ?? []
        case .longest: return available.max().map { [$0] } ?? []
        case .all: return available.sorted()
        case .length(let l): return [l]
        }
    }
}
