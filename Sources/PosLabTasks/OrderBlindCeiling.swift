import Foundation
import PosLabSupport

// MARK: - Order-blind ceiling

/// The best token accuracy reachable without order, and how it was obtained.
public struct OrderBlindCeiling: Equatable, Sendable {
    /// How `value` was obtained.
    public enum Method: String, Sendable {
        /// Summed over every count profile of the bag (floating-point rounding only, ~1e-12).
        case exact
        /// Averaged over bags drawn from a fixed seed, each bag's value exact; `standardError` says how precise.
        case estimate
    }
    /// The token accuracy of the best order-blind predictor.
    public var value: Double
    /// The standard error of `value`: 0 when exact.
    public var standardError: Double
    public var method: Method

    public init(value: Double, standardError: Double = 0, method: Method = .exact) {
        self.value = value
        self.standardError = standardError
        self.method = method
    }
}

extension SequenceTask {
    /// The **order-blind ceiling** at `length`: the expected token accuracy (scored positions right
    /// over scored positions) of the best predictor whose answer at a position may depend on that
    /// position's own token and on the multiset (bag) of the sequence's tokens, but not on any
    /// position. That is exactly what a permutation-equivariant model (bidirectional attention
    /// without positions, `none`) can express, so it bounds what `none` can reach in expectation;
    /// `chanceLevel` is the weaker input-blind guess. Per key (own token, bag) the best answer is
    /// the target most often seen with that key over the task's sequence distribution and its
    /// scored positions; the ceiling is the share of scored positions that answer gets right.
    ///
    /// Method, per built-in task (the task's rule turned into the target distribution given the key):
    /// - `majority`: the bag determines the target, so 1.
    /// - `reverse`, `shift`, `odds-first` (target at t is the token at a source position σ(t)):
    ///   tokens are i.i.d. uniform, so given the bag every ordering is equally likely and, for
    ///   σ(t) ≠ t, P(own = a, target = y | bag) = c_a (c_y − [a = y]) / (n (n − 1)); where σ(t) = t
    ///   (the middle of an odd `reverse`, the last token of an odd `odds-first`) the target is the
    ///   own token. The best answer for own token a is the larger of the most frequent other symbol
    ///   and a itself under these weights.
    /// - `adjacent-repeat`: P(own = a, SAME | bag) = c_a (c_a − 1) / (n (n − 1)), DIFFERENT the rest.
    /// - `duplicate`: every scored position holds the blank, so the answer is the most frequent
    ///   symbol of the first half: E[max count] / (n / 2).
    /// - `lookup`: the pointer token is seen but the position it points at is not: E[max count] / (n − 1)
    ///   over the n − 1 symbols.
    /// - `before`: a marker at the last position gives the answer; a filler there leaves 1/2:
    ///   1/2 + 1/n, exactly.
    /// - anything else (the text task, plugins): nil.
    ///
    /// The expectation over bags is exact — a sum over every partition of the n tokens into at most
    /// `symbols` counts, weighted by its multinomial probability — when there are at most
    /// `exactBudget` such partitions (every suite task up to length 64 with up to 8 symbols: a few
    /// tens of thousands, milliseconds). Otherwise it is estimated from `samples` bags drawn from a
    /// fixed seed, each bag's value computed exactly, so the estimate is unbiased and its standard
    /// error (reported, typically below 0.002) is the only error; no plug-in maximum over sampled
    /// keys is taken, which would bias the ceiling upwards.
    public func orderBlindCeiling(length n: Int, exactBudget: Int = 200_000, samples: Int = 20_000) -> OrderBlindCeiling? {
        guard n >= minimumLength, n >= 1, maximumLength.map({ n <= $0 }) ?? true else { return nil }
        let bags = BagExpectation(budget: exactBudget, samples: samples, stream: "order-blind/\(fullName)/\(n)")
        switch self {
        case is MajorityTask:
            return OrderBlindCeiling(value: 1)
        case let t as ReverseTask:
            return copyCeiling(n: n, symbols: t.symbols, sources: (0..<n).map { n - 1 - $0 }, bags: bags)
        case let t as ShiftTask:
            return copyCeiling(n: n, symbols: t.symbols, sources: (0..<(n - t.k)).map { $0 }, bags: bags)
        case let t as OddsFirstTask:
            let order = Array(stride(from: 1, to: n, by: 2)) + Array(stride(from: 0, to: n, by: 2))
            return copyCeiling(n: n, symbols: t.symbols, sources: order, targets: Array(0..<n), bags: bags)
        case let t as AdjacentRepeatTask:
            let nn = Double(n)
            return bags.mean(tokens: n, symbols: t.symbols) { c in
                c.reduce(0.0) { $0 + Double($1) * Double(max($1 - 1, n - $1)) } / (nn * (nn - 1))
            }
        case let t as DuplicateTask:
            let h = n / 2
            return bags.mean(tokens: h, symbols: t.symbols) { c in Double(c[0]) / Double(h) }
        case let t as LookupTask:
            return bags.mean(tokens: n - 1, symbols: t.symbols) { c in Double(c[0]) / Double(n - 1) }
        case is BeforeTask:
            return OrderBlindCeiling(value: 0.5 + 1 / Double(n))
        default:
            return nil
        }
    }
}

