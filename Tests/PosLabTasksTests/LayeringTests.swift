import Foundation
import Testing

/// The layers Package.swift declares hold in the sources: every module under `Sources/` imports
/// exactly the PosLab modules its target lists as dependencies — none reached around a layer, none
/// declared and unused — and the table below, which says what each layer may use, is the package's.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sources = root.appendingPathComponent("Sources")

    /// Each module's PosLab imports (the modules it may use), from the bottom up. A new module
    /// under `Sources/` must be added here (`everyModuleIsInTheTable`).
    static let allowed: [String: Set<String>] = [
        // C bridges and C targets: no Swift, no PosLab imports.
        "CGSL": [], "COpenBLAS": [], "CBLASKernel": [], "CAttentionKernel": [], "CRunGuard": [], "CBuildInfo": [], "poslab": [],
        // The build's commit: depended on by no module (CBuildInfo reaches it by a weak symbol).
        "PosLabBuildInfo": [],
        // Random numbers and SHA-256; the statistics beside them, never below the engine.
        "PosLabSupport": ["CGSL"],
        "PosLabStatistics": ["CGSL", "PosLabSupport"],
        "PosLabCore": [],
        "PosLabEngine": ["CAttentionKernel", "CBLASKernel", "COpenBLAS", "PosLabSupport"],
        "PosLabModel": ["PosLabCore", "PosLabEngine", "PosLabSupport"],
        "PosLabText": ["PosLabSupport"],
        // Tasks use the core, the random generator and text, never the model.
        "PosLabTasks": ["PosLabCore", "PosLabSupport", "PosLabText"],
        // What a study is: suite files, grids, run plans and identities. Nothing that runs or stores.
        "PosLabStudy": ["PosLabCore", "PosLabModel", "PosLabSupport", "PosLabTasks"],
        // What a study wrote and shows: records, CSV, manifest, claims, statistics. Never the runner.
        "PosLabResults": ["PosLabStudy", "PosLabCore", "PosLabModel", "PosLabStatistics", "PosLabSupport", "PosLabTasks", "CBuildInfo"],
        // What runs a study: the trainer and the suite runner, writing through PosLabResults.
        "PosLabRunner": ["PosLabStudy", "PosLabResults", "PosLabModel", "PosLabTasks", "CRunGuard"],
        // The report reads results; it neither runs nor reads suite files.
        "PosLabReport": ["PosLabResults", "PosLabCore", "PosLabModel", "PosLabStatistics", "PosLabTasks"],
        "PosLabCLI": ["PosLabStudy", "PosLabResults", "PosLabRunner", "PosLabReport", "PosLabModel", "PosLabTasks", "PosLabText"],
        "poslab-abi-hash": [],
        "poslab-bench": ["PosLabModel"],
    ]

    /// The folders under `Sources/`: the package's modules.
    static func modules() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") })
    }

    /// Every module `import`ed by a Swift file under `Sources/<module>/`.
    static func imports(of module: String) throws -> Set<String> {
        let folder = sources.appendingPathComponent(module)
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        var modules = Set<String>()
        for file in files {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                // `import M`, `@_exported import M`, `internal import M`, …
                let words = line.split(separator: " ").drop { $0.hasPrefix("@") || ["public", "package", "internal", "private"].contains($0) }
                if words.first == "import", words.count > 1 { modules.insert(String(words[words.startIndex + 1])) }
            }
        }
        return modules
    }

    /// Each target's dependencies among the package's own modules, as Package.swift declares them.
    static func declaredDependencies(among modules: Set<String>) throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var declared: [String: Set<String>] = [:]
        // `.target(name: "X", dependencies: [...])`, `.executableTarget(…)`, `.systemLibrary(…)`, one per line
        // (the test targets and products aside).
        for match in manifest.split(separator: "\n        .", omittingEmptySubsequences: true).dropFirst() {
            let text = String(match)
            guard ["target(", "executableTarget(", "systemLibrary("].contains(where: { text.hasPrefix($0) }) else { continue }
            guard let name = Self.quoted(in: text.drop { $0 != "\"" }).first else { continue }
            var dependencies = Set<String>()
            if let start = text.range(of: "dependencies: [") {
                let list = text[start.upperBound...].prefix { $0 != "]" }
                dependencies = Set(Self.quoted(in: list)).intersection(modules)
            }
            declared[name] = dependencies
        }
        return declared
    }

    /// The double-quoted strings in `text`, in order.
    static func quoted(in text: Substring) -> [String] {
        text.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test func everyModuleIsInTheTable() throws {
        let modules = try Self.modules()
        #expect(modules.subtracting(Self.allowed.keys).isEmpty, "modules under Sources/ missing from LayeringTests.allowed")
        #expect(Set(Self.allowed.keys).subtracting(modules).isEmpty, "modules in LayeringTests.allowed not under Sources/")
    }

    @Test func everyModuleImportsExactlyWhatItMay() throws {
        let modules = try Self.modules()
        for module in modules.sorted() {
            let imported = try Self.imports(of: module).intersection(modules)
            #expect(imported == Self.allowed[module] ?? [],
                    "\(module) imports \(imported.sorted()), allowed \((Self.allowed[module] ?? []).sorted())")
        }
    }

    @Test func packageSwiftDeclaresTheTable() throws {
        let modules = try Self.modules()
        let declared = try Self.declaredDependencies(among: modules)
        for module in modules.sorted() {
            #expect(declared[module] == Self.allowed[module], "Package.swift: \(module) depends on \((declared[module] ?? []).sorted())")
        }
    }

    @Test func tasksDoNotDependOnTheModel() throws {
        #expect(!(try Self.imports(of: "PosLabTasks")).contains("PosLabModel"))
    }

    /// The engine and the model a plugin compiles against use the random generator, not the
    /// statistics of a study (which moved out of their way into PosLabStatistics).
    @Test func theEngineAndTheModelDoNotUseTheStatistics() throws {
        #expect(!(try Self.imports(of: "PosLabEngine")).contains("PosLabStatistics"))
        #expect(!(try Self.imports(of: "PosLabModel")).contains("PosLabStatistics"))
    }

    @Test func theCoreImportsNothingOfPosLab() throws {
        #expect(try Self.imports(of: "PosLabCore").intersection(Self.modules()).isEmpty)
    }
}
