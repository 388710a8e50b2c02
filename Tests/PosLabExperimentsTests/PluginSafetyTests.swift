import Foundation
import PosLabModel
import PosLabResults
import PosLabTestSupport
import Testing

/// Plugins in `poslab run` are never silently inert and their crashes are contained (issue 24,
/// items 2 and 3). In `PluginTests`, so they run one after another with the other plugin tests.
extension PluginTests {
    /// A suite of `encodings` on shift with one layer (a bias hook is called once per forward pass).
    static func smallSuite(_ encodings: String, seeds: String = "[1]") -> String {
        """
        name: s
        encodings: \(encodings)
        tasks: [shift]
        seeds: \(seeds)
        model: {d_model: 16, layers: 1, heads: 2}
        training: {steps: 20, batch_size: 8, length: 6, log_every: 1}
        evaluation: {lengths: [6, 12], size: 16}

        """
    }

    /// A plugin written for protocol 1 (its `attentionBias(positions:layer:)` matches no hook and is
    /// never called) is refused by `run` with exit 2 before anything is written, naming the suite
    /// file, the encoding, the plugin and the fix; declared positionless, the same encoding trains;
    /// `check-plugin` fails it on the same check.
    @Test func inertPluginIsRefusedByRun() throws {
        let library = try buildPlugin("Tests/PluginFixtures/InertV1")
        let dir = temporaryDirectory()
        let suite = dir.appendingPathComponent("inert.yaml")
        try Self.smallSuite("[none, inert-v1]").write(to: suite, atomically: true, encoding: .utf8)
        let (status, _, err) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "R"], in: dir)
        #expect(status == 2, "\(err)")
        #expect(err.contains("error: \(suite.path): encodings[1]: 'inert-v1' (plugin \(library.path)) leaves the model's output exactly as `none` does "
                             + "(every logit bit for bit as none's at length 6, in evaluation and training mode, and it has no parameters), "
                             + "so it would train as `none` under its own name; nothing was written."), "\(err)")
        #expect(err.contains("`attentionBias(positions:layer:)`") && err.contains("`attentionBias(context:)`")
                && err.hasSuffix("`public var isPositionless: Bool { true }`\n"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("R").path))

        // Declared positionless, it is not compared with none, and trains.
        try Self.smallSuite("[none, \"inert-v1(positionless=1)\"]").write(to: suite, atomically: true, encoding: .utf8)
        let (s2, _, e2) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "P"], in: dir)
        #expect(s2 == 0, "\(e2)")
        let rows = try #require(try CSVTable.read(dir.appendingPathComponent("P/runs.csv"), expectedHeader: ResultsStore.runColumns))
        #expect(rows.rows.filter { $0[rows.column("encoding")] == "inert-v1" && $0[rows.column("status")] == "ok" }.count == 2)

        // check-plugin fails it on the same check.
        let (s3, o3, _) = try runPoslab(["check-plugin", library.path, "--probe-steps", "20"], in: dir)
        #expect(s3 == 1)
        #expect(o3.contains("  FAIL  changes the model's output against none\n        every logit bit for bit as none's at length 8, "
                            + "in evaluation and training mode, and it has no parameters\n"), "\(o3)")
    }

    /// A plugin that segfaults on the third call of its hook passes the check before training (one
    /// call) and crashes each of its runs' workers at step 3: those runs are recorded failed naming
    /// SIGSEGV, their claims released, the other encodings' runs finish, the CSVs and the summary
    /// are written with the failed rows, and the exit status is 1. A second run retries only them.
    @Test func pluginCrashFailsOnlyItsRuns() throws {
        let library = try buildPlugin("Tests/PluginFixtures/CrashThirdCall")
        let dir = temporaryDirectory()
        let suite = dir.appendingPathComponent("crash.yaml")
        try Self.smallSuite("[none, crash-third-call, alibi]", seeds: "[1, 2]").write(to: suite, atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "R", "--jobs", "2"], in: dir)
        #expect(status == 1, "\(err)")
        let crash = "encoding crash-third-call from plugin \(library.path) crashed the worker process: signal 11 (SIGSEGV) (last logged step 2); "
            + "the other runs went on, and `poslab run` retries this one: fix or remove the encoding first (`poslab check-plugin` on the plugin names the hook)"
        #expect(err.contains("shift · crash-third-call · seed 1: FAILED: \(crash)\n"), "\(err)")
        let table = try #require(try CSVTable.read(dir.appendingPathComponent("R/runs.csv"), expectedHeader: ResultsStore.runColumns))
        let status_ = table.column("status"), encoding = table.column("encoding")
        for name in ["none", "alibi"] {
            #expect(table.rows.filter { $0[encoding] == name && $0[status_] == "ok" }.count == 4, "\(name)")  // 2 seeds × 2 lengths
        }
        let crashed = table.rows.filter { $0[encoding] == "crash-third-call" }
        #expect(!crashed.isEmpty && crashed.allSatisfy { $0[status_] == "failed" && $0[table.column("message")] == crash }, "\(crashed)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("R/curves.csv").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("R/summary.csv").path))
        #expect(out.contains("2 runs failed (rows with status failed); run the same command again to retry:\n")
                && out.contains("  shift|crash-third-call|1: \(crash)\n") && out.contains("  shift|crash-third-call|2: \(crash)\n"), "\(out)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("R/runs").path)
        #expect(runs.filter { $0.hasSuffix(".claim") }.isEmpty, "\(runs)")
        #expect(runs.filter { $0.hasSuffix(".json") }.count == 6, "\(runs)")

        // Running again retries the two failed runs only (they crash again) and keeps the others.
        let (s2, _, e2) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "R", "--jobs", "2"], in: dir)
        #expect(s2 == 1 && e2.contains("resuming: 4 of 6 runs already finished"), "\(e2)")
    }

    /// A library without `poslab_library_identity` is told apart by its file: one with PosLab's code
    /// in it and no libPosLab.so needed (a build from when the product was static; here the test
    /// binary, which links PosLab statically) is told to rebuild, one without PosLab at all to depend
    /// on the product; a plugin of today needs libPosLab.so.
    @Test func aLibraryWithoutTheIdentityIsDescribedTruthfully() throws {
        let testBinary = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("PosLabPackageTests.xctest")
        let needed = try #require(PluginLinkage.neededLibraries(testBinary.path))
        #expect(!needed.isEmpty && !needed.contains("libPosLab.so"), "\(needed)")
        let statically = PluginLinkage.missingIdentityProblem(testBinary.path)
        #expect(statically.hasPrefix("carries its own static copy of PosLab and links no libPosLab.so: it was built when the PosLab product was a static library")
                && !statically.contains("— depend on the PosLab product"), "\(statically)")
        let sh = PluginLinkage.missingIdentityProblem("/bin/sh")
        #expect(sh.hasPrefix("links no libPosLab.so and holds no PosLab code — depend on the PosLab product"), "\(sh)")
        let library = try buildPlugin("Tests/PluginFixtures/InertV1")
        #expect(PluginLinkage.neededLibraries(library.path)?.contains("libPosLab.so") == true)
        #expect(PluginLinkage.neededLibraries(notAnELFFile()) == nil)
    }

    func notAnELFFile() -> String {
        let url = temporaryDirectory().appendingPathComponent("not-elf.so")
        try! "not a library".write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
