import Foundation
import PosLabModel
import Testing

/// Evaluation with attention in blocks (`Transformer.attentionBlocks`) against the full-matrix path
/// (`attentionBlocks = nil`, the reference), for every built-in encoding, both attention modes, shared
/// and per-sequence positions, at lengths that are not multiples of the blocks.
@Suite struct BlockedEvaluationTests {
    static let encodings = ["none", "learned(size=32)", "sinusoidal", "relative-bias", "alibi", "alibi-asym", "kerple",
                            "kerple(kind=power)", "fire", "rope", "xpos", "shaw(max_distance=3)", "cope(npos=8;init_std=0.5)",
                            "abacus", "randomized(encoding=relative-bias;max_length=40)", "randomized(encoding=rope;max_length=40)"]

    /// Logits of `spec` at `length` with and without blocks, no gradients.
    static func logits(_ spec: String, _ attention: AttentionMode, length: Int, positions: Positions? = nil,
                       blocks: AttentionBlocks?, dModel: Int = 16, heads: Int = 4) throws -> Tensor {
        let config = ModelConfig(vocabSize: 7, dModel: dModel, layers: 2, heads: heads, maxLength: 8, attention: attention)
        let model = try Transformer(config: config, encoding: Spec(parsing: spec), seed: 3)
        model.attentionBlocks = blocks
        model.blockedAttentionFrom = 1
        (model.encoding as? FireEncoding)?.blockFloats = 1  // FIRE's blocks a query at a time
        let batch = 3
        let rng = RandomGenerator(seed: 4)
        let ids = (0..<(batch * length)).map { _ in rng.int(below: 7) }
        return try Tensor.withoutGradients {
            if let positions { return try model.logits(ids: ids, batch: batch, length: length, positions: positions) }
            return try model.logits(ids: ids, batch: batch, length: length)
        }
    }

    @Test(arguments: encodings, AttentionMode.allCases)
    func blocksGiveTheFullMatrixLogits(_ spec: String, _ attention: AttentionMode) throws {
        let config = ModelConfig(vocabSize: 7, dModel: 16, layers: 2, heads: 4, maxLength: 8, attention: attention)
        guard (try? Transformer(config: config, encoding: Spec(parsing: spec), seed: 3)) != nil else { return }  // cope: causal only
        let model = try Transformer(config: config, encoding: Spec(parsing: spec), seed: 3)
        #expect(model.encoding.attentionInBlocks, "\(spec) has no blocked form")
        for (length, blocks) in [(13, AttentionBlocks(queries: 4, keys: 5)), (11, AttentionBlocks(queries: 3, keys: 2)),
                                 (6, AttentionBlocks(queries: 16, keys: 16))] {
            let full = try Self.logits(spec, attention, length: length, blocks: nil)
            let blocked = try Self.logits(spec, attention, length: length, blocks: blocks)
            #expect(full.shape == blocked.shape)
            let worst = zip(full.values, blocked.values).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            #expect(worst < 2e-5, "\(spec), \(attention), length \(length): relative difference \(worst)")
        }
    }

    /// Heads 16 wide, as the standard model's: blocks run in the AVX2 kernel where the CPU has it, with
    /// every encoding's block hooks, ragged blocks and both modes.
    @Test(arguments: encodings, AttentionMode.allCases)
    func vectorKernelGivesTheFullMatrixLogits(_ spec: String, _ attention: AttentionMode) throws {
        let config = ModelConfig(vocabSize: 7, dModel: 32, layers: 2, heads: 2, maxLength: 8, attention: attention)
        guard (try? Transformer(config: config, encoding: Spec(parsing: spec), seed: 3)) != nil else { return }  // cope: causal only
        for (length, blocks) in [(29, AttentionBlocks(queries: 6, keys: 20)), (21, AttentionBlocks(queries: 64, keys: 256))] {
            let full = try Self.logits(spec, attention, length: length, blocks: nil, dModel: 32, heads: 2)
            let blocked = try Self.logits(spec, attention, length: length, blocks: blocks, dModel: 32, heads: 2)
            #expect(full.shape == blocked.shape)
            let worst = zip(full.values, blocked.values).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            #expect(worst < 2e-5, "\(spec), \(attention), length \(length): relative difference \(worst)")
        }
    }

    /// Positions per sequence (a task's own position ids): the block hooks stack one row per sequence.
    @Test(arguments: ["relative-bias", "alibi", "alibi-asym", "kerple", "fire", "shaw(max_distance=3)", "rope"])
    func perSequencePositions(_ spec: String) throws {
        let (batch, length) = (3, 9)
        let ids = (0..<batch).flatMap { s in (0..<length).map { ($0 * (s + 1)) % 13 } }
        let positions = Positions(perSequence: ids, rows: batch)
        let full = try Self.logits(spec, .causal, length: length, positions: positions, blocks: nil)
        let blocked = try Self.logits(spec, .causal, length: length, positions: positions, blocks: AttentionBlocks(queries: 2, keys: 4))
        let worst = zip(full.values, blocked.values).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst < 2e-5, "\(spec): relative difference \(worst)")
    }

    /// Training (gradients recorded) never takes the blocked path: the loss's gradient is the full path's.
    @Test func trainingUsesTheFullMatrix() throws {
        let config = ModelConfig(vocabSize: 7, dModel: 16, layers: 1, heads: 4, maxLength: 12, attention: .causal)
        let model = try Transformer(config: config, encoding: Spec(parsing: "alibi"), seed: 3)
        model.blockedAttentionFrom = 1
        model.attentionBlocks = AttentionBlocks(queries: 2, keys: 3)
        let ids = (0..<24).map { $0 % 7 }
        let loss = try model.loss(ids: ids, targets: ids, mask: nil, batch: 2, length: 12)
        loss.backward()
        #expect(model.blocks[0].wqkv.gradValues.contains { $0 != 0 })
    }
}
