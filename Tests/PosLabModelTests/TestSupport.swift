import PosLabModel
import Testing

/// A small model config for tests.
func smallConfig(_ attention: AttentionMode = .bidirectional, vocab: Int = 7, dModel: Int = 8, layers: Int = 2,
                 heads: Int = 2, maxLength: Int = 10) -> ModelConfig {
    ModelConfig(vocabSize: vocab, dModel: dModel, layers: layers, heads: heads, maxLength: maxLength, attention: attention)
}

/// A batch of the reverse task: target i is input n−1−i (vocabulary 0..<vocab).
func reverseBatch(_ rng: RandomGenerator, batch: Int, length: Int, vocab: Int) -> (ids: [Int], targets: [Int]) {
    var ids = [Int](), targets = [Int]()
    for _ in 0..<batch {
        let seq = (0..<length).map { _ in rng.int(below: vocab) }
        ids += seq
        targets += seq.reversed()
    }
    return (ids, targets)
}

/// The fraction of positions whose argmax logit is the target.
func tokenAccuracy(_ logits: Tensor, _ targets: [Int]) -> Double {
    let v = logits.shape.last!
    var correct = 0
    for (r, t) in targets.enumerated() {
        let row = logits.values[(r * v)..<((r + 1) * v)]
        if row.firstIndex(of: row.max()!)! - r * v == t { correct += 1 }
    }
    return Double(correct) / Double(targets.count)
}

/// Trains `spec` on reverse and returns (per-step losses, held-out token accuracy).
func trainReverse(_ spec: String, seed: UInt64, steps: Int, length: Int = 8, vocab: Int = 8,
                  attention: AttentionMode = .bidirectional) throws -> (losses: [Float], accuracy: Double) {
    let config = ModelConfig(vocabSize: vocab, dModel: 32, layers: 2, heads: 4, maxLength: length, attention: attention)
    let model = try Transformer(config: config, encoding: Spec(parsing: spec), seed: seed)
    let opt = Adam(parameters: model.parameters, learningRate: 3e-3, clipNorm: 1)
    let data = RandomGenerator(seed: seed, stream: "data")
    var losses: [Float] = []
    for _ in 0..<steps {
        let (ids, targets) = reverseBatch(data, batch: 32, length: length, vocab: vocab)
        opt.zeroGrad()
        let loss = try model.loss(ids: ids, targets: targets, mask: nil, batch: 32, length: length)
        loss.backward()
        opt.step()
        losses.append(loss.scalar)
    }
    let (ids, targets) = reverseBatch(RandomGenerator(seed: 999), batch: 256, length: length, vocab: vocab)
    let logits = try model.logits(ids: ids, batch: 256, length: length)
    return (losses, tokenAccuracy(logits, targets))
}
