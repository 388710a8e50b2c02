import Foundation
import PosLabResults
import PosLabStatistics
import Testing

@Suite struct AnalysisTests {
    static func record(_ task: String, _ enc: String, _ seed: UInt64, _ length: Int, _ acc: Double?,
                       status: RunStatus = .ok) -> RunRow {
        RunRow(task: task, encoding: enc, seed: seed, trainLengthMax: 8, evalLength: length,
                  status: acc == nil && status == .ok ? .unsupported : status,
                  tokenAccuracy: acc, sequenceAccuracy: acc, evalLoss: acc.map { 1 - $0 })
    }

    /// none ≈ 0.33, learned and sinusoidal = 1.0 on every seed, learned unsupported at 16.
    static var records: [RunRow] {
        var r: [RunRow] = []
        let noneAcc: [Double] = [0.33, 0.35, 0.31, 0.34, 0.32]
        for (i, seed) in (1...5).enumerated() {
            let s = UInt64(seed)
            r.append(record("shift", "none", s, 8, noneAcc[i]))
            r.append(record("shift", "none", s, 16, noneAcc[i] - 0.1))
            r.append(record("shift", "learned", s, 8, 1.0))
            r.append(record("shift", "learned", s, 16, nil))
            r.append(record("shift", "sinusoidal", s, 8, 1.0))
            r.append(record("shift", "sinusoidal", s, 16, 0.4 + 0.01 * Double(seed)))
        }
        return r
    }

    @Test func summaryCountsExclusionsAndUsesTIntervals() throws {
        let summary = Summary(records: Self.records, metrics: [.tokenAccuracy])
        let learned16 = try #require(summary.rows.first { $0.encoding == "learned" && $0.evalLength == 16 })
        #expect(learned16.n == 0 && learned16.excluded == 5 && learned16.unsupported == 5 && learned16.stats == nil)
        let none8 = try #require(summary.rows.first { $0.encoding == "none" && $0.evalLength == 8 })
        let expected = try #require(Descriptive([0.33, 0.35, 0.31, 0.34, 0.32]))
        #expect(none8.n == 5 && none8.stats == expected)
        #expect(none8.interval! == expected.meanInterval()!)
        let csv = summary.table
        #expect(csv.header == Summary.columns && csv.rows.count == summary.rows.count)
        #expect(csv.rows.first { $0[2] == "learned" && $0[3] == "16" }![7].isEmpty)  // mean: NA, not 0
    }

    @Test func comparisonIsPairedAndHolmCorrected() throws {
        let c = try Comparison(records: Self.records, metric: .tokenAccuracy, lengths: .train)
        #expect(c.rows.count == 3)  // 3 pairs at length 8
        let noneLearned = try #require(c.rows.first { $0.a == "none" && $0.b == "learned" })
        #expect(noneLearned.paired && noneLearned.test.kind == .pairedT && noneLearned.rankTest.kind == .wilcoxon)
        #expect(abs(noneLearned.difference! - (-0.67)) < 1e-12)
        let raw = try #require(noneLearned.test.p)
        #expect(noneLearned.pHolm! >= raw && noneLearned.pHolm! < 0.05)
        #expect(noneLearned.verdict.hasPrefix("learned better than none at length 8 on every seed (5/5): token_accuracy 1.000 vs 0.330, difference +0.670"))
        // learned = sinusoidal on every seed: no test, and it says why.
        let same = try #require(c.rows.first { $0.a == "learned" && $0.b == "sinusoidal" })
        #expect(same.test.p == nil && same.pHolm == nil && same.test.note == "all differences are zero")
        #expect(same.verdict == "no difference between learned and sinusoidal at length 8: equal on every one of 5 seeds")
        // Holm's family: the two defined p-values.
        let ps = c.rows.compactMap(\.test.p)
        #expect(ps.count == 2)
        #expect(c.rows.compactMap(\.pHolm) == holmAdjusted(c.rows.map(\.test.p)).compactMap { $0 })
    }

    @Test func unequalSeedsFallBackToWelch() throws {
        // Fewer than two seeds in common: nothing to pair, so Welch's test on all the values.
        var records = Self.records.filter { $0.evalLength == 8 }
        records.removeAll { $0.encoding == "sinusoidal" && $0.seed > 1 }
        records.removeAll { $0.encoding == "none" && $0.seed == 1 }
        for seed: UInt64 in 6...7 { records.append(Self.record("shift", "sinusoidal", seed, 8, 0.9 + 0.01 * Double(seed))) }
        let c = try Comparison(records: records, metric: .tokenAccuracy, lengths: .length(8), baseline: "none")
        let row = try #require(c.rows.first { $0.a == "sinusoidal" })
        #expect(!row.paired && row.test.kind == .welchT && row.rankTest.kind == .mannWhitney)
        #expect(row.valuesA.count == 3 && row.valuesB.count == 4)
        #expect(c.rows.allSatisfy { $0.b == "none" })
    }

    @Test func unknownBaselineIsAnError() {
        #expect(throws: ComparisonError.self) { try Comparison(records: Self.records, metric: .loss, lengths: .train, baseline: "rope") }
    }

    @Test func rankingsUseMeanRankAndReciprocalRank() throws {
        let summary = Summary(records: Self.records, metrics: [.tokenAccuracy])
        let rankings = Rankings(summary: summary, metric: .tokenAccuracy, lengths: [8, 16])
        let at8 = rankings.overall.filter { $0.length == 8 }
        #expect(at8.map(\.encoding) == ["learned", "sinusoidal", "none"])
        #expect(at8[0].meanRank == 1.5 && at8[2].meanRank == 3 && abs(at8[2].mrr - 1.0 / 3) < 1e-12)
        // learned has no numbers at 16: it is not ranked there.
        #expect(rankings.overall.filter { $0.length == 16 }.map(\.encoding) == ["sinusoidal", "none"])
    }

    /// `poslab run` ends by writing summary.csv and rankings.csv; compare writes comparisons.csv.
    @Test func cliWritesSummaryAndComparisons() throws {
        let dir = temporaryDirectory()
        let (status, out, _) = try runPoslab(["run", fixture("tiny.yaml"), "--out", "r"], in: dir)
        #expect(status == 0)
        #expect(out.contains("mean rank"))
        for file in ["summary.csv", "rankings.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("r/\(file)").path), "\(file)")
        }
        let (cs, cout, cerr) = try runPoslab(["compare", "r", "--baseline", "none", "--length", "all"], in: dir)
        #expect(cs == 0, "\(cerr)")
        #expect(cout.contains("p_holm") || cout.contains("no test"))
        let table = try #require(try CSVTable.read(dir.appendingPathComponent("r/comparisons.csv"), expectedHeader: Comparison.columns))
        #expect(table.rows.count == 2 * 2)  // 2 tasks × 2 lengths × (learned vs none)
        let (bad, _, berr) = try runPoslab(["compare", "r", "--baseline", "rope"], in: dir)
        #expect(bad == 2 && berr.contains("no encoding 'rope'"))
        let (bad2, _, _) = try runPoslab(["compare", "r", "--metric", "speed"], in: dir)
        #expect(bad2 == 2)
    }
}
