import Foundation
import PosLabText
import Testing

/// GPT-2 BPE against tiktoken: the data README's golden sentence, the chapter's corpus, and the
/// fixture written by Scripts/make_tokenizer_fixture.py.
@Suite struct GPT2TokenizerTests {
    struct Fixture: Decodable {
        struct Case: Decodable { let text: String; let ids: [Int] }
        let cases: [Case]
    }

    @Test func goldenSentence() throws {
        let text = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
        let ids = try gpt2().encode(text)
        #expect(ids == [15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 286,
                        617, 34680, 27271, 13])
        #expect(try gpt2().decode(ids) == text)
    }

    @Test func vocabulary() throws {
        let t = try gpt2()
        #expect(t.name == "gpt2" && t.vocabularySize == 50257 && t.endOfTextID == 50256)
        #expect(t.decode([50256]) == "<|endoftext|>")
        #expect(t.decodeBytes([0, 255, 256, 50255]) == Array("!".utf8) + [0xAD] + Array(" t gazed".utf8))
    }

    @Test func theVerdictHas5145Tokens() throws {
        let text = try verdict()
        let ids = try gpt2().encode(text)
        #expect(ids.count == 5145)
        #expect(Array(ids.prefix(5)) == [40, 367, 2885, 1464, 1807])
        #expect(try gpt2().decode(ids) == text)
    }

    @Test func matchesTiktoken() throws {
        let data = try Data(contentsOf: fixtureURL("tokenizer.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        #expect(fixture.cases.count > 300)
        let t = try gpt2()
        for c in fixture.cases {
            #expect(t.encode(c.text) == c.ids, "\(c.text.debugDescription)")
            #expect(t.decode(c.ids) == c.text)
        }
    }
}
