import Foundation
import PosLabStatistics
import Testing

/// The fixture written by `Scripts/make_stats_fixture.py` (SciPy 1.17, numpy 2.4).
struct StatsFixture: Decodable {
    struct Describe: Decodable {
        var n: Int, mean: Double, sd: Double?, se: Double?, ci95_low: Double?, ci95_high: Double?
        var median: Double, min: Double, max: Double, q1: Double, q3: Double
        var ci95_clipped_low: Double?, ci95_clipped_high: Double?
    }
    struct TResult: Decodable { var statistic: Double, pvalue: Double, df: Double, ci95_low: Double, ci95_high: Double }
    struct Interval: Decodable { var low: Double, high: Double }
    struct SignResult: Decodable { var statistic: Double, n_nonzero: Int, pvalue: Double }
    struct RankResult: Decodable { var method: String, statistic: Double, pvalue: Double }
    struct Case: Decodable {
        var name: String, x: [Double], y: [Double]
        var describe_x: Describe, describe_y: Describe
        var paired_t: TResult?, welch_t: TResult?, welch_interval: Interval?, sign_test: SignResult?
        var wilcoxon: RankResult?, mann_whitney: RankResult
        var cohen_d: Double?, cohen_dz: Double?, cliffs_delta: Double?
    }
    struct Quantile: Decodable { var q: Double, df: Double, value: Double }
    struct TCDF: Decodable { var t: Double, df: Double, cdf: Double, sf: Double }
    struct Normal: Decodable { var x: Double, cdf: Double, sf: Double }
    struct NormalPPF: Decodable { var p: Double, value: Double }
    struct Holm: Decodable { var p: [Double], adjusted: [Double] }
    var cases: [Case]
    var t_ppf: [Quantile], t_cdf: [TCDF], norm: [Normal], norm_ppf: [NormalPPF], holm: [Holm]

