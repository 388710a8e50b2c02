import Foundation
import PosLabResults
import PosLabStatistics
import Testing

/// Issue 13's statistics, one test per complaint: each failed on the code before it.
@Suite struct ComparisonVerdictTests {
    /// Records of one task at length 8 from per-seed values of each encoding (nil: diverged).
    static func records(task: String = "shift", _ values: [String: [Double?]], length: Int = 8, attention: String = "bidirectional") -> [RunRow] {
        values.keys.sorted().flatMap { enc in
            values[enc]!.enumerated().map { i, v in
                RunRow(task: task, encoding: enc, seed: UInt64(i + 1), trainLengthMax: 8, evalLength: length,
                          status: v == nil ? .diverged : .ok, tokenAccuracy: v, sequenceAccuracy: v, evalLoss: v.map { 2 - 2 * $0 },
                          attention: attention)
            }
        }
    }

    /// "16 accuracy intervals go above 1": the interval of a bounded mean stays in [0, 1], and says how it was made.
    @Test func accuracyIntervalsStayInTheUnitInterval() throws {
        let summary = Summary(records: Self.records(["learned": [1.0, 0.875, 1.0], "none": [0.0, 0.125, 0.0]]))
        let rows = summary.rows.filter { $0.metric != .loss }
        #expect(rows.count == 4)
        for row in rows {
            let ci = try #require(row.interval)
            #expect(ci.low >= 0 && ci.high <= 1, "\(row.encoding) \(row.metric): [\(ci.low), \(ci.high)]")
            let t = try #require(row.stats?.meanInterval())
            #expect(ci.low == max(t.low, 0) && ci.high == min(t.high, 1))
        }
        let csv = summary.table
        let method = csv.column("ci_method")
        #expect(csv.rows.allSatisfy { !$0[method].isEmpty })
    }

