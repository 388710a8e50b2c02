import Foundation
import PosLabCore
import PosLabTasks
import Testing

@Suite struct ChanceLevelTests {
    /// Uniform targets: 1/symbols, not the upward-biased maximum of the class counts.
    @Test func uniformTargetsGiveOneOverSymbols() throws {
        let shift = try TaskRegistry.shared.make(Spec(parsing: "shift(symbols=8)"))
        #expect(abs(shift.chanceLevel(length: 16, trials: 4000) - 0.125) < 0.01)
        let reverse = try TaskRegistry.shared.make(Spec(parsing: "reverse(symbols=4)"))
        #expect(abs(reverse.chanceLevel(length: 8, trials: 4000) - 0.25) < 0.015)
    }

    /// majority(symbols=2) at length 2: 00, 01 and 10 all answer 0 (ties go to the smallest id), so
    /// always guessing 0 is right 3/4 of the time, not 1/2.
    @Test func majorityTiesRaiseChance() throws {
        let majority = try TaskRegistry.shared.make(Spec(parsing: "majority(symbols=2)"))
        #expect(abs(majority.chanceLevel(length: 2, trials: 4000) - 0.75) < 0.02)
    }

    /// The probability that 0 is the majority of `length` uniform symbols (ties go to the smallest
    /// id), by enumerating every count profile: the exact chance level of `majority`.
    static func exactMajorityChance(symbols k: Int, length n: Int) -> Double {
        func logFactorial(_ m: Int) -> Double { lgamma(Double(m) + 1) }
        var total = 0.0
        func profiles(_ prefix: [Int], _ left: Int) {
            if prefix.count == k - 1 {
                let counts = prefix + [left]
                let best = counts.max()!
                guard counts[0] == best else { return }
                let logProbability = logFactorial(n) - counts.map(logFactorial).reduce(0, +) - Double(n) * log(Double(k))
                total += exp(logProbability)
                return
            }
            for c in 0...left { profiles(prefix + [c], left - c) }
        }
        profiles([], n)
        return total
    }

    /// `majority`'s chance level was estimated with a standard error of 0.005–0.009, not the
    /// documented < 0.002 (0.325 against an exact 0.312 at length 16): it is computed exactly.
    @Test func majorityChanceLevelIsExact() throws {
        for (symbols, length) in [(4, 16), (4, 8), (2, 2), (3, 7), (4, 32)] {
            let majority = try TaskRegistry.shared.make(Spec(parsing: "majority(symbols=\(symbols))"))
            let exact = Self.exactMajorityChance(symbols: symbols, length: length)
            let got = majority.chanceLevel(length: length, trials: 2000)
            #expect(abs(got - exact) < 1e-9, "majority(symbols=\(symbols)) at \(length): \(got), exactly \(exact)")
        }
    }
}
