import Foundation
import PosLabTestSupport
import Testing

/// `poslab windows`: the seed chapter's sliding-window dataloader batches, from the command line.
@Suite struct WindowsCommandTests {
    func poslab(_ arguments: [String]) throws -> (Int32, String, String) {
        try runProcess(Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("poslab"), arguments)
    }

    /// On the chapter's corpus (the fixture is PosLab's shared data/the-verdict.txt, unchanged), max
    /// length 4, stride 1, batch 8: the first row is the chapter's, inputs [40, 367, 2885, 1464] and
    /// targets [367, 2885, 1464, 1807], and each next row starts one token later.
    @Test func theChaptersFirstBatch() throws {
        let verdict = fixtureURL("the-verdict.txt").path
        let (status, out, err) = try poslab(["windows", verdict, "--max-length", "4", "--stride", "1", "--batch", "8"])
        #expect(status == 0 && err.isEmpty, "\(err)")
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count == 22, "one batch: a heading, 8 input and 8 target rows; got \(lines.count) lines")
        #expect(lines[0] == "\(verdict): 5145 gpt2 tokens, 5141 windows of 4 every 1, 642 batches of 8")
        #expect(Array(lines[1...4]) == ["", "batch 1 of 642:", "inputs:", "  [40, 367, 2885, 1464]"])
        #expect(lines[5] == "  [367, 2885, 1464, 1807]", "the second window starts one token later")
        #expect(lines[12] == "targets:" && lines[13] == "  [367, 2885, 1464, 1807]")
        #expect(lines[21] == "")
    }

    @Test func decodeShowsEachRowsText() throws {
        let verdict = fixtureURL("the-verdict.txt").path
        let (status, out, _) = try poslab(["windows", verdict, "--max-length", "4", "--batch", "2", "--batches", "2", "--decode"])
        #expect(status == 0)
        #expect(out.contains("inputs:\n  [40, 367, 2885, 1464]  \"I HAD always\"\n  [1807, 3619, 402, 271]"), "\(out)")
        #expect(out.contains("targets:\n  [367, 2885, 1464, 1807]  \" HAD always thought\"\n"), "\(out)")
        #expect(out.contains("batch 2 of "), "two batches")
    }

    @Test func helpHasAnExampleAndBadInputExits2() throws {
        let (s0, help, _) = try poslab(["windows", "--help"])
        #expect(s0 == 0 && help.contains("poslab windows the-verdict.txt --max-length 4 --stride 1 --batch 8"))
        let missing = "/nonexistent/\(UUID().uuidString).txt"
        let (s1, _, e1) = try poslab(["windows", missing])
        #expect(s1 == 2 && e1.hasPrefix("error: \(missing): no such file"), "\(e1)")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-windows-\(UUID().uuidString).txt")
        try "Hello there".write(to: url, atomically: true, encoding: .utf8)
        let (s2, _, e2) = try poslab(["windows", url.path, "--max-length", "4", "--batch", "8"])
        #expect(s2 == 2 && e2.contains("has 2 gpt2 tokens; at least 33 are needed for one batch of 8 windows of 4 tokens every 4"), "\(e2)")
        let (s3, _, e3) = try poslab(["windows", url.path, "--stride", "0"])
        #expect(s3 == 2 && e3.contains("--stride must be at least 1"), "\(e3)")
    }
}
