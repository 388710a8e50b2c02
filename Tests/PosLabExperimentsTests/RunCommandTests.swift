import Foundation
import Testing

/// Issue 13's `poslab run` output: what it suggests next and how it counts runs.
@Suite struct RunCommandTests {
    static func suite(_ name: String, encodings: String, attention: String) -> String {
        """
        name: \(name)
        encodings: \(encodings)
        tasks: [shift]
        seeds: [1, 2]
        model: {d_model: 16, layers: 1, heads: 2, attention: \(attention)}
        training: {steps: 10, batch_size: 8, length: 6}
        evaluation: {lengths: [6], size: 16, seed: 7}
        """
    }

    /// "run prints Next: poslab compare … --baseline none even for a suite without none" (and under causal attention).
    @Test(arguments: [("[learned, sinusoidal]", "bidirectional", false), ("[none, learned]", "causal", false),
                      ("[none, learned]", "bidirectional", true)])
    func nextStepSuggestsNoneOnlyWhereItIsTheControl(_ encodings: String, _ attention: String, _ suggestNone: Bool) throws {
        let dir = temporaryDirectory()
        try Self.suite("s", encodings: encodings, attention: attention).write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", "s.yaml", "--out", "r", "--jobs", "1"], in: dir)
        #expect(status == 0, "\(err)")
        let next = try #require(out.split(separator: "\n").first { $0.hasPrefix("Next: poslab compare") })
        #expect(next.contains("--baseline none") == suggestNone, "\(next)")
        #expect(out.contains("Causal attention: `none` is not an order-blind control") == (attention == "causal" && encodings.contains("none")))
    }

    /// "--limit 6 prints finished 16 runs".
    @Test func limitSaysHowManyRunsAreDone() throws {
        let dir = temporaryDirectory()
        try Self.suite("s", encodings: "[none, learned]", attention: "bidirectional").write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let (status, _, err) = try runPoslab(["run", "s.yaml", "--out", "r", "--jobs", "1", "--limit", "3"], in: dir)
        #expect(status == 0)
        #expect(err.contains("3 of 4 runs finished (3 this time") && !err.contains("finished 4 runs"), "\(err)")
        let (again, _, err2) = try runPoslab(["run", "s.yaml", "--out", "r", "--jobs", "1"], in: dir)
        #expect(again == 0 && err2.contains("finished 4 runs"), "\(err2)")
    }

    /// "manifest.json lists encodings without their resolved arguments, and runs_completed stays 0
    /// while runs are already done": watched while the suite runs, the count rises run by run.
    @Test func manifestIsCurrentAndResolved() throws {
        let dir = temporaryDirectory()
        let yaml = Self.suite("s", encodings: "[none, learned]", attention: "bidirectional")
            .replacingOccurrences(of: "steps: 10", with: "steps: 300").replacingOccurrences(of: "seeds: [1, 2]", with: "seeds: [1, 2, 3]")
        try yaml.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = poslabExecutable
        process.arguments = ["run", "s.yaml", "--out", "r", "--jobs", "1"]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let url = dir.appendingPathComponent("r/manifest.json")
        var seen = Set<Int>()
        while process.isRunning {
            if let data = try? Data(contentsOf: url),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let n = object["runs_completed"] as? Int,
               process.isRunning {
                seen.insert(n)
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(process.terminationStatus == 0)
        #expect(seen.contains { $0 > 0 && $0 < 6 }, "runs_completed seen while running: \(seen.sorted())")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(object["runs_completed"] as? Int == 6)
        #expect(object["encodings_resolved"] as? [String] == ["none", "learned(size=6)"], "\(object["encodings_resolved"] ?? "none")")
        #expect(object["tasks_resolved"] as? [String] == ["shift(k=1;symbols=8)"])
    }
}
