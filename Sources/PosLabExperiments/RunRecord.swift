import Foundation

/// One row of runs.csv, typed.
public struct RunRecord: Sendable {
    /// `name(args)` of the task and the encoding, as they group results.
    public var task: String, encoding: String
    public var seed: UInt64
    public var trainLengthMax: Int
    public var evalLength: Int
    public var status: RunStatus
    public var tokenAccuracy: Double?, sequenceAccuracy: Double?, evalLoss: Double?
    /// The settings that vary across the file, `column=value;…` (empty when only one configuration
    /// is present): results with different settings are never averaged or paired together.
    public var setting: String

    public init(task: String, encoding: String, seed: UInt64, trainLengthMax: Int, evalLength: Int, status: RunStatus,
                tokenAccuracy: Double?, sequenceAccuracy: Double?, evalLoss: Double?, setting: String = "") {
        self.task = task
        self.encoding = encoding
        self.seed = seed
        self.trainLengthMax = trainLengthMax
        self.evalLength = evalLength
        self.status = status
        self.tokenAccuracy = tokenAccuracy
        self.sequenceAccuracy = sequenceAccuracy
        self.evalLoss = evalLoss
        self.setting = setting
    }

    /// The task and, when settings vary, the setting: the scope within which encodings are compared.
    public var scope: String { setting.isEmpty ? task : "\(task) [\(setting)]" }

    /// The value of `metric` (nil unless the run has numbers at this length).
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .tokenAccuracy: tokenAccuracy
        case .sequenceAccuracy: sequenceAccuracy
        case .loss: evalLoss
        }
    }

    /// Every row of the runs.csv in `directory`, in file order; a missing or damaged file is a
    /// `ResultsError` naming it.
    public static func load(directory: URL) throws -> [RunRecord] {
        let url = directory.appendingPathComponent("runs.csv")
        let table: CSVTable
        do {
            guard let t = try CSVTable.read(url, expectedHeader: ResultsStore.runColumns) else {
                throw ResultsError("\(url.path) does not exist; run the suite first")
            }
            table = t
        } catch let error as ResultsError { throw error } catch {
            throw ResultsError("\(error.localizedDescription); `poslab rebuild \(directory.path)` rewrites it from the run records")
        }
        func named(_ name: String, _ args: String) -> String { args.isEmpty ? name : "\(name)(\(args))" }
        let c = Dictionary(uniqueKeysWithValues: table.header.enumerated().map { ($1, $0) })
        let varying = ResultsStore.settingColumns.filter { column in Set(table.rows.map { $0[c[column]!] }).count > 1 }
        return try table.rows.enumerated().map { i, row in
            guard let seed = UInt64(row[c["seed"]!]), let train = Int(row[c["train_length_max"]!]),
                  let length = Int(row[c["eval_length"]!]), let status = RunStatus(rawValue: row[c["status"]!]) else {
                throw ResultsError("\(url.path): row \(i + 2) is malformed; `poslab rebuild \(directory.path)` rewrites it from the run records")
            }
            return RunRecord(task: named(row[c["task"]!], row[c["task_args"]!]),
                             encoding: named(row[c["encoding"]!], row[c["encoding_args"]!]), seed: seed,
                             trainLengthMax: train, evalLength: length, status: status,
                             tokenAccuracy: Double(row[c["token_accuracy"]!]), sequenceAccuracy: Double(row[c["sequence_accuracy"]!]),
                             evalLoss: Double(row[c["eval_loss"]!]),
                             setting: varying.map { "\($0)=\(row[c[$0]!])" }.joined(separator: ";"))
        }
    }
}

/// A per-length result column that statistics can be computed on.
public enum Metric: String, Sendable, CaseIterable {
    case tokenAccuracy = "token_accuracy"
    case sequenceAccuracy = "sequence_accuracy"
    case loss = "eval_loss"
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
    public func lengths(in records: [RunRecord]) -> [Int] {
        let available = Set(records.map(\.evalLength))
        switch self {
        case .train: return records.map(\.trainLengthMax).max().map { [$0] } ?? []
        case .longest: return available.max().map { [$0] } ?? []
        case .all: return available.sorted()
        case .length(let l): return [l]
        }
    }
}
