import Foundation
import PosLabText
import Testing

/// A corpus file's checks: each problem is one line naming the file.
@Suite struct TextFileTests {
    func file(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-textfile-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The description of the TextFileError `body` throws, nil if it throws none.
    func problem(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as TextFileError { return error.description } catch { return "\(error)" }
    }

    @Test func readsAndTokenizes() throws {
        let path = try file(Array("Hello, do you like tea?".utf8))
        let f = try TextFile(path: path)
        #expect(try f.tokens(GPT2Tokenizer.bundled(), atLeast: 7) == [15496, 11, 466, 345, 588, 8887, 30])
        #expect(try f.tokens(ByteTokenizer()).count == 23)
    }

    @Test func problemsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.path
        let missing = dir + "/no-such-\(UUID().uuidString).txt"
        #expect(problem { _ = try TextFile(path: missing) } == "\(missing): no such file")
        #expect(problem { _ = try TextFile(path: dir) } == "\(dir) is a folder, not a text file")

        let gpt2 = try GPT2Tokenizer.bundled()
        let empty = try file([])
        #expect(problem { _ = try TextFile(path: empty).tokens(gpt2, atLeast: 65) }
                == "\(empty) is empty; at least 65 gpt2 tokens are needed")
        let short = try file(Array("Hello, world".utf8))  // 3 tokens
        #expect(problem { _ = try TextFile(path: short).tokens(gpt2, atLeast: 65) }
                == "\(short) has 3 gpt2 tokens; at least 65 are needed")
        #expect(problem { _ = try TextFile(path: short).tokens(gpt2, atLeast: 3) } == nil)

        let latin1 = try file([0x63, 0x61, 0x66, 0xE9])  // "café" in Latin-1
        #expect(problem { _ = try TextFile(path: latin1).tokens(gpt2) }?.hasPrefix("\(latin1) is not UTF-8 (first invalid byte at offset 3)") == true)
        #expect(problem { _ = try TextFile(path: latin1).tokens(ByteTokenizer()) } == nil)
    }
}
