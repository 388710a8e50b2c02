import Foundation

/// The results folder of one suite: `runs.csv`, `curves.csv` and `manifest.json`.
///
/// A run counts as finished once its rows are in `runs.csv`. Each finished run is added by
/// rewriting the file atomically (curves first, then runs), so an interruption at any moment
/// leaves whole files, and running the suite again skips exactly the finished runs.
public final class ResultsStore: @unchecked Sendable {  // mutable state behind `lock`
    /// runs.csv's columns, in order.
    public static let runColumns = [
        "suite", "run_id", "encoding", "encoding_args", "task", "task_args", "seed", "attention",
        "train_length_min", "train_length_max", "eval_length", "token_accuracy", "sequence_accuracy", "eval_loss",
        "status", "steps", "final_train_loss", "wall_seconds",
    ]
    /// curves.csv's columns, in order.
    public static let curveColumns = ["run_id", "step", "train_loss"]

    public let directory: URL
    public let suite: Suite
    public var runsURL: URL { directory.appendingPathComponent("runs.csv") }
    public var curvesURL: URL { directory.appendingPathComponent("curves.csv") }
    public var manifestURL: URL { directory.appendingPathComponent("manifest.json") }

    private(set) var runs: CSVTable
    private(set) var curves: CSVTable
    private let order: [String: Int]
    private let lock = NSLock()

    /// Opens (or, with `fresh`, empties) the results folder of `suite`.
    ///
    /// Existing results of a different suite are never mixed in: that is an error naming `--fresh`.
    public init(directory: URL, suite: Suite, fresh: Bool) throws {
        self.directory = directory
        self.suite = suite
        order = Dictionary(uniqueKeysWithValues: suite.runs.map { ($0.id, $0.index) })
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let runsURL = directory.appendingPathComponent("runs.csv"), curvesURL = directory.appendingPathComponent("curves.csv")
        let manifestURL = directory.appendingPathComponent("manifest.json")
        if fresh {
            for url in [runsURL, curvesURL, manifestURL] where fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
        }
        if fm.fileExists(atPath: manifestURL.path) {
            // Resume only results known to come from this very suite; an unreadable manifest is not that.
            guard let manifest = Manifest.read(manifestURL), manifest.suite == suite else {
                throw ResumeConflict(directory: directory.path)
            }
        }
        runs = try CSVTable.read(runsURL, expectedHeader: Self.runColumns) ?? CSVTable(header: Self.runColumns)
        curves = try CSVTable.read(curvesURL, expectedHeader: Self.curveColumns) ?? CSVTable(header: Self.curveColumns)
        // Keep only rows of runs this suite has, and curves of runs that finished.
        runs.rows.removeAll { order[$0[1]] == nil }
        let done = completedRunIDs
        curves.rows.removeAll { !done.contains($0[0]) }
    }

    /// The ids of runs whose rows are in runs.csv.
    public var completedRunIDs: Set<String> { lock.withLock { Set(runs.rows.map { $0[1] }) } }

    /// Adds a finished run's rows to curves.csv, then runs.csv, each written atomically.
    public func record(_ result: RunResult) throws {
        try lock.withLock { try append(result) }
    }

    private func append(_ result: RunResult) throws {
        let id = result.plan.id
        precondition(!runs.rows.contains { $0[1] == id }, "run \(id) recorded twice")
        curves.rows += result.curve.map { [id, String($0.step), CSVTable.field($0.loss)] }
        try curves.write(to: curvesURL)
        let t = suite.training
        for e in result.evaluations {
            runs.rows.append([
                suite.name, id, result.encodingName, result.encodingArguments, result.taskName, result.taskArguments,
                String(result.plan.seed), suite.model.attention.rawValue, String(t.minLength), String(t.maxLength),
                String(e.length), CSVTable.field(e.tokenAccuracy), CSVTable.field(e.sequenceAccuracy), CSVTable.field(e.loss),
                e.status.rawValue, String(result.steps), CSVTable.field(result.finalTrainingLoss),
                String(format: "%.3f", result.wallSeconds),
            ])
        }
        try runs.write(to: runsURL)
    }

    /// Rewrites both tables in the suite's run order (runs finish out of order with --jobs > 1),
    /// so an interrupted-and-resumed suite ends with the same files as an uninterrupted one.
    public func sortByRunOrder() throws {
        lock.lock()
        defer { lock.unlock() }
        func key(_ row: [String], _ idColumn: Int, _ second: Int) -> (Int, Int) {
            (order[row[idColumn]] ?? Int.max, Int(row[second]) ?? 0)
        }
        runs.rows.sort { key($0, 1, 10) < key($1, 1, 10) }
        curves.rows.sort { key($0, 0, 1) < key($1, 0, 1) }
        try curves.write(to: curvesURL)
        try runs.write(to: runsURL)
    }

    /// The rows of runs.csv (header in `runColumns`).
    public var runRows: [[String]] { lock.withLock { runs.rows } }
}

/// Results of another suite are already in the folder.
public struct ResumeConflict: Error, CustomStringConvertible {
    public var directory: String
    public var description: String {
        "\(directory) holds results of a different version of this suite; rerun with --fresh to replace them, or --out DIR to keep both"
    }
}
