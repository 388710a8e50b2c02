import Foundation
import PosLabResults
import Testing

/// Issue 13's readers and writers: damaged input is exit 2 with one line naming the file, line
/// and column; no command replaces an output with an empty one. Each test failed before.
@Suite struct ResultsReadingTests {
    /// A results folder with a runs.csv of `records` (every other column filled as a run writes it).
    static func folder(_ records: [RunRow], _ name: String = #function) throws -> URL {
        let dir = temporaryDirectory(name)
        let f = CSVTable.field
        let rows = records.map { r -> [String] in
            let (task, taskArgs) = split(r.task), (enc, encArgs) = split(r.encoding)
            return ["t", "id\(r.seed)", task, taskArgs, enc, encArgs, String(r.seed), "16", "1", "2", r.attention, "40", "16", "8",
                    String(r.trainLengthMax), "adam", "0.003", "0.0", "1.0", "10", String(r.evalLength), String(r.evalLength), "32", "7",
                    "sampled", f(r.tokenAccuracy), f(r.sequenceAccuracy), "", f(r.evalLoss), "", "", r.status.rawValue, "40", "0.5",
                    "1.000", ""]
        }
        try CSVTable(header: ResultsStore.runColumns, rows: rows).write(to: dir.appendingPathComponent("runs.csv"))
        return dir
    }

    static func split(_ spec: String) -> (String, String) {
        guard let open = spec.firstIndex(of: "(") else { return (spec, "") }
        return (String(spec[..<open]), String(spec[spec.index(after: open)..<spec.index(before: spec.endIndex)]))
    }

    static var sample: [RunRow] {
        ComparisonVerdictTests.records(["none": [0.3, 0.31, 0.29], "learned(size=8)": [0.9, 0.95, 0.92],
                                        "relative-bias(buckets=8;max_distance=16)": [0.8, 0.85, 0.82]])
            + ComparisonVerdictTests.records(["none": [0.2, 0.21, 0.19], "learned(size=8)": [0.5, 0.55, 0.52],
                                              "relative-bias(buckets=8;max_distance=16)": [0.4, 0.45, 0.42]], length: 16)
    }

    /// Sets `column` of line `line` (1-based; the header is line 1) of runs.csv to `value`.
    static func setField(_ dir: URL, line: Int, column: String, to value: String) throws {
        try damage(dir, { text in
            var fields = text.components(separatedBy: ",")
            fields[ResultsStore.runColumns.firstIndex(of: column)!] = value
            return fields.joined(separator: ",")
        }, line: line)
    }

