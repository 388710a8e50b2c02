import PosLabText
import Testing

@Suite struct ByteTokenizerTests {
    @Test func bytesAndEndOfText() {
        let t = ByteTokenizer()
        #expect(t.name == "bytes" && t.vocabularySize == 257 && t.endOfTextID == 256)
        #expect(t.encode("Hé<|endoftext|>!") == [72, 0xC3, 0xA9, 256, 33])
        #expect(t.encode("<|endoftext") == Array("<|endoftext".utf8).map(Int.init))
        #expect(t.decode([72, 0xC3, 0xA9, 256, 33]) == "Hé<|endoftext|>!")
        #expect(t.decode([0xC3]) == "\u{FFFD}")  // a lone lead byte, as tiktoken's errors="replace"
    }
}
