import Foundation
import PosLabResults
import PosLabStudy
import Testing

/// The summary table says which settings had failed runs, and why in short (issue 24, item 3: "the
/// summary shows failed runs as such"): hand-written records here; a crashing one-file plugin in
/// `PluginBuildTests.summaryNotesACrashedPluginsFailedRuns`.
@Suite struct FailedRunsSummaryTests {
    static let crash = "encoding crash from plugin /tmp/libCrash.so crashed the worker process: signal 11 (SIGSEGV) (last logged step 2); "
        + "the other runs went on, and `poslab run` retries this one: fix or remove the encoding first"

    static func record(_ encoding: String, _ seed: UInt64, _ length: Int, _ accuracy: Double?, status: RunStatus = .ok,
                       message: String? = nil) -> RunRow {
        var r = RunRow(task: "shift", encoding: encoding, seed: seed, trainLengthMax: 8, evalLength: length, status: status,
                          tokenAccuracy: accuracy, sequenceAccuracy: accuracy, evalLoss: accuracy.map { 1 - $0 })
        r.message = message
        return r
    }

    /// none: 3 ok seeds; crash: 2 of 3 seeds died by SIGSEGV; broken: 1 of 3 stopped by an error.
    static var records: [RunRow] {
        var r: [RunRow] = []
        for seed in UInt64(1)...3 {
            for length in [8, 16] {
                r.append(record("none", seed, length, 0.3 + 0.01 * Double(seed)))
                r.append(seed == 1 ? record("crash", seed, length, 0.9) : record("crash", seed, length, nil, status: .failed, message: crash))
                r.append(seed == 2 ? record("broken", seed, length, nil, status: .failed, message: "matmul: out of memory; no record")
                         : record("broken", seed, length, 0.5))
            }
        }
        return r
    }

    @Test func tableNotesFailedRunsWithTheirReason() throws {
        let summary = Summary(records: Self.records, metrics: [.tokenAccuracy])
        let crash8 = try #require(summary.rows.first { $0.encoding == "crash" && $0.evalLength == 8 })
        #expect(crash8.n == 1 && crash8.excluded == 2 && crash8.failed == 2 && crash8.failureReasons == ["SIGSEGV"])
        let lines = SummaryTable(summary: summary, trainingLength: 8, lengths: [8, 16]).render().components(separatedBy: "\n")
        let crash = try #require(lines.first { $0.hasPrefix("shift  crash ") })
        #expect(crash.hasSuffix("(1/3)  2 failed (SIGSEGV)"), "\(crash)")
        let broken = try #require(lines.first { $0.hasPrefix("shift  broken ") })
        #expect(broken.hasSuffix("(2/3)  1 failed (matmul: out of memory)"), "\(broken)")
        let none = try #require(lines.first { $0.hasPrefix("shift  none ") })
        #expect(!none.contains("failed"), "\(none)")
    }

    @Test func failureReasonIsTheSignalTheExitOrTheFirstClause() {
        #expect(FailureReason.short(Self.crash) == "SIGSEGV")
        #expect(FailureReason.short("encoding e from plugin p ended the worker process with exit(3) before its job finished") == "exit(3)")
        #expect(FailureReason.short("hook attentionBias returned shape [2]; expected [4, 4]") == "hook attentionBias returned shape [2]")
        let long = String(repeating: "x", count: 80)
        #expect(FailureReason.short(long) == String(repeating: "x", count: 59) + "…")
    }
}