/// A copy task over i.i.d. uniform tokens: the scored position `targets[j]` (default: the last
/// `sources.count` positions) has the token at `sources[j]` as its target.
private func copyCeiling(n: Int, symbols: Int, sources: [Int], targets: [Int]? = nil, bags: BagExpectation) -> OrderBlindCeiling {
    let targets = targets ?? Array((n - sources.count)..<n)
    let fixed = Double(zip(sources, targets).filter { $0.0 == $0.1 }.count)
    let crossed = Double(sources.count) - fixed, scored = Double(sources.count)
    let nn = Double(n)
    let pair = n > 1 ? crossed / (nn * (nn - 1)) : 0  // weight of one ordered pair of distinct positions
    return bags.mean(tokens: n, symbols: symbols) { c in
        var right = 0.0
        for (i, ca) in c.enumerated() {
            let other = Double(i == 0 ? (c.count > 1 ? c[1] : 0) : c[0])  // the most frequent other symbol
            let a = Double(ca)
            right += a * max(pair * other, pair * (a - 1) + fixed / nn)
        }
        return right / scored
    }
}

/// The expectation of a function of a bag's counts (sorted, largest first, zeros dropped) when
/// `tokens` tokens are drawn i.i.d. uniformly from `symbols` symbols: exact over partitions within
/// `budget`, else a seeded Monte Carlo average over `samples` bags with its standard error.
private struct BagExpectation {
    let budget: Int, samples: Int, stream: String

    func mean(tokens n: Int, symbols s: Int, _ f: ([Int]) -> Double) -> OrderBlindCeiling {
        guard n > 0 else { return OrderBlindCeiling(value: f([0])) }
        if partitions(n, maxParts: min(n, s), cap: budget) <= budget { return exact(n, s, f) }
        let rng = RandomGenerator(seed: 11, stream: stream)
        var sum = 0.0, sumSquares = 0.0
        var counts = [Int](repeating: 0, count: s)
        for _ in 0..<samples {
            for i in counts.indices { counts[i] = 0 }
            for _ in 0..<n { counts[rng.int(below: s)] += 1 }
            let v = f(counts.filter { $0 > 0 }.sorted(by: >))
            sum += v
            sumSquares += v * v
        }
        let m = sum / Double(samples)
        let variance = max(0, sumSquares / Double(samples) - m * m) * Double(samples) / Double(max(samples - 1, 1))
        return OrderBlindCeiling(value: m, standardError: (variance / Double(samples)).squareRoot(), method: .estimate)
    }

    /// The number of partitions of n into at most k parts, stopping once it passes `cap`.
    private func partitions(_ n: Int, maxParts k: Int, cap: Int) -> Int {
        // Partitions into at most k parts = partitions into parts of size at most k.
        var p = [Int](repeating: 0, count: n + 1)
        p[0] = 1
        for part in 1...max(k, 1) where part <= n {
            for m in part...n { p[m] = min(p[m] + p[m - part], cap + 1) }
        }
        return p[n]
    }

    private func exact(_ n: Int, _ s: Int, _ f: ([Int]) -> Double) -> OrderBlindCeiling {
        // P(counts) = n!/∏c! · s^-n per assignment of symbols; a sorted profile stands for
        // s!/((s − k)! ∏ multiplicity!) assignments, k = its nonzero parts.
        let base = lgamma(Double(n + 1)) + lgamma(Double(s + 1)) - Double(n) * log(Double(s))
        var parts: [Int] = []
        var total = 0.0, weighted = 0.0
        func visit(_ remaining: Int, _ largest: Int) {
            if remaining == 0 {
                var logw = base - lgamma(Double(s - parts.count + 1))
                var run = 1
                for (i, c) in parts.enumerated() {
                    logw -= lgamma(Double(c + 1))
                    if i + 1 < parts.count && parts[i + 1] == c { run += 1 } else { logw -= lgamma(Double(run + 1)); run = 1 }
                }
                let w = exp(logw)
                total += w
                weighted += w * f(parts)
                return
            }
            guard parts.count < s else { return }
            for c in stride(from: min(remaining, largest), through: 1, by: -1) {
                parts.append(c)
                visit(remaining - c, c)
                parts.removeLast()
            }
        }
        visit(n, n)
        return OrderBlindCeiling(value: weighted / total)
    }
}
