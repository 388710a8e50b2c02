import Foundation
import PosLabResults
import PosLabTestSupport
import Testing

/// One-file plugins: `poslab plugin new`, `poslab plugin build` (swiftc against the built PosLab's
/// modules, cached) and building on first use. Each test has a plugin cache of its own.
@Suite(.serialized) struct PluginBuildTests {
    /// A folder with an empty plugin cache, and the environment that points `poslab` at it.
    func workspace(_ name: String = #function) -> (URL, [String: String?]) {
        let dir = temporaryDirectory(name)
        return (dir, ["POSLAB_PLUGIN_CACHE": dir.appendingPathComponent("cache").path])
    }

    /// `plugin new` writes a skeleton that `plugin build` compiles without a package, the library
    /// lands in the cache, it loads, and `check-plugin` passes every check, given the library or the file.
    @Test func skeletonBuildsLoadsAndPassesTheChecks() throws {
        let (dir, env) = workspace()
        let (s0, o0, e0) = try runPoslab(["plugin", "new", "tiny-bias"], in: dir, environment: env)
        #expect(s0 == 0 && o0.hasPrefix("wrote TinyBias.swift"), "\(o0)\(e0)")
        let source = try String(contentsOf: dir.appendingPathComponent("TinyBias.swift"), encoding: .utf8)
        #expect(source.contains("public static let registryName = \"tiny-bias\"") && source.contains("@_cdecl(\"poslab_register_encodings\")"))

        let (s1, o1, e1) = try runPoslab(["plugin", "build", "TinyBias.swift"], in: dir, environment: env)
        #expect(s1 == 0, "\(e1)")
        let library = o1.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(library.hasPrefix(dir.appendingPathComponent("cache/TinyBias-").path) && library.hasSuffix("/libTinyBias.so"), "\(o1)")
        #expect(FileManager.default.fileExists(atPath: library))
        #expect(e1.contains("built plugin TinyBias.swift in "), "\(e1)")

        let (s2, o2, e2) = try runPoslab(["check-plugin", library], in: dir, environment: env)
        #expect(s2 == 0, "\(o2)\(e2)")
        #expect(o2.contains("tiny-bias:") && o2.contains("all checks passed") && !o2.contains("FAIL"), "\(o2)")
        // The source itself, anywhere a library is taken: built on first use (here a cache hit) and loaded.
        let (s3, o3, e3) = try runPoslab(["list", "--plugin", "TinyBias.swift"], in: dir, environment: env)
        #expect(s3 == 0 && o3.contains("tiny-bias") && e3.contains("loaded plugin TinyBias.swift: tiny-bias") && !e3.contains("built plugin"), "\(o3)\(e3)")
        // `plugin new` does not overwrite a file.
        let (s4, _, e4) = try runPoslab(["plugin", "new", "TinyBias"], in: dir, environment: env)
        #expect(s4 == 2 && e4.contains("TinyBias.swift exists"), "\(e4)")
    }

    /// The second build of the same source is a cache hit: the compiler is not run (a compiler that
    /// always fails is given, and the build still succeeds with the same library); an edited source is
    /// a miss (the same failing compiler now fails it).
    @Test func secondBuildIsACacheHit() throws {
        let (dir, env) = workspace()
        _ = try runPoslab(["plugin", "new", "cached-bias"], in: dir, environment: env)
        let (s1, o1, e1) = try runPoslab(["plugin", "build", "CachedBias.swift"], in: dir, environment: env)
        #expect(s1 == 0, "\(e1)")
        var broken = env
        broken["POSLAB_SWIFTC"] = "/bin/false"
        let (s2, o2, e2) = try runPoslab(["plugin", "build", "CachedBias.swift"], in: dir, environment: broken)
        #expect(s2 == 0 && o2 == o1, "\(o2)\(e2)")
        #expect(e2 == "plugin CachedBias.swift: up to date (cached)\n", "\(e2)")
        // Another file name is another module; the same name with other contents another key.
        let file = dir.appendingPathComponent("CachedBias.swift")
        try (String(contentsOf: file, encoding: .utf8) + "// edited\n").write(to: file, atomically: true, encoding: .utf8)
        let (s3, _, e3) = try runPoslab(["plugin", "build", "CachedBias.swift"], in: dir, environment: broken)
        #expect(s3 == 2 && e3.contains("does not compile"), "\(e3)")
    }

