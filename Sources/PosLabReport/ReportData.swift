import CSV
import Foundation
import PosLabCore
import PosLabResults

/// What a report is drawn from: a results folder's runs.csv (required), curves.csv, manifest.json
/// comparisons.csv and claims.csv (each optional), read by column name so that extra columns are kept.
public struct ReportData {
    /// One runs.csv row, as the report needs it.
    public struct Row: Sendable {
        public var task: String, setting: String, encoding: String, seed: String, runID: String
        public var evalLength: Int, status: String
        public var trainMin: Int, trainMax: Int
        public var metrics: [String: Double]
        /// The settings that vary across the file (a grid's swept columns), by column.
        public var settings: [String: String] = [:]
    }

    /// One curves.csv row.
    public struct CurvePoint: Sendable { public var runID: String, step: Int, loss: Double }

    public var folder: URL
    public var rows: [Row] = []
    public var curves: [CurvePoint] = []
    /// manifest.json as a dictionary (suite, machine, commit …), if present and readable.
    public var manifest: [String: Any]?
    /// comparisons.csv's header and rows, if present.
    public var comparisons: (header: [String], rows: [[String]])?
    /// claims.csv's header and rows (`poslab claims`), if present.
    public var claims: (header: [String], rows: [[String]])?

    /// Encodings, tasks and settings in the order they first appear (the suite's order).
    public var encodings: [String] { rows.map(\.encoding).uniqued() }
    public var scopes: [String] { rows.map(\.scope).uniqued() }

    /// Reads `folder`; a missing folder or runs.csv, or a damaged file, throws naming the file.
    /// In a tuned study only each (task, encoding)'s selected grid point is read, as `RunRow.load`
    /// reads it, unless `allGridPoints`.
    public static func load(_ folder: URL, allGridPoints: Bool = false) throws -> ReportData {
        let runs = folder.appendingPathComponent("runs.csv")
        guard FileManager.default.fileExists(atPath: runs.path) else {
            throw ReportError(file: runs.path, problem: "no runs.csv here: is this a results folder (Results/<suite>)?")
        }
        let table = try readCSV(runs)
        return try load(folder, runs: CSVTable(header: table.header, rows: table.rows), allGridPoints: allGridPoints)
    }

