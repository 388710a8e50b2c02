import Foundation
import PosLabCore
import PosLabSupport

/// `majority`: the order-insensitive control — every position answers the most frequent symbol.
///
/// Input: `n` symbols drawn uniformly from 0 ..< symbols. Target at every position: the symbol
/// occurring most often in the whole sequence (ties go to the smallest id); every position is
/// scored. The labels permute with the inputs, so a position-blind model can solve it; chance
/// (guessing) is 1/symbols. Needs no position information. Vocab: the symbols only.
public struct MajorityTask: RegisteredTask {
    public static let registryName = "majority"
    public static let summary = "control: every target = the most frequent symbol (ties: smallest id); needs no positions"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var vocabSize: Int { symbols }
    public var positionInformation: PositionInformation { .none }

    public init(symbols: Int = 4) {
        precondition(symbols >= 2, "majority needs at least 2 symbols")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> MajorityTask {
        MajorityTask(symbols: try arguments.int("symbols", default: 4, in: 2...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        (0..<length).map { _ in rng.int(below: symbols) }
    }

    /// The most frequent id in `inputs` (ties: the smallest); 0 for an empty sequence.
    public func majority(_ inputs: [Int]) -> Int {
        var counts: [Int: Int] = [:]
        for x in inputs { counts[x, default: 0] += 1 }
        return counts.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }?.key ?? 0
    }

    /// The token accuracy of always answering 0 — the best input-blind guess, since ties go to the
    /// smallest id — computed exactly: the probability that 0 is the majority of `length` uniform
    /// symbols, summed over its count c₀ (binomial) times the probability that the other symbols'
    /// counts all stay at most c₀ (one symbol at a time, each count binomial given what is left).
    /// Nil when that sum is too long to compute here ((symbols − 1)·length³/12 past 3·10⁸ steps).
    public func exactChanceLevel(length n: Int) -> Double? {
        guard n >= 1 else { return nil }
        let k = symbols
        guard Double(k - 1) * pow(Double(n), 3) / 12 <= 3e8 else { return nil }
        var logFactorial = [Double](repeating: 0, count: n + 1)
        for i in stride(from: 1, through: n, by: 1) { logFactorial[i] = logFactorial[i - 1] + log(Double(i)) }
        /// P(j of r go one way) with probability p each.
        func binomial(_ r: Int, _ j: Int, _ p: Double) -> Double {
            if p >= 1 { return j == r ? 1 : 0 }
            let ways: Double = logFactorial[r] - logFactorial[j] - logFactorial[r - j]
            let odds: Double = Double(j) * log(p) + Double(r - j) * log1p(-p)
            return exp(ways + odds)
        }
        var total = 0.0
        for c0 in ((n + k - 1) / k)...n {  // 0 cannot be the majority with fewer than n/k
            let others = n - c0
            // dist[r]: the probability that r of the others are left after the symbols placed so far, none above c0.
            var dist = [Double](repeating: 0, count: others + 1)
            dist[others] = 1
            for remaining in stride(from: k - 1, to: 1, by: -1) {  // symbols left to place, the last one excepted
                var next = [Double](repeating: 0, count: others + 1)
                let p = 1 / Double(remaining)
                for r in 0...others where dist[r] > 0 && r <= c0 * remaining {
                    for j in 0...min(c0, r) { next[r - j] += dist[r] * binomial(r, j, p) }
                }
                dist = next
            }
            let fits = dist.prefix(min(c0, others) + 1).reduce(0, +)  // the last symbol takes what is left
            total += binomial(n, c0, 1 / Double(k)) * fits
        }
        return total
    }

    public func label(_ inputs: [Int]) -> Labels {
        Labels(targets: [Int](repeating: majority(inputs), count: inputs.count),
               mask: [Float](repeating: 1, count: inputs.count))
    }
}