    /// A compile error: swiftc's diagnostic with the file's path and line, exit 2, nothing cached;
    /// and the same from `run` with the suite's plugin, naming the suite's file and line.
    @Test func compileErrorIsReportedWithThePathAndExit2() throws {
        let (dir, env) = workspace()
        _ = try runPoslab(["plugin", "new", "broken-bias"], in: dir, environment: env)
        let file = dir.appendingPathComponent("BrokenBias.swift")
        var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.contains("let maxDistance: Int") })
        lines[line] = "    let maxDistance: Int = \"eight\""
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

        let (s1, o1, e1) = try runPoslab(["plugin", "build", "BrokenBias.swift"], in: dir, environment: env)
        #expect(s1 == 2 && o1.isEmpty, "\(o1)")
        #expect(e1.contains("\(file.path):\(line + 1):"), "\(e1)")
        #expect(e1.contains("error: cannot convert value of type 'String'"), "\(e1)")
        #expect(e1.contains("error: plugin BrokenBias.swift: does not compile (swiftc exited with status 1; nothing was cached)"), "\(e1)")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("cache").path)) ?? []
        #expect(!cached.contains { $0.hasPrefix("BrokenBias") }, "\(cached)")

        let suite = dir.appendingPathComponent("suite.yaml")
        try "encodings: [none, broken-bias]\nplugins: [BrokenBias.swift]\ntasks: [shift]\nseeds: [1]\n".write(to: suite, atomically: true, encoding: .utf8)
        let (s2, _, e2) = try runPoslab(["run", suite.path, "--out", "out"], in: dir, environment: env)
        #expect(s2 == 2 && e2.contains("error: \(suite.path):2: plugins[0]: ") && e2.contains("does not compile"), "\(e2)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    /// `plugins: [FILE.swift]` in a suite and `--plugin FILE.swift` build on first use and train.
    @Test func suiteAndCommandLineBuildOnFirstUse() throws {
        let (dir, env) = workspace()
        _ = try runPoslab(["plugin", "new", "suite-bias"], in: dir, environment: env)
        let suite = dir.appendingPathComponent("suite.yaml")
        let body = """
            encodings: [none, suite-bias]
            tasks: [shift]
            seeds: [1]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 20, batch_size: 8, length: 6}
            evaluation: {lengths: [6], size: 16}
            """
        try ("plugins: [SuiteBias.swift]\n" + body).write(to: suite, atomically: true, encoding: .utf8)
        let (s1, _, e1) = try runPoslab(["run", suite.path, "--out", "file"], in: dir, environment: env)
        #expect(s1 == 0 && e1.contains("built plugin "), "\(e1)")
        let rows = try #require(try CSVTable.read(dir.appendingPathComponent("file/runs.csv"), expectedHeader: ResultsStore.runColumns))
        #expect(rows.rows.filter { $0[rows.column("encoding")] == "suite-bias" && $0[rows.column("status")] == "ok" }.count == 1)

        try body.write(to: suite, atomically: true, encoding: .utf8)
        let (s2, _, e2) = try runPoslab(["run", suite.path, "--plugin", "SuiteBias.swift", "--out", "cli"], in: dir, environment: env)
        #expect(s2 == 0 && !e2.contains("built plugin "), "\(e2)")  // a cache hit
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cli/runs.csv").path))
    }

    /// The three example plugins build from one file each and pass every check.
    @Test(arguments: ["Sandwich", "TransformerXL", "CAPE"])
    func examplePluginsPassTheChecks(_ name: String) throws {
        let (dir, env) = workspace(name)
        let file = repositoryRoot.appendingPathComponent("Examples/plugins/\(name).swift").path
        let (s, o, e) = try runPoslab(["check-plugin", file], in: dir, environment: env)
        #expect(s == 0 && o.contains("all checks passed") && !o.contains("FAIL"), "\(o)\(e)")
    }
}
