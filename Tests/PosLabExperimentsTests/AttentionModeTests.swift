import Foundation
import PosLabModel
import PosLabResults
import Testing

/// An encoding that declares only some attention modes is `unsupported` in the others: no run, no failure.
@Suite struct AttentionModeTests {
    @Test func aCausalOnlyEncodingIsUnsupportedInABidirectionalSuite() throws {
        let dir = temporaryDirectory()
        let suite = dir.appendingPathComponent("modes.yaml")
        try """
            name: modes
            encodings: [none, cope]
            tasks: [shift]
            seeds: [1]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 5, batch_size: 4, length: 6}
            evaluation: {lengths: [6, 12], size: 8}
            """.write(to: suite, atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", suite.path, "--out", "modes"], in: dir)
        #expect(status == 0, "\(err)")
        let table = try #require(try CSVTable.read(dir.appendingPathComponent("modes/runs.csv"), expectedHeader: ResultsStore.runColumns))
        let cope = table.rows.filter { $0[table.column("encoding")] == "cope" }
        #expect(cope.count == 2 && cope.allSatisfy { $0[table.column("status")] == "unsupported" }, "\(table.rows)")
        let none = table.rows.filter { $0[table.column("encoding")] == "none" }
        #expect(none.count == 2 && none.allSatisfy { $0[table.column("status")] == "ok" })
        #expect(out.contains("cope"), "\(out)")
    }
}
