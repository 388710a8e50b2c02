import Foundation
import PosLabModel
import Testing

@Suite struct ALiBiTests {
    @Test func slopesFor8And12Heads() {
        let eight: [Double] = ALiBiEncoding.slopes(heads: 8)
        let golden: [Double] = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625]
        #expect(eight == golden)
        let twelve: [Double] = ALiBiEncoding.slopes(heads: 12)
        #expect(Array(twelve.prefix(8)) == eight)
        for (ours, golden) in zip(twelve.suffix(4), [0.70711, 0.35355, 0.17678, 0.08839]) {
            #expect(abs(ours - golden) < 5e-6, "\(ours) vs \(golden)")
        }
        #expect(ALiBiEncoding.slopes(heads: 1) == [1.0 / 256])
    }

    @Test func biasIsLinearInDistance() throws {
        let alibi = ALiBiEncoding(heads: 2, bidirectional: true)
        let bias = try #require(alibi.attentionBias(context: HookContext(positions: Array(0..<5), layer: 0))).values  // (2, 5, 5)
        #expect(bias[(0 * 5 + 1) * 5 + 4] == -0.0625 * 3)   // head 0, slope 2^-4: query 1, key 4
        #expect(bias[(1 * 5 + 4) * 5 + 0] == -0.00390625 * 4)
        let causal = ALiBiEncoding(heads: 2, bidirectional: false)
        #expect(try #require(causal.attentionBias(context: HookContext(positions: Array(0..<5), layer: 0))).values[(0 * 5 + 3) * 5 + 1] == -0.0625 * 2)
    }
}

@Suite struct RotaryTests {
    func rotated(_ v: [Float], at p: Int, headDim: Int) -> [Float] {
        let rope = RotaryEncoding(headDim: headDim)
        let x = Tensor(v, shape: [1, 1, 1, headDim])
        let positions = Array(0...p)
        // Place the vector at the last position of a length-(p+1) sequence.
        var padded = [Float](repeating: 0, count: (p + 1) * headDim)
        for j in 0..<headDim { padded[p * headDim + j] = v[j] }
        _ = x
        let q = Tensor(padded, shape: [1, 1, p + 1, headDim])
        let (r, _) = rope.transformQueriesKeys(q, q, context: HookContext(positions: positions, layer: 0))
        return Array(r.values.suffix(headDim))
    }

    @Test func preservesNorms() {
        let rng = RandomGenerator(seed: 1)
        let v = (0..<8).map { _ in Float(rng.gaussian()) }
        let norm = v.map { $0 * $0 }.reduce(0, +)
        for p in [0, 1, 7, 100] {
            let r = rotated(v, at: p, headDim: 8)
            #expect(abs(r.map { $0 * $0 }.reduce(0, +) - norm) < 1e-4 * norm, "position \(p)")
        }
        #expect(rotated(v, at: 0, headDim: 8) == v)  // position 0 is the identity
    }

    /// q·k after rotation depends only on the offset between their positions.
    @Test func dotProductDependsOnlyOnOffset() {
        let rng = RandomGenerator(seed: 2)
        let q = (0..<8).map { _ in Float(rng.gaussian()) }, k = (0..<8).map { _ in Float(rng.gaussian()) }
        func score(_ i: Int, _ j: Int) -> Float { zip(rotated(q, at: i, headDim: 8), rotated(k, at: j, headDim: 8)).map(*).reduce(0, +) }
        for offset in [0, 1, 3, 9] {
            let reference = score(offset, 0)
            for start in [1, 5, 20] {
                #expect(abs(score(start + offset, start) - reference) < 1e-4 * max(1, abs(reference)), "offset \(offset) from \(start)")
            }
        }
        #expect(abs(score(3, 0) - score(0, 3)) > 1e-3)  // the sign of the offset matters
    }

    @Test func oddHeadWidthIsAConfigError() {
        #expect(throws: ConfigurationError.self) {
            try Transformer(config: ModelConfig(vocabSize: 8, dModel: 12, heads: 4), encoding: Spec(parsing: "rope"), seed: 1)
        }
    }
}

@Suite struct RandomizedTests {
    func make(_ spec: String, seed: UInt64 = 1) throws -> RandomizedEncoding {
        let context = EncodingContext(dModel: 8, heads: 2, layers: 1, maxLength: 6, attention: .bidirectional, seed: seed)
        return try #require(try EncodingRegistry.shared.make(Spec(parsing: spec), context: context) as? RandomizedEncoding)
    }

    @Test func trainingPositionsAreSortedRandomSubsets() throws {
        let r = try make("randomized(learned, max_length=50)")
        #expect(r.maximumLength == 50 && (r.inner as! LearnedEncoding).size == 50)
        let draws = (0..<20).map { _ in r.positions(length: 6, training: true) }
        for p in draws { #expect(p == p.sorted() && Set(p).count == 6 && p.allSatisfy { $0 >= 0 && $0 < 50 }) }
        #expect(Set(draws.map { $0.description }).count > 15)            // they vary
        #expect(draws.contains { $0.last! > 6 })                           // and reach past T
        let sameSeed = try make("randomized(learned, max_length=50)")
        #expect((0..<20).map { _ in sameSeed.positions(length: 6, training: true) } == draws)
    }

    @Test func evaluationPositionsAreFixedAcrossSeedsOrOrdered() throws {
        let a = try make("randomized(learned, max_length=50)", seed: 1), b = try make("randomized(learned, max_length=50)", seed: 2)
        let ea = (0..<5).map { _ in a.positions(length: 10, training: false) }
        #expect(ea == (0..<5).map { _ in b.positions(length: 10, training: false) })
        let ordered = try make("randomized(sinusoidal, max_length=50, eval=ordered)")
        #expect(ordered.positions(length: 10, training: false) == Array(0..<10))
        #expect(ordered.arguments == "encoding=sinusoidal(base=10000);eval=ordered;max_length=50")
    }

    @Test func badArguments() {
        #expect(throws: ConfigurationError.self) { _ = try make("randomized(max_length=50)") }
        #expect(throws: ConfigurationError.self) { _ = try make("randomized(learned, max_length=3)") }
        #expect(throws: ConfigurationError.self) { _ = try make("randomized(learned, eval=sometimes)") }
    }
}
