import Foundation
import PosLabResults
import Testing

/// The README's quick-suite table is what `poslab summarize` prints for the committed results in
/// docs/results/quick/, and its provenance line is the manifest's: Scripts/readme_table.sh writes
/// both, and this test fails when the README, the committed results or the summary's rendering
/// changed without the block being written again.
@Suite struct ReadmeTableTests {
    static let committed = repositoryRoot.appendingPathComponent("docs/results/quick")

    /// The README's block between the quick-table markers: the provenance paragraph and the table.
    static func readmeBlock() throws -> (provenance: String, table: String) {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- quick-table"), "README.md has no <!-- quick-table --> marker")
        let end = try #require(readme.range(of: "<!-- /quick-table -->"), "README.md has no <!-- /quick-table --> marker")
        let block = String(readme[start.upperBound..<end.lowerBound])
        let fence = block.components(separatedBy: "\n```\n")
        try #require(fence.count == 3, "the quick-table block holds one ``` fence")
        return (fence[0], fence[1])
    }

    @Test func theTableIsWhatTheCommittedRunsGive() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Self.committed.appendingPathComponent("runs.csv"),
                                         to: folder.appendingPathComponent("runs.csv"))
        let rendered = try Analysis(directory: folder).render()
        let (_, table) = try Self.readmeBlock()
        #expect(table == rendered.trimmingCharacters(in: .newlines),
                "README.md's quick-suite table is not what docs/results/quick/runs.csv gives: run Scripts/readme_table.sh")
    }

    @Test func theProvenanceIsTheManifests() throws {
        let data = try Data(contentsOf: Self.committed.appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let machine = try #require(manifest["machine"] as? [String: Any])
        let commit = try #require(manifest["git_commit"] as? String).prefix(7)
        let kernel = try #require((machine["blas_kernel"] as? String)?.split(separator: " ").first)
        let date = try #require(manifest["finished_at"] as? String).prefix(10)
        #expect(try #require(manifest["runs_completed"] as? Int) == 36)
        let (provenance, _) = try Self.readmeBlock()
        for fact in ["PosLab commit \(commit)", "`\(kernel)` kernel", "\(date);", "suite `Experiments/quick.yaml`"] {
            #expect(provenance.contains(fact), "README.md's quick-suite provenance does not say \(fact): run Scripts/readme_table.sh")
        }
    }
}
