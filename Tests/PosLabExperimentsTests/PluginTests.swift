import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabTestSupport
import Testing

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Builds the plugin whose `.swift` files are in the folder `relativePath` with `poslab plugin build`
/// (swiftc against this build's modules, seconds; cached by the sources and this libPosLab.so) and
/// returns its library. The examples' and fixtures' folders are built this way, not as SwiftPM
/// packages, each of which would compile all of PosLab again (minutes each); the package route is
/// `examplePackagesDependOnThePosLabProduct`.
func buildPlugin(_ relativePath: String) throws -> URL {
    let (status, out, err) = try runPoslab(["plugin", "build", repositoryRoot.appendingPathComponent(relativePath).path],
                                           in: repositoryRoot)
    guard status == 0 else { throw PluginError(path: relativePath, reason: "build failed:\n\(err)") }
    return URL(fileURLWithPath: out.trimmingCharacters(in: .whitespacesAndNewlines))
}

/// A broken plugin of `Tests/PluginFixtures/<name>/`, built; its library's path.
func brokenPlugin(_ name: String) throws -> String { try buildPlugin("Tests/PluginFixtures/\(name)").path }

/// Plugin tests share built libraries; they run one after another.
@Suite(.serialized) struct PluginTests {
    /// Every built-in encoding passes the same conformance checks as a plugin.
    @Test(arguments: ["none", "learned", "sinusoidal", "relative-bias", "alibi", "rope", "randomized(learned)",
                      "kerple", "kerple(kind=power)", "alibi-asym", "fire", "rope(scaling=yarn)", "shaw", "xpos", "cope"])
    func builtinsPassConformance(_ spec: String) throws {
        let checks = ConformanceChecker(spec: try Spec(parsing: spec)).run()
        #expect(checks.count == 10)
        for c in checks { #expect(c.status != .failed, "\(spec): \(c.name): \(c.detail)") }
        // Only cope declares a single mode (causal): its two bidirectional checks are unsupported, not failed.
        #expect(checks.filter { $0.status == .unsupported }.map(\.name).count == (spec == "cope" ? 2 : 0))
    }

    @Test func examplePluginLoadsChecksAndRuns() throws {
        let library = try buildPlugin("Examples/FirePlugin/Sources/FirePlugin")
        let dir = temporaryDirectory()
        let (status, out, err) = try runPoslab(["check-plugin", library.path], in: dir)
        #expect(status == 0, "\(out)\(err)")
        #expect(out.contains("all checks passed") && !out.contains("FAIL"))

        // --plugin on the command line.
        let suite = dir.appendingPathComponent("fire.yaml")
        try """
            encodings: [none, fire-example(hidden=16)]
            tasks: [shift]
            seeds: [1, 2]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 30, batch_size: 8, length: 6}
            evaluation: {lengths: [6, 12], size: 16}
            """.write(to: suite, atomically: true, encoding: .utf8)
        let (runStatus, _, runErr) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "cli"], in: dir)
        #expect(runStatus == 0, "\(runErr)")
        let rows = try #require(try CSVTable.read(dir.appendingPathComponent("cli/runs.csv"), expectedHeader: ResultsStore.runColumns))
        let fire = rows.rows.filter { $0[rows.column("encoding")] == "fire-example" }
        #expect(fire.count == 4 && fire.allSatisfy { $0[rows.column("encoding_args")] == "hidden=16" && $0[rows.column("status")] == "ok" })
        // The manifest names the plugin with its content hash.
        let manifest = try #require(Manifest.read(dir.appendingPathComponent("cli/manifest.json")))
        #expect(manifest.plugins == [Manifest.PluginFile(path: library.standardizedFileURL.path, sha256: SHA256.hex(try Data(contentsOf: library)),
                                                         encodings: ["fire-example(hidden=16)"])], "\(String(describing: manifest.plugins))")

        // plugins: in the suite file (relative to the file), and without it the name is unknown.
        let (noPlugin, _, noErr) = try runPoslab(["run", suite.path, "--out", "none"], in: dir)
        #expect(noPlugin == 2 && noErr.contains("encodings[1]") && noErr.contains("unknown encoding"))
        try FileManager.default.copyItem(at: library, to: dir.appendingPathComponent("libFire.so"))
        try ("plugins: [libFire.so]\n" + String(contentsOf: suite, encoding: .utf8)).write(to: suite, atomically: true, encoding: .utf8)
        let (fileStatus, _, fileErr) = try runPoslab(["run", suite.path, "--out", "file"], in: dir)
        #expect(fileStatus == 0, "\(fileErr)")
        // The same encoding name from two libraries is refused.
        let (dup, _, dupErr) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "dup"], in: dir)
        #expect(dup == 2 && dupErr.contains("already registered"), "\(dupErr)")
    }

    /// The second example, an encoding written with the score hook, passes every check.
    @Test func scoreHookExamplePluginPasses() throws {
        let library = try buildPlugin("Examples/ShawPlugin/Sources/ShawPlugin")
        let (status, out, err) = try runPoslab(["check-plugin", library.path], in: temporaryDirectory())
        #expect(status == 0, "\(out)\(err)")
        #expect(out.contains("shaw-example:") && out.contains("all checks passed") && !out.contains("FAIL"), "\(out)")
    }

    /// The package route (docs/plugins.md) as the examples' manifests write it: each is a dynamic
    /// library whose one target depends on the `PosLab` product of the package at this repository,
    /// and that product is PosLab's one dynamic library. Read with `swift package dump-package`
    /// (a second, compiling, build of all of PosLab per package is what the test command no longer
    /// pays for; the sources the packages compile are built and checked above).
    @Test(arguments: ["FirePlugin", "ShawPlugin"])
    func examplePackagesDependOnThePosLabProduct(_ name: String) throws {
        func manifest(_ folder: URL) throws -> [String: Any] {
            let (status, out, err, timedOut) = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                                    ["swift", "package", "dump-package", "--package-path", folder.path,
                                                     // not the package's own build folder, which `swift test` holds locked
                                                     "--scratch-path", temporaryDirectory().path], timeout: 300)
            #expect(status == 0 && !timedOut, "\(err)")
            return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        }
        func dynamicProducts(_ json: [String: Any]) -> [String: [String]] {
            var found: [String: [String]] = [:]
            for product in json["products"] as? [[String: Any]] ?? [] {
                let type = product["type"] as? [String: Any]
                if (type?["library"] as? [String]) == ["dynamic"] { found[product["name"] as? String ?? ""] = product["targets"] as? [String] }
            }
            return found
        }
        let example = try manifest(repositoryRoot.appendingPathComponent("Examples/\(name)"))
        #expect(dynamicProducts(example) == [name: [name]])
        let dependency = try #require((example["dependencies"] as? [[String: Any]])?.first?["fileSystem"] as? [[String: Any]])
        #expect(URL(fileURLWithPath: dependency.first?["path"] as? String ?? "").standardizedFileURL.path
                == repositoryRoot.standardizedFileURL.path)
        let target = try #require((example["targets"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let products = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { ($0["product"] as? [Any])?.prefix(2).compactMap { $0 as? String } }
        #expect(products == [["PosLab", "PosLab"]], "\(target)")  // (product, package)
        let poslab = dynamicProducts(try manifest(repositoryRoot))
        #expect(poslab["PosLab"]?.contains("PosLabModel") == true, "\(poslab)")
    }

    @Test func brokenPluginsAreReported() throws {
        let missing = try buildPlugin("Tests/PluginFixtures/NoEntryPoint")
        let bad = try buildPlugin("Tests/PluginFixtures/BadGradient")
        let dir = temporaryDirectory()
        let (s1, _, e1) = try runPoslab(["check-plugin", missing.path], in: dir)
        #expect(s1 == 2 && e1.contains("missing entry point poslab_register_encodings"), "\(e1)")
        let (s2, o2, _) = try runPoslab(["check-plugin", bad.path, "--probe-steps", "20"], in: dir)
        #expect(s2 == 1)
        #expect(o2.contains("FAIL  finite-difference gradients") && o2.contains("bad.table"), "\(o2)")
    }

    /// Each mistake a plugin can make, with the exact line `check-plugin` prints and its exit status.
    @Test func pluginMistakesAreReportedExactly() throws {
        let dir = temporaryDirectory()
        func check(_ product: String) throws -> (Int32, String, String) {
            let library = try buildPlugin("Tests/PluginFixtures/\(product)")
            return try runPoslab(["check-plugin", library.path, "--probe-steps", "20"], in: dir)
        }

        // Loading fails: one line on standard error, exit 2, no check run.
        let (s1, o1, e1) = try check("DuplicateName")
        #expect(s1 == 2 && o1.isEmpty, "\(o1)")
        #expect(e1 == "error: plugin \(try brokenPlugin("DuplicateName")): registration failed: rope: an encoding of this name is already registered by built-in and again by \(try brokenPlugin("DuplicateName")); rename one of them\n")
        let (s2, _, e2) = try check("NoEntryPoint")
        #expect(s2 == 2 && e2.hasSuffix("libNoEntryPoint.so: missing entry point poslab_register_encodings — export it with @_cdecl(\"poslab_register_encodings\") (see Examples/FirePlugin)\n"), "\(e2)")

        // A wrong shape: the hook and the shapes expected, in the first check after building.
        let (s3, o3, _) = try check("WrongShape")
        #expect(s3 == 1)
        #expect(o3.contains("""
              PASS  builds in every attention mode it declares
                    wrong-shape
              FAIL  hook output shapes and finite values at lengths 1, 5, 12 (bidirectional)
                    attentionBias at length 1 (bidirectional) returned shape [4, 2, 2]; expected [1, 1] or [4, 1, 1] or [1, 4, 1, 1] or [2, 4, 1, 1]
            """), "\(o3)")
        #expect(o3.contains("        wrong-shape: attentionBias returned shape [4, 11, 11]; expected [10, 10] or [4, 10, 10] or [1, 4, 10, 10] or [2, 4, 10, 10]\n"))

        // NaN: named with its element, and the gradient check fails too.
        let (s4, o4, _) = try check("NaNBias")
        #expect(s4 == 1)
        #expect(o4.contains("        attentionBias at length 1 (bidirectional): element 0 of 1 is nan; hooks must return finite values\n"), "\(o4)")
        #expect(o4.contains("  FAIL  finite-difference gradients (causal)\n        gradient check FAILED: 0 coordinates, worst relative error inf (tolerance 0.02) at output[0] is nan (values must be finite)\n"))

        // A throw from make: the encoding and the plugin named with the plugin's own error.
        let (s5, o5, _) = try check("ThrowingMake")
        #expect(s5 == 1)
        #expect(o5.hasSuffix("""
              FAIL  builds in every attention mode it declares
                    throwing-make: cannot be built (\(try brokenPlugin("ThrowingMake"))): needsEightHeads(got: 4)

            1 check failed

            """), "\(o5)")
        // The same in a suite: exit 2, the suite's file and line, the encoding and the plugin; nothing written.
        let suite = dir.appendingPathComponent("throws.yaml")
        try "encodings: [none, throwing-make]\ntasks: [shift]\nseeds: [1]\n".write(to: suite, atomically: true, encoding: .utf8)
        let (s5b, _, e5b) = try runPoslab(["run", suite.path, "--plugin", try brokenPlugin("ThrowingMake"), "--out", "throws"], in: dir)
        #expect(s5b == 2 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("throws").path))
        #expect(e5b.hasSuffix("error: \(suite.path):1: encodings[1]: cannot be built (\(try brokenPlugin("ThrowingMake"))): needsEightHeads(got: 4) (in 'throwing-make')\n"), "\(e5b)")

        // A segfault and an exit(0) in a hook: a FAIL naming the check and how the process ended,
        // after the PASS line printed before it.
        let (s6, o6, _) = try check("Crash")
        #expect(s6 == 1)
        #expect(o6.hasSuffix("""
              PASS  builds in every attention mode it declares
                    crash
              FAIL  hook output shapes and finite values at lengths 1, 5, 12 (bidirectional)
                    the encoding crashed the process: signal 11 (SIGSEGV); the checks after it did not run

            1 check failed

            """), "\(o6)")
        let (s7, o7, _) = try check("Exit")
        #expect(s7 == 1)
        #expect(o7.hasSuffix("""
              PASS  builds in every attention mode it declares
                    exit
              FAIL  hook output shapes and finite values at lengths 1, 5, 12 (bidirectional)
                    the encoding ended the process with exit(0) before the checks finished; the checks after it did not run

            1 check failed

            """), "\(o7)")
    }

    /// The same mistakes in `poslab run`, each growing a finished study by the plugin's encoding:
    /// the exact message and exit status (a crash or an exit() at the first call is refused, naming
    /// the signal or the status; a crash later in training is `pluginCrashFailsOnlyItsRuns`), and
    /// the study's earlier records and checkpoints unchanged, byte for byte.
    @Test func pluginMistakesInRunKeepEarlierResults() throws {
        let dir = temporaryDirectory()
        let base = """
            tasks: [shift]
            seeds: [1]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 30, batch_size: 8, length: {min: 4, max: 8}, log_every: 10}
            evaluation: {lengths: [8], size: 32}

            """
        let first = dir.appendingPathComponent("first.yaml"), suite = dir.appendingPathComponent("grown.yaml")
        try ("name: s\nencodings: [none]\n" + base).write(to: first, atomically: true, encoding: .utf8)
        let (s0, _, e0) = try runPoslab(["run", first.path, "--out", "R"], in: dir)
        #expect(s0 == 0, "\(e0)")
        let runs = dir.appendingPathComponent("R/runs")
        func finished() throws -> [String: Data] {
            let names = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { $0.hasSuffix(".json") || $0.hasSuffix(".safetensors") }
            return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: runs.appendingPathComponent($0))) })
        }
        let before = try finished()
        #expect(before.count == 2)
        let firstCall = "when PosLab first called it, checking that it changes the model's output against none; nothing was written. "
            + "`poslab check-plugin` on the plugin names the hook; fix it, or remove the encoding from the suite\n"
        let cases: [(product: String, encoding: String, status: Int32, ending: String)] = [
            ("DuplicateName", "rope", 2, "error: plugin \(try brokenPlugin("DuplicateName")): registration failed: rope: an encoding of this name is already registered by built-in and again by \(try brokenPlugin("DuplicateName")); rename one of them\n"),
            ("NoEntryPoint", "none", 2, "error: plugin \(try brokenPlugin("NoEntryPoint")): missing entry point poslab_register_encodings — export it with @_cdecl(\"poslab_register_encodings\") (see Examples/FirePlugin)\n"),
            ("ThrowingMake", "throwing-make", 2, "error: \(suite.path):2: encodings[1]: cannot be built (\(try brokenPlugin("ThrowingMake"))): needsEightHeads(got: 2) (in 'throwing-make')\n"),
            // PosLab's own error type thrown in a plugin: reported exactly as a built-in's.
            ("BadArgument", "kerple-log(r1=0)", 2, "error: \(suite.path):2: encodings[1]: must be in 0.001...100.0 (got 0.0) (in 'kerple-log(r1=0)')\n"),
            ("WrongShape", "wrong-shape", 1, "[2/2] shift · wrong-shape · seed 1: FAILED: wrong-shape: attentionBias returned shape [2, 9, 9]; expected [8, 8] or [2, 8, 8] or [1, 2, 8, 8] or [8, 2, 8, 8]\n"),
            ("NaNBias", "nan-bias", 1, "[2/2] shift · nan-bias · seed 1: FAILED: nan-bias: attentionBias at length 8 (bidirectional): element 0 of 64 is nan; hooks must return finite values\n"),
            // A crash or an exit() at the first call: refused by the check that the encoding changes the output, run in a worker.
            ("Crash", "crash", 2, "error: \(suite.path): encodings[1]: 'crash' (plugin \(try brokenPlugin("Crash"))) crashed the worker process: signal 11 (SIGSEGV) " + firstCall),
            ("Exit", "exit", 2, "error: \(suite.path): encodings[1]: 'exit' (plugin \(try brokenPlugin("Exit"))) ended the worker process with exit(0) before its job finished " + firstCall),
        ]
        for c in cases {
            let library = try buildPlugin("Tests/PluginFixtures/\(c.product)")
            try ("name: s\nencodings: [none, \"\(c.encoding)\"]\n" + base).write(to: suite, atomically: true, encoding: .utf8)
            let (status, _, err) = try runPoslab(["run", suite.path, "--plugin", library.path, "--out", "R"], in: dir)
            #expect(status == c.status && err.contains(c.ending), "\(c.product): status \(status)\n\(err)")
            let after = try finished()
            for (name, data) in before { #expect(after[name] == data, "\(c.product): \(name) changed or lost") }
        }
        // The study itself is whole: rerunning it trains nothing.
        let (s1, _, e1) = try runPoslab(["run", first.path, "--out", "R"], in: dir)
        #expect(s1 == 0 && e1.contains("resuming: 1 of 1 runs already finished"), "\(e1)")
        #expect(try finished().filter { before[$0.key] != nil } == before)
    }

    /// The ABI version is the hash of the interface sources, computed by the build: the build's
    /// tool gives this version for the files it names, the same after a comment is added to one,
    /// and another after a declaration changes.
    @Test func abiVersionIsAHashOfTheInterface() throws {
        let tool = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("poslab-abi-hash")
        let dir = temporaryDirectory()
        let copies = try PluginABI.interfaceFiles.map { name in
            let copy = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Sources/" + name), to: copy)
            return copy
        }
        func hash() throws -> Int32 {
            let output = dir.appendingPathComponent("out.swift")
            let (status, _, err) = try runProcess(tool, [output.path, dir.path] + copies.map(\.path))
            #expect(status == 0, "\(err)")
            let text = try String(contentsOf: output, encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.contains("interfaceHash: Int32 { ") })
            return try #require(Int32(line.split(separator: " ").dropLast().last!))
        }
        #expect(try hash() == PluginABI.version)
        let encoding = dir.appendingPathComponent("PosLabModel/PositionalEncoding.swift")
        try (String(contentsOf: encoding, encoding: .utf8) + "\n// a comment\n").write(to: encoding, atomically: true, encoding: .utf8)
        #expect(try hash() == PluginABI.version)
        try String(contentsOf: encoding, encoding: .utf8).replacingOccurrences(of: "func embedLayer(", with: "func embedBlock(")
            .write(to: encoding, atomically: true, encoding: .utf8)
        #expect(try hash() != PluginABI.version)
    }

    /// The hash covers every source a plugin compiles against — PosLabModel's and those of the PosLab
    /// modules it depends on, which it re-exports — not a hand-kept list of files (which missed
    /// RegistryOrigin.swift, the type of a registry entry's origin). A file added to any of them is
    /// hashed without anyone listing it.
    @Test func abiVersionCoversEveryPluginFacingSource() throws {
        let modules = ["PosLabCore", "PosLabEngine", "PosLabSupport", "PosLabModel"]
        var expected: Set<String> = []
        for module in modules {
            let folder = repositoryRoot.appendingPathComponent("Sources/" + module)
            let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
            for case let file as URL in files where file.pathExtension == "swift" {
                expected.insert(module + "/" + String(file.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)))
            }
        }
        #expect(expected.contains("PosLabCore/RegistryOrigin.swift"))
        #expect(expected.contains("PosLabModel/Encodings/ShawEncoding.swift"))
        #expect(Set(PluginABI.interfaceFiles) == expected,
                "not hashed: \(expected.subtracting(PluginABI.interfaceFiles).sorted()); not PosLab's: \(Set(PluginABI.interfaceFiles).subtracting(expected).sorted())")
    }

    /// In `poslab` a plugin's libPosLab.so is poslab's own (every CLI test above loads plugins with
    /// this check on). This test binary links PosLab statically, so here the plugin brings a second
    /// copy, and the loader refuses it, naming both.
    @Test func aSecondCopyOfPosLabIsRefused() throws {
        let library = try buildPlugin("Examples/FirePlugin/Sources/FirePlugin")
        let registry = EncodingRegistry()
        do {
            try PluginLoader.load(library.path, into: registry)
            Issue.record("a plugin with its own copy of PosLab was loaded")
        } catch let error as PluginError {
            #expect(error.reason.hasPrefix("brought its own copy of PosLab (/") && error.reason.contains("/libPosLab.so) instead of this poslab's (/")
                    && error.reason.contains("PosLabPackageTests.xctest)"), "\(error)")
        }
        #expect(registry.entry("fire-example") == nil)
    }

    @Test func versionMismatchIsRefused() throws {
        let library = try buildPlugin("Examples/FirePlugin/Sources/FirePlugin")
        do {
            try PluginLoader.load(library.path, into: EncodingRegistry(), hostVersion: PluginABI.version &+ 1,
                                  requireSharedLibrary: false)
            Issue.record("a plugin built for another ABI version was accepted")
        } catch let error as PluginError {
            #expect(error.reason.contains("ABI version \(PluginABI.version)") && error.reason.contains("rebuild"), "\(error)")
        }
        let fresh = EncodingRegistry()
        #expect(try PluginLoader.load(library.path, into: fresh, requireSharedLibrary: false) == ["fire-example"])
        #expect(fresh.entry("fire-example")?.origin.pluginPath?.hasSuffix("libFirePlugin.so") == true)
    }
}
