import Foundation
import PosLabModel
import Testing

/// Records where its hooks are called; optionally returns a wrong shape from one of them.
final class HookProbe: PositionalEncoding {
    let name = "hook-probe"
    var embedLayers: [Int] = [], layerInputs: [Int] = [], scoreLayers: [Int] = []
    var wrong: String?
    let weight = Tensor.filled([1], value: 0.5, label: "hook-probe.weight")
    var parameters: [Tensor] { [weight] }

    func embed(_ x: Tensor, context: HookContext) -> Tensor {
        embedLayers.append(context.layer)
        return wrong == "embed" ? x.reshaped([x.count]) : x
    }
    func embedLayer(_ x: Tensor, context: HookContext) -> Tensor {
        layerInputs.append(context.layer)
        return x
    }
    func attentionBias(context: HookContext) -> Tensor? {
        let t = context.length + (wrong == "attentionBias" ? 1 : 0)
        return .constant(filled: 0, shape: [context.heads, t, t])
    }
    func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? {
        scoreLayers.append(context.layer)
        let scores = matmul(q * weight, k, transposeB: true)                     // (B, H, T, T)
        return wrong == "attentionScores" ? scores.reshaped([context.batch * context.heads, context.length, context.length]) : scores
    }
}

@Suite struct ProtocolV2Tests {
    @Test func hooksKnowTheirLayerAndTheScoreHookIsDifferentiable() throws {
        let probe = HookProbe()
        let model = try Transformer(config: smallConfig(.causal, layers: 3), encoding: probe, seed: 1)
        let ids = [1, 2, 3, 4, 5, 6]
        _ = try model.logits(ids: ids, batch: 1, length: 6)
        #expect(probe.embedLayers == [0] && probe.layerInputs == [0, 1, 2] && probe.scoreLayers == [0, 1, 2])
        let before = try model.logits(ids: ids, batch: 1, length: 6).values
        probe.weight.data[0] = 2  // the score term must reach the output
        #expect(zip(before, try model.logits(ids: ids, batch: 1, length: 6).values).contains { abs($0 - $1) > 1e-4 })
        let result = checkGradients(of: [probe.weight, model.blocks[1].wqkv]) {
            try! model.loss(ids: ids, targets: [0, 1, 2, 3, 4, 5], mask: nil, batch: 1, length: 6)
        }
        #expect(result.passed, "\(result)")
    }

    @Test(arguments: [("embed", "hook-probe: embed returned shape [48]; expected [2, 3, 8]"),
                      ("attentionBias", "hook-probe: attentionBias returned shape [2, 4, 4]; expected [3, 3] or [2, 3, 3] or [1, 2, 3, 3] or [2, 2, 3, 3]"),
                      ("attentionScores", "hook-probe: attentionScores returned shape [4, 3, 3]; expected [2, 2, 3, 3]")])
    func aWrongShapeIsAnErrorNamingTheHook(_ hook: String, _ message: String) throws {
        let probe = HookProbe()
        probe.wrong = hook
        let model = try Transformer(config: smallConfig(), encoding: probe, seed: 1)
        do {
            _ = try model.logits(ids: [1, 2, 3, 4, 5, 6], batch: 2, length: 3)
            Issue.record("\(hook): a wrong shape was accepted")
        } catch let error as HookError {
            #expect(error.description == message)
        }
    }

    /// Per-sequence positions: each sequence gets exactly what it gets alone with those positions shared.
    @Test(arguments: ["learned(size=20)", "sinusoidal", "relative-bias(buckets=8, max_distance=20)", "alibi", "rope", "kerple",
                      "alibi-asym", "fire(hidden=4)", "shaw(max_distance=3)", "xpos", "cope(init_std=0.5)",
                      "randomized(rope, max_length=40)"], AttentionMode.allCases)
    func perSequencePositionsActPerSequence(spec: String, mode: AttentionMode) throws {
        if spec.hasPrefix("cope") && mode == .bidirectional { return }
        let model = try Transformer(config: smallConfig(mode, maxLength: 5), encoding: Spec(parsing: spec), seed: 3)
        let rows = [[0, 1, 2, 3, 4], [3, 5, 6, 10, 11], [2, 4, 7, 8, 19]]
        let ids = (0..<15).map { ($0 * 5 + 2) % 7 }
        let together = try model.logits(ids: ids, batch: 3, length: 5, positions: Positions(perSequence: rows.flatMap { $0 }, rows: 3)).values
        for (r, row) in rows.enumerated() {
            let alone = try model.logits(ids: Array(ids[(r * 5)..<(r * 5 + 5)]), batch: 1, length: 5, positions: Positions(shared: row)).values
            expectClose(Array(together[(r * 35)..<(r * 35 + 35)]), alone, tolerance: 1e-5)
        }
    }

    @Test func encodingsDeclareTheirAttentionModes() throws {
        let config = smallConfig(.bidirectional)
        do {
            _ = try Transformer(config: config, encoding: Spec(parsing: "cope"), seed: 1)
            Issue.record("cope was built for bidirectional attention")
        } catch let error as AttentionUnsupported {
            #expect(error.description == "cope(init_std=0.0;npos=10) does not support bidirectional attention")
        }
        #expect(try Transformer(config: smallConfig(.causal), encoding: Spec(parsing: "randomized(cope)"), seed: 1).encoding.attentionModes == [.causal])
        #expect(throws: AttentionUnsupported.self) { try Transformer(config: config, encoding: Spec(parsing: "randomized(cope)"), seed: 1) }
    }
}

private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= tolerance, "worst difference \(worst)", sourceLocation: sourceLocation)
}
