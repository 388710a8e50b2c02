import Foundation
import PosLabModel
import PosLabRunner
import PosLabTestSupport
import Testing

/// `check-plugin FILE --encoding SPEC` (issue 24, item 4) and the summary's note on a crashed
/// plugin's runs, with one-file plugins (built in seconds). In `PluginBuildTests`: one after another.
extension PluginBuildTests {
    /// The skeleton's `max_distance` set to 3 is what the checks build (its full name in the output);
    /// an argument it does not take, a value it refuses and a name the plugin does not register
    /// each end the command with exit 2 naming the argument and the fix, before any check.
    @Test func checkPluginTakesAnEncodingsArguments() throws {
        let (dir, env) = workspace()
        _ = try runPoslab(["plugin", "new", "arg-bias"], in: dir, environment: env)
        let (s1, o1, e1) = try runPoslab(["check-plugin", "ArgBias.swift", "--encoding", "arg-bias(max_distance=3)"], in: dir, environment: env)
        #expect(s1 == 0 && o1.contains("all checks passed"), "\(o1)\(e1)")
        #expect(o1.contains("\narg-bias(max_distance=3):\n  PASS  builds in every attention mode it declares\n        arg-bias(max_distance=3)\n"), "\(o1)")

        let (s2, o2, e2) = try runPoslab(["check-plugin", "ArgBias.swift", "--encoding", "arg-bias(max_distanse=3)"], in: dir, environment: env)
        #expect(s2 == 2 && !o2.contains("PASS"), "\(o2)")
        #expect(e2.contains("error: --encoding arg-bias(max_distanse=3): arg-bias.max_distanse: unknown argument of 'arg-bias'; "
                            + "did you mean 'max_distance'? its arguments: max_distance\n"), "\(e2)")

        let (s3, _, e3) = try runPoslab(["check-plugin", "ArgBias.swift", "--encoding", "arg-bias(max_distance=0)"], in: dir, environment: env)
        #expect(s3 == 2 && e3.contains("error: --encoding arg-bias(max_distance=0): arg-bias.max_distance: must be in 1...10000 (got 0)\n"), "\(e3)")

        let (s4, _, e4) = try runPoslab(["check-plugin", "ArgBias.swift", "--encoding", "fire"], in: dir, environment: env)
        #expect(s4 == 2 && e4.contains("plugin ArgBias.swift registers no encoding 'fire'") && e4.contains("it registers: arg-bias\n"), "\(e4)")

        let (s5, _, e5) = try runPoslab(["check-plugin", "alibi", "--encoding", "alibi"], in: dir, environment: env)
        #expect(s5 == 2 && e5.contains("--encoding chooses among a plugin's encodings"), "\(e5)")
    }

    /// A one-file plugin that segfaults on its hook's third call: `run`'s summary table (and
    /// `summarize`'s) says beside its row that both its runs failed, naming SIGSEGV, read back from runs.csv.
    @Test func summaryNotesACrashedPluginsFailedRuns() throws {
        let (dir, env) = workspace()
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Tests/PluginFixtures/CrashThirdCall/Encoding.swift"),
                                         to: dir.appendingPathComponent("CrashThirdCall.swift"))
        let suite = dir.appendingPathComponent("crash.yaml")
        try PluginTests.smallSuite("[none, crash-third-call]", seeds: "[1, 2]").write(to: suite, atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", suite.path, "--plugin", "CrashThirdCall.swift", "--out", "R"], in: dir, environment: env)
        #expect(status == 1, "\(err)")
        let row = out.components(separatedBy: "\n").first { $0.hasPrefix("shift(k=1;symbols=8)  crash-third-call ") }
        #expect(row?.hasSuffix("  2 failed (SIGSEGV)") == true, "\(out)")
        let (s2, o2, e2) = try runPoslab(["summarize", "R"], in: dir, environment: env)
        #expect(s2 == 0, "\(e2)")
        #expect(o2.components(separatedBy: "\n").contains { $0.hasPrefix("shift(k=1;symbols=8)  crash-third-call ") && $0.hasSuffix("  2 failed (SIGSEGV)") }, "\(o2)")
    }
}
