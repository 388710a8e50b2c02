import Foundation
import Testing

/// The layers the package declares hold in the sources: PosLabCore imports nothing of PosLab's,
/// and tasks use the core, the random generator and text, never the model.
@Suite struct LayeringTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every module `import`ed by a Swift file under `Sources/<module>/`.
    func imports(of module: String) throws -> Set<String> {
        let folder = Self.sources.appendingPathComponent(module)
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty, "no Swift files in \(folder.path)")
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

    @Test func tasksDoNotDependOnTheModel() throws {
        #expect(try imports(of: "PosLabTasks").subtracting(["Foundation"]) == ["PosLabCore", "PosLabStatistics", "PosLabText"])
    }

    @Test func theCoreImportsNothingOfPosLab() throws {
        #expect(try imports(of: "PosLabCore").subtracting(["Foundation"]).isEmpty)
    }
}
