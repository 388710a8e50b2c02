import Foundation
import PosLabExperiments
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
}