    static let shared: StatsFixture = {
        let url = Bundle.module.url(forResource: "stats", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(StatsFixture.self, from: Data(contentsOf: url))
    }()
}

/// |a − b| ≤ 1e-9 · max(|b|, tiny): agreement to 1e-9 relative.
func expectAgrees(_ a: Double?, _ b: Double?, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let b else {
        #expect(a == nil, "\(what): expected undefined, got \(String(describing: a))", sourceLocation: sourceLocation)
        return
    }
    guard let a else {
        Issue.record("\(what): undefined, expected \(b)", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(a - b) <= 1e-9 * max(abs(b), 1e-300), "\(what): \(a) vs SciPy \(b)", sourceLocation: sourceLocation)
}

@Suite struct SciPyAgreementTests {
    static var cases: [StatsFixture.Case] { StatsFixture.shared.cases }

    @Test(arguments: cases.map(\.name))
    func agreesWithSciPy(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        for (values, expected, side) in [(c.x, c.describe_x, "x"), (c.y, c.describe_y, "y")] {
            let d = try #require(Descriptive(values))
            #expect(d.n == expected.n)
            for (ours, theirs, what) in [(d.mean, expected.mean, "mean"), (d.median, expected.median, "median"), (d.min, expected.min, "min"),
                                         (d.max, expected.max, "max"), (d.q1, expected.q1, "q1"), (d.q3, expected.q3, "q3")] {
                expectAgrees(ours, theirs, "\(name) \(side) \(what)")
            }
            expectAgrees(d.sd, expected.sd, "\(name) \(side) sd")
            expectAgrees(d.standardError, expected.se, "\(name) \(side) se")
            let ci = d.meanInterval()
            expectAgrees(ci?.low, expected.ci95_low, "\(name) \(side) ci low")
            expectAgrees(ci?.high, expected.ci95_high, "\(name) \(side) ci high")
            if expected.ci95_clipped_low != nil || expected.ci95_clipped_high != nil {
                let bounded = clipped(ci, to: 0...1)
                expectAgrees(bounded?.low, expected.ci95_clipped_low, "\(name) \(side) clipped ci low")
                expectAgrees(bounded?.high, expected.ci95_clipped_high, "\(name) \(side) clipped ci high")
            }
        }
        let paired = pairedTTest(c.x, c.y)
        expectAgrees(paired.statistic, c.paired_t?.statistic, "\(name) paired t")
        expectAgrees(paired.p, c.paired_t?.pvalue, "\(name) paired p")
        if c.paired_t != nil { expectAgrees(paired.df, c.paired_t?.df, "\(name) paired df") } else { #expect(paired.note != nil) }
        if let expected = c.paired_t {
            let ci = pairedDifferenceInterval(c.x, c.y)
            expectAgrees(ci?.low, expected.ci95_low, "\(name) paired ci low")
            expectAgrees(ci?.high, expected.ci95_high, "\(name) paired ci high")
        }
        let welchCI = welchInterval(c.x, c.y)
        expectAgrees(welchCI?.low, c.welch_interval?.low, "\(name) Welch ci low")
        expectAgrees(welchCI?.high, c.welch_interval?.high, "\(name) Welch ci high")
        if let expected = c.welch_t {
            expectAgrees(welchCI?.low, expected.ci95_low, "\(name) Welch test's ci low")
            expectAgrees(welchCI?.high, expected.ci95_high, "\(name) Welch test's ci high")
        }
        let sign = signTest(c.x, c.y)
        if let expected = c.sign_test {
            #expect(sign.kind == .sign && sign.method == "exact")
            expectAgrees(sign.statistic, expected.statistic, "\(name) sign test k")
            expectAgrees(sign.p, expected.pvalue, "\(name) sign test p")
        } else {
            #expect(sign.p == nil && sign.note == "all differences are zero", "\(name) sign test")
        }
        let welch = welchTTest(c.x, c.y)
        expectAgrees(welch.statistic, c.welch_t?.statistic, "\(name) Welch t")
        expectAgrees(welch.p, c.welch_t?.pvalue, "\(name) Welch p")
        if c.welch_t != nil { expectAgrees(welch.df, c.welch_t?.df, "\(name) Welch df") }
        let w = wilcoxonSignedRank(c.x, c.y)
        if let expected = c.wilcoxon {
            #expect(w.method == (expected.method == "exact" ? "exact" : "normal approximation"), "\(name): \(w.method)")
            expectAgrees(w.statistic, expected.statistic, "\(name) Wilcoxon W")
            expectAgrees(w.p, expected.pvalue, "\(name) Wilcoxon p")
        } else {
            #expect(w.p == nil && w.note == "all differences are zero")
        }
        let u = mannWhitneyU(c.x, c.y)
        #expect(u.method == (c.mann_whitney.method == "exact" ? "exact" : "normal approximation"), "\(name): \(u.method)")
        expectAgrees(u.statistic, c.mann_whitney.statistic, "\(name) Mann-Whitney U")
        expectAgrees(u.p, c.mann_whitney.pvalue, "\(name) Mann-Whitney p")
        expectAgrees(cohensD(c.x, c.y), c.cohen_d, "\(name) Cohen's d")
        expectAgrees(cohensDz(c.x, c.y), c.cohen_dz, "\(name) Cohen's d_z")
        expectAgrees(cliffsDelta(c.x, c.y), c.cliffs_delta, "\(name) Cliff's delta")
    }

    /// GSL's distribution functions against SciPy's.
    @Test func distributionFunctions() {
        let f = StatsFixture.shared
        for q in f.t_ppf { expectAgrees(Distributions.tQuantile(q.q, df: q.df), q.value, "t.ppf(\(q.q), \(q.df))") }
        for t in f.t_cdf {
            expectAgrees(Distributions.tCDF(t.t, df: t.df), t.cdf, "t.cdf(\(t.t), \(t.df))")
            expectAgrees(Distributions.tSurvival(t.t, df: t.df), t.sf, "t.sf(\(t.t), \(t.df))")
        }
        for n in f.norm {
            expectAgrees(Distributions.normalCDF(n.x), n.cdf, "norm.cdf(\(n.x))")
            expectAgrees(Distributions.normalSurvival(n.x), n.sf, "norm.sf(\(n.x))")
        }
        for n in f.norm_ppf { expectAgrees(Distributions.normalQuantile(n.p), n.value, "norm.ppf(\(n.p))") }
    }

    @Test func holmMatchesReference() {
        for h in StatsFixture.shared.holm {
            let ours = holmAdjusted(h.p)
            for (a, b) in zip(ours, h.adjusted) { expectAgrees(a, b, "holm \(h.p)") }
        }
        // Undefined tests stay outside the family.
        #expect(holmAdjusted([0.01, nil, 0.04]) == [0.02, nil, 0.04])
    }
}
