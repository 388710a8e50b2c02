import Foundation
import PosLabTestSupport
import Testing

/// `poslab tokenize`, run as a user runs it.
@Suite struct TokenizeCommandTests {
    /// Runs the `poslab` built next to the test bundle; returns (status, stdout, stderr).
    func poslab(_ arguments: [String]) throws -> (Int32, String, String) {
        try runProcess(Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("poslab"), arguments)
    }

    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-tokenize-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test func countsAndIds() throws {
        let verdict = fixtureURL("the-verdict.txt").path
        #expect(try poslab(["tokenize", verdict, "--count"]) == (0, "5145\n", ""))
        #expect(try poslab(["tokenize", verdict, "--tokenizer", "bytes", "--count"]) == (0, "20479\n", ""))
        let file = try temporaryFile(Array("Hello, do you like tea? <|endoftext|> In".utf8))
        #expect(try poslab(["tokenize", file, "--tokenizer", "gpt2", "--ids"]) == (0, "15496 11 466 345 588 8887 30 220 50256 554\n", ""))
    }

    @Test func badInputIsOneLineAndExit2() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).txt").path
        let (status, out, err) = try poslab(["tokenize", missing])
        #expect(status == 2 && out.isEmpty && err == "error: \(missing): no such file\n")

        let latin1 = try temporaryFile([0x63, 0x61, 0x66, 0xE9, 0x0A])  // "café\n" in Latin-1
        let (s2, o2, e2) = try poslab(["tokenize", latin1, "--tokenizer", "gpt2"])
        #expect(s2 == 2 && o2.isEmpty && e2.hasPrefix("error: \(latin1) is not UTF-8 (first invalid byte at offset 3)"))
        #expect(e2.filter { $0 == "\n" }.count == 1)
        // bytes reads any file.
        #expect(try poslab(["tokenize", latin1, "--tokenizer", "bytes"]) == (0, "99 97 102 233 10\n", ""))
    }
}