    /// Reads `folder` as `load(_:allGridPoints:)` does, its runs.csv being `runsTable` (as just
    /// written, `ResultsStore.Rebuilt.runsTable`) rather than the file; errors still name runs.csv.
    public static func load(_ folder: URL, runs runsTable: CSVTable, allGridPoints: Bool = false) throws -> ReportData {
        let runs = folder.appendingPathComponent("runs.csv")
        var data = ReportData(folder: folder)
        var table = runsTable
        var tuned: [String] = []
        if !allGridPoints, let selection = try SelectionFilter.load(directory: folder) {
            tuned = selection.tunedColumns
            let c = Dictionary(table.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            table.rows = table.rows.filter { row in
                guard let t = c["task"], let ta = c["task_args"], let e = c["encoding"], let ea = c["encoding_args"] else { return true }
                return selection.keeps(task: row[t], taskArguments: row[ta], encoding: row[e], encodingArguments: row[ea]) { column in
                    c[column].map { row[$0] }
                }
            }
        }
        func column(_ name: String) throws -> Int {
            guard let i = table.header.firstIndex(of: name) else {
                throw ReportError(file: runs.path, problem: "no column '\(name)' (columns: \(table.header.joined(separator: ", ")))")
            }
            return i
        }
        let c = (task: try column("task"), taskArgs: try column("task_args"), encoding: try column("encoding"),
                 encodingArgs: try column("encoding_args"), seed: try column("seed"), runID: try column("run_id"),
                 length: try column("eval_length"), status: try column("status"), min: try column("train_length_min"),
                 max: try column("train_length_max"))
        // Settings as RunRow reads them: the setting columns that vary, and a corpus task's protocol.
        let varying = ResultsStore.settingColumns.compactMap { name in table.header.firstIndex(of: name).map { (name, $0) } }
            .filter { name, k in !tuned.contains(name) && Set(table.rows.map { $0[k] }).count > 1 }
        let protocolColumn = table.header.firstIndex(of: "eval_protocol")
        let metricColumns = ["token_accuracy", "sequence_accuracy", "eval_loss", "perplexity", "bits_per_byte"]
            .compactMap { name in table.header.firstIndex(of: name).map { (name, $0) } }
        for (i, r) in table.rows.enumerated() {
            func int(_ k: Int, _ name: String) throws -> Int {
                guard let v = Int(r[k]) else {
                    throw ReportError(file: runs.path, problem: "line \(i + 2): \(name) '\(r[k])' is not an integer")
                }
                return v
            }
            var metrics: [String: Double] = [:]
            for (name, k) in metricColumns where !r[k].isEmpty {
                guard let v = Double(r[k]), v.isFinite else {
                    throw ReportError(file: runs.path, problem: "line \(i + 2): \(name) '\(r[k])' is not a number")
                }
                // Accuracies lie in [0, 1]; losses, perplexities and bits are not negative.
                guard v >= 0, v <= 1 || !name.hasSuffix("accuracy") else {
                    throw ReportError(file: runs.path, problem: "line \(i + 2): \(name) \(r[k]) is outside [0, \(name.hasSuffix("accuracy") ? "1]" : "∞)")")
                }
                metrics[name] = v
            }
            func full(_ name: String, _ args: String) -> String { args.isEmpty ? name : "\(name)(\(args))" }
            let settings = Dictionary(uniqueKeysWithValues: varying.map { ($0.0, r[$0.1]) })
            let setting = (varying.map { "\($0.0)=\(r[$0.1])" } + RunRow.protocolSetting(protocolColumn.map { r[$0] } ?? ""))
                .joined(separator: ";")
            data.rows.append(Row(task: full(r[c.task], r[c.taskArgs]), setting: setting,
                                 encoding: full(r[c.encoding], r[c.encodingArgs]), seed: r[c.seed], runID: r[c.runID],
                                 evalLength: try int(c.length, "eval_length"), status: r[c.status],
                                 trainMin: try int(c.min, "train_length_min"), trainMax: try int(c.max, "train_length_max"),
                                 metrics: metrics, settings: settings))
        }
        let curves = folder.appendingPathComponent("curves.csv")
        if FileManager.default.fileExists(atPath: curves.path) {
            let t = try readCSV(curves)
            if let id = t.header.firstIndex(of: "run_id"), let step = t.header.firstIndex(of: "step"),
               let loss = t.header.firstIndex(of: "train_loss") {
                data.curves = t.rows.compactMap { r in
                    guard let s = Int(r[step]), let l = Double(r[loss]), l.isFinite else { return nil }
                    return CurvePoint(runID: r[id], step: s, loss: l)
                }
            }
        }
        let manifest = folder.appendingPathComponent("manifest.json")
        if let bytes = try? Data(contentsOf: manifest) {
            guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
                throw ReportError(file: manifest.path, problem: "not valid JSON (damaged?); `poslab rebuild` or a rerun rewrites it")
            }
            data.manifest = object
        }
        let comparisons = folder.appendingPathComponent("comparisons.csv")
        if FileManager.default.fileExists(atPath: comparisons.path) {
            let t = try readCSV(comparisons)
            data.comparisons = (t.header, t.rows)
        }
        let claims = folder.appendingPathComponent("claims.csv")
        if FileManager.default.fileExists(atPath: claims.path) {
            let t = try readCSV(claims)
            data.claims = (t.header, t.rows)
        }
        return data
    }

    /// A CSV file's header and rows; a ragged or unparsable file throws naming it and the line.
    static func readCSV(_ url: URL) throws -> (header: [String], rows: [[String]]) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportError(file: url.path, problem: "cannot be read as UTF-8 text")
        }
        guard !text.isEmpty else { throw ReportError(file: url.path, problem: "is empty (no header row)") }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch {
            throw ReportError(file: url.path, problem: "line 1: the header row cannot be read as CSV")
        }
        let header = reader.headerRow ?? []
        var rows: [[String]] = []
        while let row = reader.next() {
            guard row.count == header.count else {
                throw ReportError(file: url.path, problem: "line \(rows.count + 2) has \(row.count) fields for \(header.count) columns (truncated or garbled)")
            }
            rows.append(row)
        }
        if let error = reader.error { throw ReportError(file: url.path, problem: "not valid CSV after line \(rows.count + 1) (\(error))") }
        return (header, rows)
    }
}

extension ReportData.Row {
    /// The task, with the grid setting when settings are swept: what a panel shows.
    public var scope: String { setting.isEmpty ? task : "\(task) [\(setting)]" }
}

/// A results folder that cannot be reported on.
public struct ReportError: UserError {
    public var file: String, problem: String
    public var description: String { "\(file): \(problem)" }
}
