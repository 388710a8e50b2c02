import Foundation
import PosLabEngine
import PosLabModel
import Testing

@Suite struct MemoryEstimateTests {
    /// The estimate's parameter count is the model's, exactly.
    @Test(arguments: [(16, 32, 2, 4), (50, 24, 3, 3), (8000, 64, 1, 8)])
    func sharedParametersAreTheModels(vocab: Int, dModel: Int, layers: Int, heads: Int) throws {
        let config = ModelConfig(vocabSize: vocab, dModel: dModel, layers: layers, heads: heads, maxLength: 8)
        let model = try Transformer(config: config, encoding: Spec(parsing: "none"), seed: 1)
        #expect(MemoryEstimate.sharedParameters(config) == model.parameterCount)
    }

    /// Sizes far beyond any machine give an estimate, not an overflow.
    @Test func hugeSizesDoNotOverflow() {
        let config = ModelConfig(vocabSize: 16, dModel: 4096, layers: 64, heads: 256, maxLength: 100_000)
        let e = MemoryEstimate(config: config, batch: 65_536, trainLength: 100_000, evaluationLength: 100_000, evaluationSize: 256)
        #expect(e.peak > 1 << 50)
        #expect(e.training > e.parameters)
    }

    /// Evaluation in blocks grows linearly in T: one sequence at a time, the standard model's evaluation
    /// term grows about 4× from 4,096 to 16,384 tokens in blocks, about 16× with the full matrix (which a
    /// plugin without block hooks still uses), and 16,384 tokens fit in well under 1 GB.
    @Test func blockedEvaluationIsLinearInLength() {
        let config = ModelConfig(vocabSize: 16, dModel: 64, layers: 2, heads: 4, maxLength: 32)
        func evaluation(_ t: Int, blocked: Bool) -> Double {
            Double(MemoryEstimate(config: config, batch: 32, trainLength: 32, evaluationLength: t, evaluationSize: 1,
                                  blockedAttention: blocked).evaluation)
        }
        #expect(evaluation(16_384, blocked: true) / evaluation(4_096, blocked: true) < 4.5)
        #expect(evaluation(16_384, blocked: false) / evaluation(4_096, blocked: false) > 12)
        #expect(evaluation(16_384, blocked: true) < Double(1 << 30) / 4)
    }

    /// The estimate is within 30% of the peak resident set measured by `poslab-bench --memory`, for
    /// configurations dominated by each term: the standard config, attention scores, the head, long evaluation,
    /// and the (B, H, T, T) terms of shaw's and cope's score hooks in training and in evaluation.
    @Test(arguments: [
        "",
        "--d-model 64 --layers 2 --heads 8 --length 512 --batch 8",
        "--vocab 4000 --d-model 32 --length 64 --batch 32",
        "--d-model 32 --length 16 --batch 32 --encoding rope --eval-length 1024",
        "--d-model 32 --length 128 --batch 32 --eval-size 1 --encoding shaw --attention causal",
        "--d-model 32 --length 128 --batch 32 --eval-size 1 --encoding cope --attention causal",
        "--d-model 32 --length 128 --batch 16 --encoding cope --attention causal",
    ])
    func estimateIsWithin30PercentOfTheMeasuredPeak(_ arguments: String) throws {
        let bench = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("poslab-bench")
        let process = Process()
        process.executableURL = bench
        process.arguments = ["--memory", "--warmup", "0", "--steps", "3"] + arguments.split(separator: " ").map(String.init)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "peak resident set 83.7 MB; estimate 70.7 MB (…)"
        let numbers = text.split(separator: "\n").last { $0.hasPrefix("peak resident set") }?
            .split(separator: " ").compactMap { Double($0) } ?? []
        try #require(process.terminationStatus == 0 && numbers.count >= 2, "\(text)")
        let (measured, estimated) = (numbers[0], numbers[1])
        #expect(abs(estimated - measured) / measured <= 0.30, "\(arguments): measured \(measured) MB, estimated \(estimated) MB")
    }
}
