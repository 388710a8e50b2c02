import PosLabSupport
import Testing

@Suite struct RandomGeneratorTests {
    /// The reference MT19937 (2002 seeding) with seed 5489 first outputs 3499211612.
    @Test func isGSLsMersenneTwister() {
        let rng = RandomGenerator(seed: 5489)
        #expect(rng.uniform() == 3_499_211_612.0 / 4_294_967_296.0)
    }

    @Test func sameSeedSameStream() {
        let a = RandomGenerator(seed: 42, stream: "data"), b = RandomGenerator(seed: 42, stream: "data")
        let c = RandomGenerator(seed: 42, stream: "model")
        let xs = (0..<100).map { _ in a.gaussian() }
        #expect(xs == (0..<100).map { _ in b.gaussian() })
        #expect(xs != (0..<100).map { _ in c.gaussian() })
    }

    @Test func samplingHelpers() {
        let rng = RandomGenerator(seed: 3)
        let sample = rng.sortedSample(5, from: 20)
        #expect(sample.count == 5 && sample == sample.sorted() && Set(sample).count == 5 && sample.allSatisfy { $0 < 20 })
        #expect(rng.permutation(10).sorted() == Array(0..<10))
        let draws = (0..<1000).map { _ in rng.int(in: 2...4) }
        #expect(Set(draws) == [2, 3, 4])
    }
}
