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
}
