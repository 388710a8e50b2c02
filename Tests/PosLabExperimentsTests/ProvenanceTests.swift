import Foundation
import PosLabTestSupport
import Testing

/// What a study records of the binary that ran it.
@Suite struct ProvenanceTests {
    /// The commit in `manifest.json` and in every run's record is the one the binary was built from,
    /// recorded at build time: with git unable to find any repository (`GIT_DIR` naming nothing, as
    /// on a Slurm node without the sources) it is still the repository's commit, not `unknown`.
    @Test func theCommitIsTheBuildsNotTheCheckoutsAtRunTime() throws {
        let git = URL(fileURLWithPath: "/usr/bin/env")
        let (s1, head, e1) = try runProcess(git, ["git", "-C", repositoryRoot.path, "rev-parse", "HEAD"])
        try #require(s1 == 0, "\(e1)")
        let (s2, changes, e2) = try runProcess(git, ["git", "-C", repositoryRoot.path, "status", "--porcelain", "--", "Package.swift", "Sources", "Plugins"])
        try #require(s2 == 0, "\(e2)")
        // The test binary and poslab are built together from the sources as they are now.
        let expected = head.trimmingCharacters(in: .whitespacesAndNewlines) + (changes.isEmpty ? "" : "-dirty")

        let dir = temporaryDirectory()
        let (status, _, err) = try runPoslab(["run", fixture("tiny.yaml"), "--out", "r"], in: dir,
                                             environment: ["GIT_DIR": "/nonexistent", "GIT_CEILING_DIRECTORIES": "/"])
        #expect(status == 0, "\(err)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("r/manifest.json"))) as? [String: Any])
        #expect(manifest["git_commit"] as? String == expected)
        let runs = dir.appendingPathComponent("r/runs")
        let records = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { $0.hasSuffix(".json") }
        #expect(!records.isEmpty)
        for name in records {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: runs.appendingPathComponent(name))) as? [String: Any])
            #expect((record["build"] as? [String: Any])?["commit"] as? String == expected, "\(name)")
        }
    }
}