    /// "+0.015 [+0.001, +0.030], p_holm = 0.068": the interval and the p printed beside it are the
    /// same test's, so the interval excludes 0 exactly when that p is below alpha, at any alpha.
    @Test(arguments: [0.05, 0.01])
    func intervalAndPAgree(alpha: Double) throws {
        // Four encodings against none; small, noisy differences so that some p fall either side of alpha.
        let base: [Double] = [0.50, 0.52, 0.49, 0.51, 0.50]
        let values: [String: [Double?]] = [
            "none": base,
            "a": zip(base, [0.012, 0.030, 0.001, 0.020, 0.015]).map { $0 + $1 },  // p ≈ 0.03 alone, p_holm ≈ 0.09
            "b": zip(base, [0.010, 0.030, -0.004, 0.020, 0.012]).map { $0 + $1 },
            "c": zip(base, [0.002, 0.040, -0.020, 0.010, 0.015]).map { $0 + $1 },
            "d": zip(base, [0.030, 0.031, 0.029, 0.030, 0.032]).map { $0 + $1 },
        ]
        let c = try Comparison(records: Self.records(values), metric: .tokenAccuracy, lengths: .train, baseline: "none", alpha: alpha)
        var disagreeing = 0
        for row in c.rows {
            let p = try #require(row.test.p), ci = try #require(row.interval), pHolm = try #require(row.pHolm)
            #expect((ci.low > 0 || ci.high < 0) == (p < alpha), "\(row.a): [\(ci.low), \(ci.high)] with p = \(p)")
            #expect(row.verdict.contains("p = \(Comparison.formatP(p))") && row.verdict.contains("p_holm = \(Comparison.formatP(pHolm))"))
            #expect(row.verdict.contains("\(Int((100 * (1 - alpha)).rounded()))% CI"))
            let saysNotSignificant = row.verdict.hasPrefix("no significant difference") || row.verdict.contains("not significant")
            #expect(saysNotSignificant == (pHolm >= alpha), "\(row.verdict)")
            if p < alpha && pHolm >= alpha { disagreeing += 1 }
        }
        if alpha == 0.05 { #expect(disagreeing > 0, "the data should have a test significant alone but not after Holm") }
    }

    /// "The same test gets p_holm 2.8e-5, 5.2e-5 or 1.5e-4 depending on the flags": by default the
    /// family is one (metric, length, task) block, so asking about more lengths or pairs changes nothing.
    @Test func holmFamilyIsOneBlockByDefault() throws {
        let records = AnalysisTests.records
        let narrow = try Comparison(records: records, metric: .tokenAccuracy, lengths: .train, baseline: "none")
        let wide = try Comparison(records: records, metric: .tokenAccuracy, lengths: .all)
        for row in narrow.rows where row.pHolm != nil {
            let same = try #require(wide.rows.first { $0.evalLength == row.evalLength && Set([$0.a, $0.b]) == Set([row.a, row.b]) })
            #expect(same.family == row.family && same.family.contains("length 8"))
            // The wide run has 3 pairs at length 8 (2 defined), the narrow one 2: the same block, one more test in it.
            #expect(same.familySize >= row.familySize)
        }
        // Within one block, adding other lengths never changes a p_holm.
        let train = try Comparison(records: records, metric: .tokenAccuracy, lengths: .train)
        for row in train.rows {
            let same = try #require(wide.rows.first { $0.evalLength == row.evalLength && $0.a == row.a && $0.b == row.b })
            #expect(same.pHolm == row.pHolm)
        }
        // --family all pools every row, as before, and says so.
        let all = try Comparison(records: records, metric: .tokenAccuracy, lengths: .all, family: .all)
        #expect(Set(all.rows.map(\.family)).count == 1 && all.rows[0].familySize == all.rows.compactMap(\.test.p).count)
        #expect(all.table.rows.allSatisfy { $0[all.table.column("family")] == all.rows[0].family })
    }

    /// "none > rope at length 64, +1.202 means none is worse": loss verdicts name the better (lower) side.
    @Test func lossVerdictsSayWhichIsBetter() throws {
        // Loss = 2 − 2·accuracy: learned has the lower loss.
        let c = try Comparison(records: AnalysisTests.records, metric: .loss, lengths: .train, baseline: "none")
        let row = try #require(c.rows.first { $0.a == "learned" })
        #expect(row.difference! < 0 && row.better == "learned")
        #expect(row.verdict.hasPrefix("learned better than none"), "\(row.verdict)")
        #expect(!row.verdict.contains(">"))
        let csv = c.table
        #expect(csv.rows[0][csv.column("direction")] == "lower is better")
    }

    /// "Sequence accuracy 1.0 against 0.0 on every seed gets no p and no verdict": the exact sign test.
    @Test func oneSignOnEverySeedGetsTheSignTest() throws {
        let c = try Comparison(records: Self.records(["learned": [1, 1, 1, 1, 1], "none": [0, 0, 0, 0, 0]]),
                               metric: .sequenceAccuracy, lengths: .train, baseline: "none")
        let row = c.rows[0]
        #expect(row.test.kind == .sign && abs(row.test.p! - 0.0625) < 1e-12 && row.pHolm == row.test.p)
        #expect(row.interval == nil)
        #expect(row.verdict.hasPrefix("learned better than none on every seed (5/5) at length 8, not significant after Holm's correction"),
                "\(row.verdict)")
        #expect(row.verdict.contains("exact sign p = 0.063"))
    }

    /// "Welch's interval is empty when the mean difference is exactly 0".
    @Test func welchIntervalAtZeroDifference() throws {
        // No seed in common with numbers on both sides: Welch. Means 0.5 and 0.5.
        let c = try Comparison(records: Self.records(["a": [0.25, 0.75, nil, nil], "b": [nil, nil, 0.375, 0.625]]),
                               metric: .tokenAccuracy, lengths: .train)
        let row = c.rows[0]
        #expect(!row.paired && row.test.kind == .welchT && row.difference == 0 && row.test.p == 1)
        let ci = try #require(row.interval)
        #expect(ci.low < 0 && ci.high > 0 && abs(ci.low + ci.high) < 1e-15)
        // Welch's interval (df ≈ 1.5, so wide), clipped to the range of a difference of accuracies.
        let expected = try #require(clipped(welchInterval([0.25, 0.75], [0.375, 0.625]), to: -1...1))
        #expect(abs(ci.low - expected.low) < 1e-15 && abs(ci.high - expected.high) < 1e-15)
    }

