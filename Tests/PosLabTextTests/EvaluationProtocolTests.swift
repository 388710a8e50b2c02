import Foundation
import PosLabModel
import PosLabText
import Testing

/// The two held-out protocols: which targets each window scores, and where they coincide.
@Suite struct EvaluationProtocolTests {
    let tokens = Array(100..<123)  // 23 tokens: ids are 100 + position

    @Test func nonoverlappingScoresEveryTargetOnce() {
        let w = EvaluationProtocol.nonoverlapping.windows(over: tokens, length: 5)
        #expect(w.map(\.start) == [0, 5, 10, 15])  // 20 + 5 would need a target past the end
        #expect(w[1].inputs == Array(105..<110) && w[1].targets == Array(106...110))
        #expect(w.allSatisfy { $0.mask == [1, 1, 1, 1, 1] })
        #expect(w.flatMap(\.targets) == Array(101...120))
    }

    @Test func slidingScoresOnlyTheNewTargets() {
        let w = EvaluationProtocol.sliding(stride: 2).windows(over: tokens, length: 5)
        #expect(w.map(\.start) == [0, 2, 4, 6, 8, 10, 12, 14, 16])
        #expect(w[0].mask == [1, 1, 1, 1, 1])
        #expect(w.dropFirst().allSatisfy { $0.mask == [0, 0, 0, 1, 1] })
        // Each target is scored once, in order, with no gap.
        let scored = w.flatMap { zip($0.targets, $0.mask).filter { $0.1 == 1 }.map(\.0) }
        #expect(scored == Array(101...121))
        #expect(EvaluationProtocol.sliding(stride: 5).windows(over: tokens, length: 5)
                == EvaluationProtocol.nonoverlapping.windows(over: tokens, length: 5))
        #expect(EvaluationProtocol.sliding(stride: 1).name == "sliding(stride=1)")
    }

    /// Where the definitions coincide — the first window — a model's loss is the same.
    @Test func slidingAtStride1AndNonoverlappingAgreeOnTheFirstWindow() throws {
        let config = ModelConfig(vocabSize: 130, dModel: 16, layers: 2, heads: 2, maxLength: 8, attention: .causal)
        let context = EncodingContext(dModel: 16, heads: 2, layers: 2, maxLength: 8, attention: .causal, seed: 4)
        let encoding = try EncodingRegistry.shared.make(Spec(parsing: "sinusoidal"), context: context)
        let model = try Transformer(config: config, encoding: encoding, seed: 4)
        func loss(_ w: ScoredWindow) throws -> Float {
            try model.loss(ids: w.inputs, targets: w.targets, mask: w.mask, batch: 1, length: 8).scalar
        }
        let a = EvaluationProtocol.nonoverlapping.windows(over: tokens, length: 8)[0]
        let b = EvaluationProtocol.sliding(stride: 1).windows(over: tokens, length: 8)
        #expect(a == b[0])
        #expect(try loss(a) == loss(b[0]))
        #expect(try loss(b[1]) != loss(a))  // the second window scores one different target
    }

    @Test func scoreMetrics() {
        var s = LanguageModelScore()
        s.add(loss: log(4), targetBytes: 1)
        s.add(loss: log(16), targetBytes: 3)
        #expect(s.tokens == 2 && s.bytes == 4)
        #expect(abs(s.meanLoss - log(8)) < 1e-12)
        #expect(abs(s.perplexity - 8) < 1e-12)
        #expect(abs(s.bitsPerByte - 1.5) < 1e-12)  // (2 + 4) bits over 4 bytes
    }
}
