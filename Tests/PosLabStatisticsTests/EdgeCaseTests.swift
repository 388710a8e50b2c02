import PosLabStatistics
import Testing

/// Every edge case has a defined, documented result: never a crash, never an invented p-value.
@Suite struct EdgeCaseTests {
    @Test func singleValue() throws {
        let d = try #require(Descriptive([0.7]))
        #expect(d.n == 1 && d.mean == 0.7 && d.sd == nil && d.standardError == nil && d.meanInterval() == nil)
        #expect(d.median == 0.7 && d.q1 == 0.7 && d.q3 == 0.7)
        #expect(Descriptive([]) == nil)
        #expect(pairedTTest([1], [0]).p == nil)
        #expect(welchTTest([1], [0, 1]).p == nil)
    }

    @Test func zeroVariance() throws {
        let same = pairedTTest([1, 1, 1], [1, 1, 1])
        #expect(same.p == nil && same.note == "all differences are zero")
        let constant = pairedTTest([1, 1, 1], [0.5, 0.5, 0.5])
        #expect(constant.p == nil && constant.note!.contains("zero variance"))
        #expect(welchTTest([1, 1], [1, 1]).p == nil)
        #expect(cohensDz([1, 1], [0, 0]) == nil && cohensD([1, 1], [1, 1]) == nil)
        let ci = try #require(Descriptive([0.5, 0.5, 0.5])?.meanInterval())
        #expect(ci.low == 0.5 && ci.high == 0.5)
        #expect(mannWhitneyU([1, 1], [1, 1]).p == nil)
    }

    /// With 5 pairs the exact signed-rank test cannot go below 2/32.
    @Test func smallestExactWilcoxonP() {
        let w = wilcoxonSignedRank([1, 2, 3, 4, 5], [0, 0, 0, 0, 0])
        #expect(w.method == "exact" && w.statistic == 0 && w.p == 2.0 / 32)
    }

    @Test func bootstrapIsSeededAndBracketsTheMean() throws {
        let values: [Double] = [0.91, 0.95, 0.97, 0.88, 0.99, 0.93, 0.96]
        let a = try #require(bootstrapMeanInterval(values, seed: 3)), b = try #require(bootstrapMeanInterval(values, seed: 3))
        #expect(a == b)
        let mean = values.reduce(0, +) / 7
        #expect(a.low < mean && mean < a.high && a.low >= values.min()! && a.high <= values.max()!)
        let t = try #require(Descriptive(values)?.meanInterval())
        #expect(abs((a.high - a.low) - (t.high - t.low)) < 0.5 * (t.high - t.low))  // same order of width
        #expect(bootstrapMeanInterval([0.5], seed: 1)! == (0.5, 0.5))
    }

    @Test func ranks() {
        let r = averageRanks([3, 1, 3, 2])
        #expect(r.ranks == [3.5, 1, 3.5, 2] && r.tieSizes == [2])
        let ranking = rankByScore(["a": 0.9, "b": 0.5, "c": 0.9])
        #expect(ranking == ["a": 1.5, "b": 3, "c": 1.5])
        let agg = aggregateRanks([["a": 1, "b": 2], ["a": 2, "b": 1]])
        #expect(agg["a"]!.meanRank == 1.5 && agg["a"]!.meanReciprocalRank == 0.75)
    }
}
