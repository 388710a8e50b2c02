import PosLabCore
import PosLabSupport
import PosLabTasks
import Testing

/// The two layouts of a prompt task, and how generated answers are scored.
@Suite struct PromptLayoutTests {
    /// A task with an answer vocabulary of its own: the input's count of 1s, in one token, then a
    /// padding token scored by neither (DeepMind-style accuracy mask).
    struct CountOnes: PromptTask {
        var name: String { "count-ones" }
        var summary: String { "test" }
        var positionInformation: PositionInformation { .none }
        var form: TaskForm
        var inputSize: Int { 2 }
        var outputSize: Int { 9 }
        func answerLength(size n: Int) -> Int { 2 }
        func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] { (0..<n).map { _ in rng.int(below: 2) } }
        func answer(for input: [Int]) -> [Int] { [input.reduce(0, +), 8] }
        func answerScoreMask(_ answer: [Int]) -> [Float] { [1, 0] }
    }

    @Test func encoderFormPutsOnePlaceholderPerAnswerToken() throws {
        let t = try #require(try task("reverse_string") as? any PromptTask)
        #expect(t.form == .encoder && t.placeholder == 2 && t.vocabSize == 3 && t.requiredAttention == nil)
        // DeepMind's docstring example 011010 → 010110, laid out with six placeholders.
        let x = t.layout([0, 1, 1, 0, 1, 0])
        #expect(x == [0, 1, 1, 0, 1, 0, 2, 2, 2, 2, 2, 2])
        let y = t.label(x)
        #expect(scored(y) == [nil, nil, nil, nil, nil, nil, 0, 1, 0, 1, 1, 0])
        #expect(y.scoreMask == nil)
        #expect(t.sequenceLength(size: 6) == 12)
    }

    @Test func decoderFormAppendsSeparatorAnswerAndEnd() throws {
        let t = try #require(try task("reverse_string(form=decoder)") as? any PromptTask)
        #expect(t.form == .decoder && t.separator == 2 && t.end == 3 && t.vocabSize == 4 && t.requiredAttention == .causal)
        let x = t.layout([0, 1, 1])
        #expect(x == [0, 1, 1, 2, 1, 1, 0, 3])                       // x ⊕ SEP ⊕ answer ⊕ END
        // Targets are the next token, from SEP through the last answer token.
        #expect(scored(t.label(x)) == [nil, nil, nil, 1, 1, 0, 3, nil])
        #expect(t.promptLength(size: 3) == 4 && t.sequenceLength(size: 3) == 8)
    }

    @Test func anAnswerVocabularyOfItsOwnIsOffsetInTheDecoderForm() {
        let t = CountOnes(form: .decoder)
        // Answer symbol a is input id 2 + a; SEP and END follow every answer id.
        #expect(t.separator == 11 && t.end == 12 && t.vocabSize == 13)
        let x = t.layout([1, 0, 1])
        #expect(x == [1, 0, 1, 11, 2 + 2, 2 + 8, 12])
        let y = t.label(x)
        #expect(y.mask == [0, 0, 0, 1, 1, 1, 0])                      // trained: both answer tokens and END
        #expect(y.scoreMask == [0, 0, 0, 1, 0, 1, 0])                 // scored: the count and END, not the padding
        // The encoder form predicts answer symbols as they are.
        let e = CountOnes(form: .encoder)
        #expect(e.vocabSize == 9 && e.layout([1, 1]) == [1, 1, 2, 2])
        #expect(e.label([1, 1, 2, 2]).targets.suffix(2) == [2, 8])
    }

    @Test func accuracyCountsOnlyScoredPositions() {
        let t = CountOnes(form: .encoder)
        let batch = t.batch(size: 4, length: 3, rng: RandomGenerator(seed: 1))
        #expect(batch.length == 5 && batch.scoreMask != nil)
        // Right on every count, wrong on every padding token: still all right.
        var predictions = batch.targets
        for s in 0..<4 { predictions[s * 5 + 4] = 0 }
        #expect(t.accuracy(predictions: predictions, batch: batch) == (token: 1, sequence: 1))
        predictions[3] = 7                                            // one count wrong
        #expect(t.accuracy(predictions: predictions, batch: batch) == (token: 0.75, sequence: 0.75))
    }

    /// A model right at every teacher-forced position can still generate a wrong answer: scored on
    /// what it generates, one wrong first token makes the exact match 0.
    @Test func exactMatchIsOfTheGeneratedAnswer() throws {
        let t = try #require(try task("reverse_string(form=decoder)") as? any PromptTask)
        let batch = t.batch(size: 2, length: 3, rng: RandomGenerator(seed: 4))  // 8 tokens a row, 4 generated
        let right = (0..<2).flatMap { s in (0..<4).map { batch.targets[s * 8 + 3 + $0] } }
        #expect(t.scoreGenerated(right, batch: batch, size: 3) == GenerationScore(tokenAccuracy: 1, exactMatch: 1, scored: 8))
        var wrongFirst = right
        wrongFirst[0] = 1 - wrongFirst[0]                             // sequence 0's first generated token
        wrongFirst[4] = 1 - wrongFirst[4]                             // and sequence 1's
        #expect(t.scoreGenerated(wrongFirst, batch: batch, size: 3) == GenerationScore(tokenAccuracy: 0.75, exactMatch: 0, scored: 8))
        var noEnd = right
        noEnd[3] = 0                                                  // the answer right, END missing
        #expect(t.scoreGenerated(noEnd, batch: batch, size: 3).exactMatch == 0.5)
    }

    @Test func chanceLevelOfAPromptTaskCountsItsAnswerTokens() throws {
        // reverse_string over 2 symbols: every answer token is a fair coin.
        let chance = try task("reverse_string").chanceLevel(length: 6, trials: 4000)
        #expect(abs(chance - 0.5) < 0.02)
    }
}

/// The significance ids `abacus` embeds, from `addition(positions=significance)`.
@Suite struct SignificanceIDTests {
    @Test func digitsGetTheirPlaceAndEverythingElseZero() throws {
        let t = try #require(try task("addition(positions=significance)") as? any PromptTask)
        // n = 2, plain: a1 a0 + b1 b0 SEP c2 c1 c0 END
        let x = t.layout([3, 7, 10, 4, 5])
        #expect(x.count == 10)
        #expect(t.positionIDs(x) == [2, 1, 0, 2, 1, 0, 3, 2, 1, 0])
        let reversed = try #require(try task("addition(format=reversed, positions=significance)") as? any PromptTask)
        #expect(reversed.positionIDs(reversed.layout([7, 3, 10, 5, 4])) == [1, 2, 0, 1, 2, 0, 1, 2, 3, 0])
    }
}
