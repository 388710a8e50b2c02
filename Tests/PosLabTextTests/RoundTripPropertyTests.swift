import PosLabText
import PropertyBased
import Testing

/// decode(encode(s)) == s for strings mixing every character class GPT-2's pattern separates.
@Suite struct RoundTripPropertyTests {
    /// Fragments that exercise the pre-tokeniser's branches, picked at random and joined.
    static let fragments: [String] = [
        "a", "Z", "word", " word", "0", "42", " 7", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n",
        "'", "'s", "'ll", "'ve", "'re", "'d", "'m", "'t", "''", ".", "!?", " ,", "...", "(", ")", "<", "|>",
        "é", "ß", "Ω", "ж", "日本", "中", "한", "ا", "א", "½", "²", "Ⅻ", "٣", "\u{0301}", "\u{0308}",
        "\u{00A0}", "\u{2003}", "\u{3000}", "\u{2028}", "\u{0085}", "\u{200B}", "\u{FEFF}",
        "🙂", "👍🏽", "🇵🇹", "👩‍👩‍👧‍👦", "1️⃣", "𝔘", "\u{10FFFF}", "\u{0}", "\u{7F}", "<|endoftext|>",
    ]

    /// A generator of strings of 0 to 30 pieces: fragments, or any Unicode scalar but a surrogate.
    static let strings = Gen.int(in: 0...(fragments.count + 99)).array(of: 0...30).map { picks in
        var s = ""
        for (k, pick) in picks.enumerated() {
            if pick < fragments.count { s += fragments[pick]; continue }
            // Any scalar: spread over the planes by the pick and its position.
            let v = UInt32((pick &* 40_503 &+ k &* 9_973) % 0x10FFFF)
            s.unicodeScalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        }
        return s
    }

    @Test func gpt2RoundTrips() async throws {
        let t = try GPT2Tokenizer.bundled()
        await propertyCheck(count: 500, input: Self.strings) { s in
            #expect(t.decode(t.encode(s)) == s)
        }
    }

    @Test func bytesRoundTrips() async {
        let t = ByteTokenizer()
        await propertyCheck(count: 500, input: Self.strings) { s in
            #expect(t.decode(t.encode(s)) == s)
        }
    }

    @Test func gpt2IdsAreInTheVocabulary() async throws {
        let t = try GPT2Tokenizer.bundled()
        await propertyCheck(count: 200, input: Self.strings) { s in
            #expect(t.encode(s).allSatisfy { (0..<t.vocabularySize).contains($0) })
        }
    }
}
