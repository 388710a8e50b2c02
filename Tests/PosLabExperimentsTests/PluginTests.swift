import Foundation
import PosLabExperiments
import PosLabModel
import Testing

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Builds the package at `relativePath` (release) and returns the dynamic library `product`.
func buildPlugin(_ relativePath: String, product: String) throws -> URL {
    let package = repositoryRoot.appendingPathComponent(relativePath)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["swift", "build", "-c", "release", "--package-path", package.path, "--product", product]
    let log = Pipe()
    process.standardOutput = log
    process.standardError = log
    try process.run()
    let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PluginError(path: relativePath, reason: "build failed:\n\(output)") }
    return package.appendingPathComponent(".build/release/lib\(product).so")
}

/// Plugin tests share built libraries; they run one after another.
@Suite(.serialized) struct PluginTests {
    /// Every built-in encoding passes the same conformance checks as a plugin.
    @Test(arguments: ["none", "learned", "sinusoidal", "relative-bias", "alibi", "rope", "randomized(learned)",
                      "kerple", "kerple(kind=power)", "alibi-asym", "fire", "rope(scaling=yarn)", "shaw", "xpos", "cope"])
    func builtinsPassConformance(_ spec: String) throws {
        let checks = ConformanceChecker(spec: try Spec(parsing: spec)).run()
        #expect(checks.count == 9)
        for c in checks { #expect(c.status != .failed, "\(spec): \(c.name): \(c.detail)") }
        // Only cope declares a single mode (causal): its two bidirectional checks are unsupported, not failed.
        #expect(checks.filter { $0.status == .unsupported }.map(\.name).count == (spec == "cope" ? 2 : 0))
    }

    @Test func examplePluginLoadsChecksAndRuns() throws {
        let library = try buildPlugin("Examples/FirePlugin", product: "FirePlugin")
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

    @Test func brokenPluginsAreReported() throws {
        let missing = try buildPlugin("Tests/PluginFixtures", product: "NoEntryPoint")
        let bad = try buildPlugin("Tests/PluginFixtures", product: "BadGradient")
        let dir = temporaryDirectory()
        let (s1, _, e1) = try runPoslab(["check-plugin", missing.path], in: dir)
        #expect(s1 == 2 && e1.contains("missing entry point poslab_register_encodings"), "\(e1)")
        let (s2, o2, _) = try runPoslab(["check-plugin", bad.path, "--probe-steps", "20"], in: dir)
        #expect(s2 == 1)
        #expect(o2.contains("FAIL  finite-difference gradients") && o2.contains("bad.table"), "\(o2)")
    }

    @Test func versionMismatchIsRefused() throws {
        let library = try buildPlugin("Examples/FirePlugin", product: "FirePlugin")
        do {
            try PluginLoader.load(library.path, into: EncodingRegistry(), hostVersion: PluginABI.version + 1)
            Issue.record("a plugin built for another ABI version was accepted")
        } catch let error as PluginError {
            #expect(error.reason.contains("ABI version \(PluginABI.version)") && error.reason.contains("rebuild"), "\(error)")
        }
        let fresh = EncodingRegistry()
        #expect(try PluginLoader.load(library.path, into: fresh) == ["fire-example"])
        #expect(fresh.entry("fire-example")?.origin.hasSuffix("libFirePlugin.so") == true)
    }
}
