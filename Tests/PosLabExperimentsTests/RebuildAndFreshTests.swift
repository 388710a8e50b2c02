import Foundation
import Testing

/// `poslab rebuild` and `poslab run --fresh`, as a user runs them.
@Suite struct RebuildAndFreshTests {
    static let suite = """
        name: small
        encodings: [none, learned]
        tasks: [shift]
        seeds: [1, 2]
        model: {d_model: 16, layers: 1, heads: 2}
        training: {steps: 10, batch_size: 8, length: 6}
        evaluation: {lengths: [6, 9], size: 16}
        """

    /// The derived files deleted or damaged, `rebuild` writes them again from the records, byte for
    /// byte as the run left them (summary and rankings included), and trains nothing.
    @Test func rebuildRewritesTheDerivedFilesFromTheRecords() throws {
        let dir = temporaryDirectory()
        try Self.suite.write(to: dir.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
        #expect(try runPoslab(["run", "small.yaml", "--out", "out"], in: dir).0 == 0)
        let out = dir.appendingPathComponent("out")
        let names = ["runs.csv", "curves.csv", "summary.csv", "rankings.csv"]
        let before = try names.map { try Data(contentsOf: out.appendingPathComponent($0)) }
        try FileManager.default.removeItem(at: out.appendingPathComponent("runs.csv"))
        try Data("garbage\n".utf8).write(to: out.appendingPathComponent("curves.csv"))
        try FileManager.default.removeItem(at: out.appendingPathComponent("summary.csv"))
        let records = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).sorted()
        let (status, stdout, err) = try runPoslab(["rebuild", "out"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(stdout.hasPrefix("4 of 4 runs in \(out.path)/runs.csv"), "\(stdout)")
        let after = try names.map { try Data(contentsOf: out.appendingPathComponent($0)) }
        #expect(after == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path).sorted() == records)
    }

    /// `--fresh` deletes what PosLab wrote — records, checkpoints, derived files, the report — and
    /// leaves a user's own files, in the folder and in report/, alone.
    @Test func freshDeletesOnlyWhatPosLabWrote() throws {
        let dir = temporaryDirectory()
        try Self.suite.write(to: dir.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
        #expect(try runPoslab(["run", "small.yaml", "--out", "out"], in: dir).0 == 0)
        let out = dir.appendingPathComponent("out")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report/report.html").path))
        try Data("mine".utf8).write(to: out.appendingPathComponent("notes.txt"))
        try Data("mine".utf8).write(to: out.appendingPathComponent("report/notes.md"))
        let oldIDs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path)
        #expect(oldIDs.filter { $0.hasSuffix(".safetensors") }.count == 4)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report/learned-positions.svg").path))
        // A smaller suite without learned, fresh: only its run remains, the user's files, and no figure of the old study.
        let smaller = Self.suite.replacingOccurrences(of: "seeds: [1, 2]", with: "seeds: [3]")
            .replacingOccurrences(of: "encodings: [none, learned]", with: "encodings: [none]")
        try smaller.write(to: dir.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
        #expect(try runPoslab(["run", "small.yaml", "--out", "out", "--fresh"], in: dir).0 == 0)
        let now = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path)
        #expect(Set(now).isDisjoint(with: oldIDs) && now.count == 2, "\(now)")  // a record and its checkpoint
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("report/learned-positions.svg").path))
        #expect(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
        #expect(try String(contentsOf: out.appendingPathComponent("report/notes.md"), encoding: .utf8) == "mine")
        let report = try String(contentsOf: out.appendingPathComponent("report/report.html"), encoding: .utf8)
        #expect(report.contains("seeds</th><td>1 (3)"), "the report is the new study's")
    }
}
