import Foundation
import PosLabText
import Testing

/// Reading a `.tiktoken` file: ranks must be 0, 1, 2, … in order, one `base64 rank` per line.
@Suite struct RankFileTests {
    func ranksFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ranks-\(UUID().uuidString).tiktoken")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func aSmallTableEncodes() throws {
        // 256 single bytes would be needed for any text; these three suffice for "ab".
        let t = try GPT2Tokenizer(ranksFile: ranksFile("YQ== 0\nYg== 1\nYWI= 2\n"))  // a, b, ab
        #expect(t.vocabularySize == 4 && t.endOfTextID == 3)
        #expect(t.encode("ab") == [2] && t.encode("ba") == [1, 0] && t.encode("<|endoftext|>") == [3])
    }

    @Test func malformedLinesAreErrorsNamingTheLine() throws {
        for (text, line) in [("YQ== 0\nYg== 2\n", 2), ("YQ== 0\nnot-base64! 1\n", 2), ("YQ==\n", 1), ("YQ== 1\n", 1)] {
            let url = try ranksFile(text)
            let error = try #require(throws: RankTableError.self) { try GPT2Tokenizer(ranksFile: url) }
            #expect(error.line == line, "\(text.debugDescription)")
            #expect(error.description.hasPrefix("\(url.path):\(line): expected"))
        }
    }

    @Test func namesOfTheBuiltins() throws {
        #expect(BuiltinTokenizers.names == ["bytes", "gpt2"])
        #expect(try BuiltinTokenizers.make("bytes")?.name == "bytes")
        #expect(try BuiltinTokenizers.make("gpt2")?.vocabularySize == 50257)
        #expect(try BuiltinTokenizers.make("gpt-2") == nil)
    }
}
