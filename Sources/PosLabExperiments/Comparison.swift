import Foundation
import PosLabStatistics

/// `comparisons.csv`: encodings compared pairwise (or each against a baseline), per task and length.
///
/// Which test: when both encodings have numbers for exactly the same seeds, the runs are paired
/// (same data, same shared initial weights) and the primary test is the paired t-test on the
/// per-seed differences, with Cohen's d_z and the Wilcoxon signed-rank test alongside; otherwise
/// Welch's t-test, with Cohen's d and the Mann–Whitney U test alongside. The interval is the t
/// interval of the mean difference (Welch's for unpaired). Holm's adjustment runs over every
/// primary p-value in the file (the family is the whole comparison you asked for). Undefined
/// tests (all differences zero, zero variance, fewer than 2 seeds) have no p and say why.
public struct Comparison {
    public static let columns = [
        "task", "setting", "eval_length", "metric", "encoding_a", "encoding_b", "n_a", "n_b", "paired", "mean_a", "mean_b",
        "difference", "ci_low", "ci_high", "test", "statistic", "df", "p", "p_holm", "effect_size_name", "effect_size",
        "cliffs_delta", "rank_test", "rank_test_p", "note", "verdict",
    ]

    public struct Row: Sendable {
        public var task: String, setting: String, evalLength: Int, metric: Metric
        public var a: String, b: String
        public var valuesA: [Double], valuesB: [Double]
        public var paired: Bool
        public var difference: Double?
        public var interval: (low: Double, high: Double)?
        public var test: HypothesisTest, rankTest: HypothesisTest
        public var effectName: String, effect: Double?, cliffs: Double?
        public var pHolm: Double?
        public var verdict: String
    }

    public let rows: [Row]
    public let alpha: Double

    /// Compares every pair of encodings (suite order), or each against `baseline`, at the chosen lengths.
    public init(records: [RunRecord], metric: Metric, lengths choice: LengthChoice, baseline: String? = nil, alpha: Double = 0.05) throws {
        self.alpha = alpha
        let scopes = records.map(\.scope).uniqued(), encodings = records.map(\.encoding).uniqued()
        if let baseline, !encodings.contains(baseline) {
            let hint = encodings.first { $0.hasPrefix(baseline + "(") }.map { " (did you mean '\($0)'?)" } ?? ""
            throw ComparisonError("no encoding '\(baseline)' in these results\(hint); they have: \(encodings.joined(separator: ", "))")
        }
        let lengths = choice.lengths(in: records)
        guard !lengths.isEmpty else { throw ComparisonError("no evaluation lengths selected by '\(choice)'") }
        var pairs: [(String, String)] = []
        if let baseline {
            pairs = encodings.filter { $0 != baseline }.map { ($0, baseline) }
        } else {
            for i in encodings.indices { for j in encodings.indices where j > i { pairs.append((encodings[i], encodings[j])) } }
        }
        var rows: [Row] = []
        // Encodings are compared within one task and one setting: never across grid points.
        for scope in scopes {
            for length in lengths {
                let here = records.filter { $0.scope == scope && $0.evalLength == length }
                guard let first = here.first else { continue }
                for (a, b) in pairs {
                    rows.append(Self.compare(here, a, b, task: first.task, setting: first.setting, length: length, metric: metric))
                }
            }
        }
        let adjusted = holmAdjusted(rows.map(\.test.p))
        for i in rows.indices {
            rows[i].pHolm = adjusted[i]
            rows[i].verdict = Self.verdict(rows[i], alpha: alpha)
        }
        self.rows = rows
    }