    /// "Diverged seeds just vanish… the Welch fallback drops the pairing": the seeds both sides share
    /// stay paired, n of n_total is shown, and `--diverged worst` counts a diverged run as 0.
    @Test func divergedSeedsAreCountedAndPairingKept() throws {
        let records = Self.records(["sinusoidal": [0.9, nil, 0.92, nil, 0.95, 0.91], "none": [0.3, 0.31, 0.29, 0.3, 0.32, 0.3]])
        let c = try Comparison(records: records, metric: .tokenAccuracy, lengths: .train, baseline: "none")
        let row = c.rows[0]
        #expect(row.paired && row.valuesA.count == 4 && row.totalA == 6 && row.totalB == 6)
        #expect(row.test.kind == .pairedT)
        let csv = c.table
        #expect(csv.rows[0][csv.column("n_a")] == "4" && csv.rows[0][csv.column("n_total_a")] == "6")
        #expect(csv.rows[0][csv.column("note")].contains("seeds 2, 4 left out"))
        let worst = try Comparison(records: records, metric: .tokenAccuracy, lengths: .train, baseline: "none", diverged: .worst)
        #expect(worst.rows[0].valuesA == [0.9, 0, 0.92, 0, 0.95, 0.91] && worst.rows[0].paired)
        // The printed table says 4/6, not "6 seeds".
        let summary = Summary(records: records)
        let text = SummaryTable(summary: summary, trainingLength: 8, lengths: [8]).render()
        #expect(text.contains("(4/6)") && text.contains("2 diverged"), "\(text)")
        #expect(throws: ComparisonError.self) {
            try Comparison(records: records, metric: .loss, lengths: .train, baseline: "none", diverged: .worst)
        }
    }

    /// "`none` is called near chance at 0.344 where 1/symbols is 0.125": the chance level is a column and a table row.
    @Test func chanceLevelIsReported() throws {
        let summary = Summary(records: Self.records(["none": [0.34, 0.35, 0.33]]), metrics: [.tokenAccuracy])
        let chance = try #require(summary.rows[0].chance)
        #expect(abs(chance - 0.125) < 0.005)
        let csv = summary.table
        #expect(Double(csv.rows[0][csv.column("chance")]) == chance)
        let text = SummaryTable(summary: summary, trainingLength: 8, lengths: [8]).render()
        #expect(text.contains("(chance)") && text.contains(String(format: "%.3f", chance)))
        // Beside it, the order-blind ceiling (own token and bag of tokens): what `none` can reach.
        let blind = try #require(summary.rows[0].orderBlind)
        #expect(abs(blind - 0.3436) < 0.03 && Double(csv.rows[0][csv.column("order_blind")]) == blind)
        #expect(text.contains("(order-blind)") && text.contains(String(format: "%.3f", blind)), "\(text)")
    }

    /// "The across-task ranking puts none first at length 32, because it averages the control task in":
    /// control tasks are marked and left out of the aggregate (and the table says so).
    @Test func controlsAreMarkedAndLeftOutOfRankings() throws {
        var records = Self.records(task: "shift", ["none": [0.3, 0.31, 0.29], "learned": [0.9, 0.95, 0.92]])
        records += Self.records(task: "reverse", ["none": [0.3, 0.3, 0.3], "learned": [0.31, 0.32, 0.3]])
        records += Self.records(task: "majority", ["none": [0.99, 0.98, 0.99], "learned": [0.6, 0.5, 0.55]])
        let summary = Summary(records: records, metrics: [.tokenAccuracy])
        #expect(summary.rows.filter(\.controlTask).allSatisfy { $0.task == "majority" })
        #expect(summary.rows.contains { $0.controlTask } && summary.controlScopes == ["majority"])
        #expect(summary.rows.filter(\.controlEncoding).allSatisfy { $0.encoding == "none" })
        let rankings = Rankings(summary: summary, metric: .tokenAccuracy, lengths: [8])
        #expect(rankings.excludedControls == ["majority"])
        // Without the control: learned ranks first on both order tasks.
        #expect(rankings.overall.map(\.encoding) == ["learned", "none"] && rankings.overall[0].meanRank == 1)
        let with = Rankings(summary: summary, metric: .tokenAccuracy, lengths: [8], includeControls: true)
        #expect(with.overall[0].meanRank > 1)
    }

    /// "Under causal attention none reaches 0.92 on shift": `none` is not called a control there.
    @Test func causalNoneIsNotAnOrderBlindControl() throws {
        let summary = Summary(records: Self.records(["none": [0.92, 0.91, 0.93]], attention: "causal"), metrics: [.tokenAccuracy])
        #expect(!summary.rows[0].controlEncoding)
        let text = SummaryTable(summary: summary, trainingLength: 8, lengths: [8]).render()
        #expect(!text.contains("order-blind control"))
    }
}
