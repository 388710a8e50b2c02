internal import CGSL

/// A seeded Mersenne Twister (GSL's `gsl_rng_mt19937`): the only source of randomness in PosLab.
///
/// Every result names its seed; the same seed gives the same stream on every machine.
/// Independent streams for one seed (data, shared weights, encoding weights, ...) come from
/// `RandomGenerator(seed:stream:)`, so that adding a parameter to one encoding never shifts the
/// random numbers another part of the model sees.
public final class RandomGenerator {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// The seed this generator was created with (after mixing in the stream, if any).
    public let seed: UInt64

    /// A generator seeded with `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        rng = gsl_rng_alloc(poslab_rng_mt19937())!
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    /// A generator for the named `stream` of `seed`: a distinct, reproducible stream per name.
    public convenience init(seed: UInt64, stream: String) {
        self.init(seed: RandomGenerator.mix(seed, stream))
    }

    deinit { gsl_rng_free(rng) }

    /// A uniform draw in [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// A uniform integer in 0 ..< n (n > 0).
    public func int(below n: Int) -> Int {
        precondition(n > 0, "RandomGenerator.int(below:) needs n > 0")
        return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// A uniform integer in the closed range.
    public func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// A Gaussian draw with mean 0 and standard deviation `sigma` (`gsl_ran_gaussian`).
    public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian(rng, sigma) }

    /// A uniformly random permutation of 0 ..< n (Fisher–Yates driven by this generator).
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    /// Shuffles `values` in place, uniformly.
    public func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, int(below: i + 1))
        }
    }

    /// `k` distinct values from 0 ..< n in increasing order (uniform over subsets).
    public func sortedSample(_ k: Int, from n: Int) -> [Int] {
        precondition(k <= n, "cannot draw \(k) distinct values from \(n)")
        var chosen = [Int]()
        chosen.reserveCapacity(k)
        var needed = k
        for i in 0..<n where needed > 0 {  // selection sampling (Knuth, Algorithm S)
            if Double(n - i) * uniform() < Double(needed) {
                chosen.append(i)
                needed -= 1
            }
        }
        return chosen
    }

    /// SplitMix64 finaliser over the seed and an FNV-1a hash of the stream name.
    static func mix(_ seed: UInt64, _ stream: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        var z = seed &+ h &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return (z ^ (z >> 31)) & 0xffff_ffff  // mt19937 seeds are 32-bit
    }
}
