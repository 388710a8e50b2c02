import PosLabModel
import Testing

/// The model learns an order task when it has positions, and cannot when it has none.
@Suite struct LearningTests {
    @Test func learnedSolvesReverseNoneCannot() throws {
        let learned = try trainReverse("learned", seed: 1, steps: 300)
        let none = try trainReverse("none", seed: 1, steps: 300)
        print("reverse@8 after 300 steps: learned \(learned.accuracy), none \(none.accuracy)")
        #expect(learned.accuracy >= 0.95)
        // Without positions, the output at position i is a function of (token i, the multiset of
        // tokens) only. No such function can beat `equivariantBound` on the evaluation set.
        let bound = equivariantBound(length: 8, vocab: 8)
        print("best accuracy any position-blind model can reach on this set: \(bound)")
        #expect(none.accuracy <= bound + 1e-12)
        #expect(none.accuracy < 0.5)
    }

    /// Bidirectional `none` is permutation-equivariant: permuting the input permutes the logits.
    @Test func noneIsPermutationEquivariantLearnedIsNot() throws {
        let rng = RandomGenerator(seed: 11)
        let ids = (0..<10).map { _ in rng.int(below: 7) }
        let perm = rng.permutation(10)
        let shuffled = perm.map { ids[$0] }
        for (spec, equivariant) in [("none", true), ("learned", false), ("sinusoidal", false), ("relative-bias", false)] {
            let model = try Transformer(config: smallConfig(), encoding: Spec(parsing: spec), seed: 3)
            let a = try model.logits(ids: ids, batch: 1, length: 10).values
            let b = try model.logits(ids: shuffled, batch: 1, length: 10).values
            var maxDiff: Float = 0
            for (i, p) in perm.enumerated() {
                for v in 0..<7 { maxDiff = max(maxDiff, abs(b[i * 7 + v] - a[p * 7 + v])) }
            }
            if equivariant { #expect(maxDiff < 1e-5, "\(spec): \(maxDiff)") } else { #expect(maxDiff > 1e-3, "\(spec): \(maxDiff)") }
        }
    }

    @Test func sameSeedSameLossesBitForBit() throws {
        let a = try trainReverse("relative-bias", seed: 5, steps: 15)
        let b = try trainReverse("relative-bias", seed: 5, steps: 15)
        #expect(a.losses.map(\.bitPattern) == b.losses.map(\.bitPattern))
        let c = try trainReverse("relative-bias", seed: 6, steps: 15)
        #expect(a.losses != c.losses)
    }
}

/// The highest reverse accuracy any function of (own token, multiset of tokens) can reach on the
/// evaluation set `trainReverse` uses: per sequence, positions with the same input token must get
/// the same prediction, which at best is the most common target among them.
func equivariantBound(length: Int, vocab: Int) -> Double {
    let (ids, targets) = reverseBatch(RandomGenerator(seed: 999), batch: 256, length: length, vocab: vocab)
    var best = 0
    for s in 0..<256 {
        var counts: [Int: [Int: Int]] = [:]  // own token → target → count
        for i in 0..<length { counts[ids[s * length + i], default: [:]][targets[s * length + i], default: 0] += 1 }
        best += counts.values.map { $0.values.max()! }.reduce(0, +)
    }
    return Double(best) / Double(ids.count)
}