    static func compare(_ records: [RunRecord], _ a: String, _ b: String, task: String, setting: String = "", length: Int, metric: Metric) -> Row {
        func bySeed(_ enc: String) -> [UInt64: Double] {
            var out: [UInt64: Double] = [:]
            for r in records where r.encoding == enc { if let v = r.value(metric) { out[r.seed] = v } }
            return out
        }
        let sa = bySeed(a), sb = bySeed(b)
        let paired = !sa.isEmpty && Set(sa.keys) == Set(sb.keys)
        let seeds = sa.keys.sorted()
        let x = paired ? seeds.map { sa[$0]! } : sa.keys.sorted().map { sa[$0]! }
        let y = paired ? seeds.map { sb[$0]! } : sb.keys.sorted().map { sb[$0]! }
        var row = Row(task: task, setting: setting, evalLength: length, metric: metric, a: a, b: b, valuesA: x, valuesB: y, paired: paired,
                      difference: nil, interval: nil, test: pairedTTest([], []), rankTest: wilcoxonSignedRank([], []),
                      effectName: paired ? "d_z" : "d", effect: nil, cliffs: cliffsDelta(x, y), pHolm: nil, verdict: "")
        if paired {
            let d = zip(x, y).map { $0 - $1 }
            let s = Descriptive(d)
            row.difference = s?.mean
            row.interval = s?.meanInterval()
            row.test = pairedTTest(x, y)
            row.rankTest = wilcoxonSignedRank(x, y)
            row.effect = cohensDz(x, y)
        } else {
            if let ma = Descriptive(x)?.mean, let mb = Descriptive(y)?.mean { row.difference = ma - mb }
            row.test = welchTTest(x, y)
            if let t = row.test.statistic, let df = row.test.df, let diff = row.difference, t != 0 {
                let se = abs(diff / t), half = Distributions.tQuantile(0.975, df: df) * se
                row.interval = (diff - half, diff + half)
            }
            row.rankTest = mannWhitneyU(x, y)
            row.effect = cohensD(x, y)
        }
        return row
    }

    /// A plain-words reading: "learned > none at length 8, +0.656 [+0.640, +0.672], p_holm = 1.2e-06".
    static func verdict(_ r: Row, alpha: Double) -> String {
        let at = "at length \(r.evalLength)"
        guard let diff = r.difference else {
            return "\(r.a) vs \(r.b) \(at): no numbers to compare (\(r.valuesA.count) vs \(r.valuesB.count) runs)"
        }
        // State the larger side first, so the difference and its interval read as positive.
        let flip = diff < 0
        let (hi, lo) = flip ? (r.b, r.a) : (r.a, r.b)
        let d = abs(diff)
        let ci = r.interval.map { flip ? (-$0.high, -$0.low) : ($0.low, $0.high) }
            .map { String(format: " [%+.3f, %+.3f]", $0.0, $0.1) } ?? ""
        let effect = String(format: "%+.3f", d) + ci
        guard let p = r.pHolm else {
            if r.test.note == "all differences are zero" {
                return "no difference between \(r.a) and \(r.b) \(at): equal on every one of \(r.valuesA.count) seeds"
            }
            return "\(hi) vs \(lo) \(at): \(effect), no test (\(r.test.note ?? "undefined"))"
        }
        let ps = p < 0.001 ? String(format: "p_holm = %.1e", p) : String(format: "p_holm = %.3f", p)
        return p < alpha ? "\(hi) > \(lo) \(at), \(effect), \(ps)"
            : "no significant difference between \(hi) and \(lo) \(at): \(effect), \(ps)"
    }

    /// The comparisons as CSV rows.
    public var table: CSVTable {
        let f = CSVTable.field
        return CSVTable(header: Self.columns, rows: rows.map { r in
            [r.task, r.setting, String(r.evalLength), r.metric.rawValue, r.a, r.b, String(r.valuesA.count), String(r.valuesB.count),
             r.paired ? "true" : "false", f(Descriptive(r.valuesA)?.mean), f(Descriptive(r.valuesB)?.mean),
             f(r.difference), f(r.interval?.low), f(r.interval?.high), r.test.kind.rawValue, f(r.test.statistic),
             f(r.test.df), f(r.test.p), f(r.pHolm), r.effectName, f(r.effect), f(r.cliffs),
             "\(r.rankTest.kind.rawValue) (\(r.rankTest.method))", f(r.rankTest.p),
             [r.test.note, r.rankTest.note].compactMap { $0 }.joined(separator: "; "), r.verdict]
        })
    }
}

/// A comparison that cannot be made (an unknown baseline, no such length).
public struct ComparisonError: Error, CustomStringConvertible {
    public var description: String
    init(_ message: String) { description = message }
}

extension Array where Element: Hashable {
    /// The elements in first-seen order, without repeats.
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