    /// Replaces line `line` (1-based) of runs.csv by `transform` of it.
    static func damage(_ dir: URL, _ transform: (String) -> String, line: Int) throws {
        let url = dir.appendingPathComponent("runs.csv")
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        lines[line - 1] = transform(lines[line - 1])
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Runs summarize and compare on `dir`; both must stop with exit 2 and one line containing every `expected` part.
    static func expectRefused(_ dir: URL, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for command in [["summarize", dir.path], ["compare", dir.path, "--baseline", "none"]] {
            let (status, out, err) = try runPoslab(command, in: FileManager.default.temporaryDirectory)
            #expect(status == 2, "\(command[0]): exit \(status)", sourceLocation: sourceLocation)
            let lines = err.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(command[0]): \(err)", sourceLocation: sourceLocation)
            for part in expected { #expect(err.contains(part), "\(command[0]): '\(part)' not in \(err)", sourceLocation: sourceLocation) }
            #expect(!err.contains("Error Domain") && !err.contains("CSVError") && out.isEmpty, sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("summary.csv").path), sourceLocation: sourceLocation)
    }

    @Test func notANumberInAMetricIsRefused() throws {
        let dir = try Self.folder(Self.sample)
        try Self.setField(dir, line: 2, column: "token_accuracy", to: "abc")
        try Self.expectRefused(dir, ["runs.csv:2:", "token_accuracy", "'abc' is not a number"])
    }

    @Test func accuracyAboveOneIsRefused() throws {
        let dir = try Self.folder(Self.sample)
        try Self.setField(dir, line: 5, column: "token_accuracy", to: "1.7")
        try Self.expectRefused(dir, ["runs.csv:5:", "token_accuracy", "1.7 is outside [0.0, 1.0]"])
    }

    @Test func truncatedRowIsRefused() throws {
        let dir = try Self.folder(Self.sample)
        try Self.damage(dir, { String($0.prefix(40)) }, line: 7)
        try Self.expectRefused(dir, ["runs.csv:7:", "fields for \(ResultsStore.runColumns.count) columns", "poslab rebuild"])
    }

    @Test func unbalancedQuoteIsRefused() throws {
        let dir = try Self.folder(Self.sample)
        try Self.setField(dir, line: 3, column: "task", to: "\"shift")
        try Self.expectRefused(dir, ["runs.csv:3:"])
    }

    @Test func trailingBlankLineIsRefused() throws {
        let dir = try Self.folder(Self.sample)
        let url = dir.appendingPathComponent("runs.csv")
        try (String(contentsOf: url, encoding: .utf8) + "\n").write(to: url, atomically: true, encoding: .utf8)
        try Self.expectRefused(dir, ["runs.csv:20:", "blank line"])
    }

    @Test func emptyRunsFileIsRefused() throws {
        let dir = try Self.folder(Self.sample)
        try Data().write(to: dir.appendingPathComponent("runs.csv"))
        try Self.expectRefused(dir, ["runs.csv", "is empty"])
    }

    @Test func missingFolderIsRefused() throws {
        let dir = temporaryDirectory()
        try Self.expectRefused(dir.appendingPathComponent("nowhere"), ["nowhere", "no such results folder"])
    }

    /// "compare --length 99 exits 0 and overwrites comparisons.csv with a header-only file".
    @Test func compareNeverReplacesOutputWithAnEmptyOne() throws {
        let dir = try Self.folder(Self.sample)
        let (ok, _, err) = try runPoslab(["compare", dir.path, "--baseline", "none"], in: dir)
        #expect(ok == 0, "\(err)")
        let url = dir.appendingPathComponent("comparisons.csv")
        let before = try Data(contentsOf: url)
        let (status, _, message) = try runPoslab(["compare", dir.path, "--length", "99"], in: dir)
        #expect(status == 2 && message.contains("length 99 was not evaluated"), "\(message)")
        #expect(try Data(contentsOf: url) == before)
        // --out writes elsewhere and leaves comparisons.csv alone.
        let other = dir.appendingPathComponent("loss.csv")
        let (s2, out, e2) = try runPoslab(["compare", dir.path, "--metric", "loss", "--length", "all", "--out", other.path], in: dir)
        #expect(s2 == 0 && out.contains("wrote \(other.path)"), "\(e2)")
        #expect(try Data(contentsOf: url) == before)
        let table = try #require(try CSVTable.read(other, expectedHeader: Comparison.columns))
        #expect(table.rows.count == 2 * 3 && table.rows.allSatisfy { $0[3] == "eval_loss" })
    }

    /// "--baseline 'relative-bias(buckets=8, max_distance=16)' is rejected; only the ; form works".
    @Test(arguments: ["relative-bias(buckets=8, max_distance=16)", "relative-bias(max_distance=16;buckets=8)",
                      "relative-bias(buckets=8;max_distance=16)", "relative-bias(buckets=8)", "relative-bias"])
    func baselineTakesEitherSpecForm(_ baseline: String) throws {
        let dir = try Self.folder(Self.sample)
        let (status, out, err) = try runPoslab(["compare", dir.path, "--baseline", baseline], in: dir)
        #expect(status == 0, "\(err)")
        #expect(out.contains("better than relative-bias(buckets=8;max_distance=16)"), "\(out)")
    }

    /// "summarize has no --metric and shows only two lengths".
    @Test func summarizeTakesAMetricAndLengths() throws {
        let dir = try Self.folder(Self.sample)
        let (status, out, err) = try runPoslab(["summarize", dir.path, "--metric", "eval_loss", "--lengths", "all"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(out.contains("eval_loss (lower is better)") && out.contains("@8 (train)") && out.contains("@16 (longest)"), "\(out)")
        let rankings = try #require(try CSVTable.read(dir.appendingPathComponent("rankings.csv"), expectedHeader: Rankings.columns))
        #expect(rankings.rows.allSatisfy { $0[0] == "eval_loss" })
        let (bad, _, berr) = try runPoslab(["summarize", dir.path, "--lengths", "12"], in: dir)
        #expect(bad == 2 && berr.contains("12 was not evaluated"), "\(berr)")
    }

    /// Every subcommand, as `poslab --help` lists them (`everySubcommandsHelpIsChecked` keeps this complete).
    static let subcommands = ["list", "run", "eval", "summarize", "compare", "claims", "rebuild", "check-plugin", "plugin", "tokenize",
                              "windows", "machine", "inspect", "report", "slurm"]

    /// "--help of summarize, compare and check-plugin prints stray backslashes; list, run and summarize have no example".
    @Test(arguments: subcommands)
    func helpHasAnExampleAndNoBackslash(_ command: String) throws {
        let (status, out, err) = try runPoslab([command, "--help"], in: temporaryDirectory())
        #expect(status == 0, "\(err)")
        #expect(!out.contains("\\\n") && !out.contains("\\ "), "\(command): a stray backslash")
        #expect(out.contains("Example"), "\(command): no example")
    }

    /// The help test covers every subcommand `poslab --help` lists: a new one cannot be left out of it.
    @Test func everySubcommandsHelpIsChecked() throws {
        let (status, out, err) = try runPoslab(["--help"], in: temporaryDirectory())
        #expect(status == 0, "\(err)")
        let section = try #require(out.components(separatedBy: "SUBCOMMANDS:").dropFirst().first, "\(out)")
        let listed = section.split(separator: "\n").prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }  // a name; an abstract's next lines are indented further
            .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0 != "help" && $0.allSatisfy { $0.isLowercase || $0 == "-" } }  // not "See 'poslab help …'"
        #expect(!listed.isEmpty)
        #expect(Set(listed) == Set(Self.subcommands), "poslab --help lists \(listed); the help test checks \(Self.subcommands)")
    }

    /// An output that cannot be written is one line, not a Foundation error dump.
    @Test func unwritableOutputIsOneLine() throws {
        let dir = try Self.folder(Self.sample)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("summary.csv"), withIntermediateDirectories: false)
        let (status, _, err) = try runPoslab(["summarize", dir.path], in: dir)
        #expect(status == 2 && err.split(separator: "\n").count == 1 && err.hasPrefix("error: "), "\(err)")
        #expect(err.contains("summary.csv") && !err.contains("Error Domain"), "\(err)")
    }

    /// `poslab report` reads runs.csv too: an accuracy of 1.7 or an empty file is refused there as well.
    @Test func reportRefusesOutOfRangeAndEmpty() throws {
        let dir = try Self.folder(Self.sample)
        try Self.setField(dir, line: 4, column: "sequence_accuracy", to: "1.7")
        let (status, _, err) = try runPoslab(["report", dir.path], in: dir)
        #expect(status == 2 && err.contains("runs.csv:4: column sequence_accuracy (27): 1.7 is outside [0.0, 1.0]"), "\(err)")  // as summarize says it
        try Data().write(to: dir.appendingPathComponent("runs.csv"))
        let (empty, _, err2) = try runPoslab(["report", dir.path], in: dir)
        #expect(empty == 2 && err2.contains("runs.csv: is empty") && !err2.contains("CSVError"), "\(err2)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("report").path))
    }
}
