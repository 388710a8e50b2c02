import PosLabModel
import Testing

/// Cached greedy decoding against the reference (a full forward pass per generated token).
@Suite struct GenerationTests {
    /// A causal model whose every weight is random — the encoding's included, so that a bias or
    /// table initialised at zero still matters — and prompts of random ids.
    func randomModel(_ spec: String, seed: UInt64) throws -> Transformer {
        let config = ModelConfig(vocabSize: 11, dModel: 16, layers: 2, heads: 4, maxLength: 16, attention: .causal)
        let model = try Transformer(config: config, encoding: Spec(parsing: spec), seed: seed)
        let rng = RandomGenerator(seed: seed, stream: "perturb")
        for p in model.parameters {
            let centre: Float = p.label.hasSuffix("gain") ? 1 : 0  // layer-norm gains about 1
            p.assign((0..<p.count).map { _ in centre + 0.7 * Float(rng.gaussian()) })
        }
        return model
    }

    /// Every built-in encoding (each with its defaults), and the variants whose hooks differ.
    static let specs: [String] = EncodingRegistry.shared.all.filter { $0.origin == .builtIn }.map { $0.name == "randomized" ? "randomized(learned)" : $0.name }
        + ["kerple(kind=power)", "rope(scaling=yarn, factor=4)", "randomized(rope)", "randomized(relative-bias)", "learned(size=16)"]

    @Test(arguments: specs) func cachedDecodingGivesTheReferenceTokens(spec: String) throws {
        let model = try randomModel(spec, seed: 5)
        let rng = RandomGenerator(seed: 9, stream: "prompts")
        let (b, p, steps) = (3, 6, 7)
        let prompts = (0..<(b * p)).map { _ in rng.int(below: 11) }
        let positions = try #require(Optional(Positions(shared: model.encoding.positions(length: p + steps, training: false))))
        let reference = try model.generate(prompts: prompts, batch: b, promptLength: p, steps: steps, positions: positions, cached: false)
        let cached = try model.generate(prompts: prompts, batch: b, promptLength: p, steps: steps, positions: positions, cached: true)
        #expect(cached == reference, "\(spec)")
        #expect(Set(reference).count > 1, "\(spec): a model that generates one token only tests little")
        #expect(reference.count == b * steps)
    }

    /// Per-sequence positions (a task's own ids, e.g. coupled positions) reach the hooks as rows.
    @Test(arguments: ["relative-bias", "rope", "learned", "alibi", "shaw"]) func perSequencePositions(spec: String) throws {
        let model = try randomModel(spec, seed: 6)
        let rng = RandomGenerator(seed: 3, stream: "prompts")
        let (b, p, steps) = (2, 5, 6)
        let prompts = (0..<(b * p)).map { _ in rng.int(below: 11) }
        let rows = (0..<b).flatMap { r in (0..<(p + steps)).map { min(15, $0 + r) } }  // row 1 starts at 1
        let positions = Positions(perSequence: rows, rows: b)
        let reference = try model.generate(prompts: prompts, batch: b, promptLength: p, steps: steps, positions: positions, cached: false)
        let cached = try model.generate(prompts: prompts, batch: b, promptLength: p, steps: steps, positions: positions, cached: true)
        #expect(cached == reference, "\(spec)")
    }

    /// The reference decoder is what it says: each generated token is the arg-max of the full
    /// forward pass over the prompt and the tokens generated before it.
    @Test func referenceIsGreedyOverTheFullForwardPass() throws {
        let model = try randomModel("alibi", seed: 2)
        let prompts = [1, 2, 3, 4, 5, 6, 7, 8]
        let out = try model.generate(prompts: prompts, batch: 2, promptLength: 4, steps: 3, cached: false)
        for s in 0..<2 {
            var seq = Array(prompts[(s * 4)..<(s * 4 + 4)])
            for step in 0..<3 {
                let logits = try model.logits(ids: seq, batch: 1, length: seq.count)
                let v = logits.shape[2], last = logits.values.suffix(v)
                let best = last.indices.max { last[$0] < last[$1] || (last[$0] == last[$1] && $0 > $1) }! - last.startIndex
                #expect(out[s * 3 + step] == best)
                seq.append(best)
            }
        }
    }

    /// Past a learned table's size, generation is refused as a forward pass is.
    @Test func lengthPastTheTableIsUnsupported() throws {
        let model = try randomModel("learned(size=16)", seed: 1)
        #expect(throws: LengthUnsupported.self) {
            _ = try model.generate(prompts: [Int](repeating: 1, count: 10), batch: 1, promptLength: 10, steps: 7)
        }
    }
}
