import Foundation
import PosLabModel
import PosLabStatistics
import PosLabStudy

/// `comparisons.csv`: encodings compared pairwise (or each against a baseline), per task and length.
///
/// Which test: the runs of two encodings are paired by seed (same data, same shared initial
/// weights) over the seeds where both have numbers; the primary test is the paired t-test on the
/// per-seed differences, with its t interval, Cohen's d_z and the Wilcoxon signed-rank test
/// alongside. When every difference is the same (zero variance, e.g. 1.0 against 0.0 on every
/// seed) the t-test is undefined and the exact sign test is the primary test. Fewer than two
/// shared seeds fall back to Welch's t-test and interval, Cohen's d and the Mann–Whitney U test.
/// The exact sign test's p is always given for paired rows.
///
/// `p` and the interval (at level 1 − alpha) belong to the one test: the interval excludes 0
/// exactly when p < alpha. `p_holm` is Holm's adjustment of `p` within the row's `family` (by
/// default one task, setting, length and metric); the verdict's "significant" is p_holm < alpha.
/// Direction comes from the metric: for accuracies higher is better, for loss lower.
public struct Comparison {
    public static let columns = [
        "task", "setting", "eval_length", "metric", "encoding_a", "encoding_b", "n_a", "n_b", "paired", "mean_a", "mean_b",
        "difference", "ci_low", "ci_high", "test", "statistic", "df", "p", "p_holm", "effect_size_name", "effect_size",
        "cliffs_delta", "rank_test", "rank_test_p", "note", "verdict",
        "n_total_a", "n_total_b", "direction", "better", "seeds_better", "sign_test_p", "ci_level", "family", "family_size",
        "control_task", "diverged",
    ]

    public struct Row: Sendable {
        public var task: String, setting: String, evalLength: Int, metric: Metric
        public var a: String, b: String
        /// The values compared (paired rows: in seed order, one per shared seed).
        public var valuesA: [Double], valuesB: [Double]
        /// Runs of each encoding in this cell, with numbers or not.
        public var totalA: Int, totalB: Int
        public var paired: Bool
        /// mean(a) − mean(b) (paired: the mean of the per-seed differences).
        public var difference: Double?
        /// The interval of `difference` at `level`, from the primary test (nil when it has none).
        public var interval: (low: Double, high: Double)?
        public var test: HypothesisTest, rankTest: HypothesisTest, signTest: HypothesisTest?
        public var effectName: String, effect: Double?, cliffs: Double?
        public var family: String = "", familySize: Int = 0
        public var pHolm: Double?
        public var controlTask: Bool = false
        public var verdict: String = ""
        public var notes: [String] = []
        /// What diverged runs counted as.
        public var divergedPolicy: DivergedPolicy = .drop

        /// The better encoding by the metric's direction (nil without a difference, or at 0).
        public var better: String? {
            guard let d = difference, d != 0 else { return nil }
            return (d > 0) == metric.higherIsBetter ? a : b
        }
        /// Paired seeds on which `better` did better, and the number of pairs.
        public var seedsBetter: (wins: Int, of: Int)? {
            guard paired, let better else { return nil }
            let wins = zip(valuesA, valuesB).filter { x, y in
                let (mine, theirs) = better == a ? (x, y) : (y, x)
                return metric.higherIsBetter ? mine > theirs : mine < theirs
            }.count
            return (wins, valuesA.count)
        }
    }

    public let rows: [Row]
    public let alpha: Double
    public let familyScope: ComparisonFamily

    /// Compares every pair of encodings (suite order), or each against `baseline`, at the chosen lengths.
    public init(records: [RunRow], metric: Metric, lengths choice: LengthChoice, baseline: String? = nil, alpha: Double = 0.05,
                family: ComparisonFamily = .block, diverged: DivergedPolicy = .drop, facts: TaskFacts = TaskFacts()) throws {
        self.alpha = alpha
        self.familyScope = family
        let scopes = records.map(\.scope).uniqued(), encodings = records.map(\.encoding).uniqued()
        var baselineName: String?
        if let baseline {
            baselineName = try Self.resolve(baseline: baseline, among: encodings)
        }
        if diverged == .worst && metric.worst == nil {
            throw ComparisonError("--diverged worst needs a metric with a worst value (an accuracy); \(metric.rawValue) has none")
        }
        let available = Set(records.map(\.evalLength)).sorted()
        let lengths = choice.lengths(in: records)
        guard !lengths.isEmpty else { throw ComparisonError("no evaluation lengths selected by '\(choice)'") }
        if let missing = lengths.first(where: { !available.contains($0) }) {
            throw ComparisonError("length \(missing) was not evaluated; these results have \(available.map(String.init).joined(separator: ", "))")
        }
        var pairs: [(String, String)] = []
        if let baselineName {
            pairs = encodings.filter { $0 != baselineName }.map { ($0, baselineName) }
        } else {
            for i in encodings.indices { for j in encodings.indices where j > i { pairs.append((encodings[i], encodings[j])) } }
        }
        var rows: [Row] = []
        // Encodings are compared within one task and one setting: never across grid points.
        for scope in scopes {
            let control = facts.isControl(records.first { $0.scope == scope }!.task)
            for length in lengths {
                let here = records.filter { $0.scope == scope && $0.evalLength == length }
                guard let first = here.first else { continue }
                for (a, b) in pairs {
                    var row = Self.compare(here, a, b, task: first.task, setting: first.setting, length: length, metric: metric,
                                           level: 1 - alpha, diverged: diverged)
                    row.family = family.key(metric: metric, scope: scope, length: length)
                    row.controlTask = control
                    rows.append(row)
                }
            }
        }
        // Holm within each family.
        var members: [String: [Int]] = [:]
        for i in rows.indices { members[rows[i].family, default: []].append(i) }
        for (_, indices) in members {
            let adjusted = holmAdjusted(indices.map { rows[$0].test.p })
            let size = indices.filter { rows[$0].test.p != nil }.count
            for (k, i) in indices.enumerated() {
                rows[i].pHolm = adjusted[k]
                rows[i].familySize = size
            }
        }
        for i in rows.indices { rows[i].verdict = Self.verdict(rows[i], alpha: alpha) }
        self.rows = rows
    }

    /// The encoding in `encodings` that `baseline` names: written as in runs.csv, with `,` or `;`
    /// between arguments in any order, or by name alone (or with some arguments) when only one matches.
    static func resolve(baseline: String, among encodings: [String]) throws -> String {
        func normal(_ s: String) -> String { (try? Spec(parsing: s).description) ?? s }
        let wanted = normal(baseline)
        if let exact = encodings.first(where: { normal($0) == wanted }) { return exact }
        if let spec = try? Spec(parsing: baseline) {
            let matches = encodings.filter { enc in
                guard let e = try? Spec(parsing: enc), e.name == spec.name else { return false }
                return spec.arguments.allSatisfy { e.arguments[$0.key].map(normal) == normal($0.value) }
            }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 {
                throw ComparisonError("--baseline '\(baseline)' matches \(matches.count) encodings (\(matches.joined(separator: ", "))); give its arguments")
            }
        }
        let name = baseline.split(separator: "(").first.map(String.init) ?? baseline
        let hint = encodings.first { $0 == name || $0.hasPrefix(name + "(") }.map { " (did you mean '\($0)'?)" } ?? ""
        throw ComparisonError("no encoding '\(baseline)' in these results\(hint); they have: \(encodings.joined(separator: ", "))")
    }

    static func compare(_ records: [RunRow], _ a: String, _ b: String, task: String, setting: String = "", length: Int, metric: Metric,
                        level: Double = 0.95, diverged: DivergedPolicy = .drop) -> Row {
        func bySeed(_ enc: String) -> [UInt64: Double] {
            var out: [UInt64: Double] = [:]
            for r in records where r.encoding == enc { if let v = diverged.value(r, metric) { out[r.seed] = v } }
            return out
        }
        let runsA = records.filter { $0.encoding == a }, runsB = records.filter { $0.encoding == b }
        let sa = bySeed(a), sb = bySeed(b)
        let shared = Set(sa.keys).intersection(sb.keys).sorted()
        let paired = shared.count >= 2  // one shared seed is no pairing: Welch (undefined with one run a side), as the README says
        let x = paired ? shared.map { sa[$0]! } : sa.keys.sorted().map { sa[$0]! }
        let y = paired ? shared.map { sb[$0]! } : sb.keys.sorted().map { sb[$0]! }
        var row = Row(task: task, setting: setting, evalLength: length, metric: metric, a: a, b: b, valuesA: x, valuesB: y,
                      totalA: runsA.count, totalB: runsB.count, paired: paired,
                      difference: nil, interval: nil, test: pairedTTest([], []), rankTest: wilcoxonSignedRank([], []), signTest: nil,
                      effectName: paired ? "d_z" : "d", effect: nil, cliffs: cliffsDelta(x, y), divergedPolicy: diverged)
        let range = metric.isBounded ? -1.0...1.0 : -Double.infinity...Double.infinity
        if paired {
            let left = (Set(sa.keys).union(sb.keys)).subtracting(shared).sorted()
            if !left.isEmpty {
                row.notes.append("seed\(left.count == 1 ? "" : "s") \(left.map(String.init).joined(separator: ", ")) left out (no numbers on one side)")
            }
            row.difference = Descriptive(zip(x, y).map { $0 - $1 })?.mean
            let t = pairedTTest(x, y), sign = signTest(x, y)
            row.signTest = sign
            if t.p != nil || sign.p == nil {
                row.test = t
                if t.p != nil { row.interval = clipped(pairedDifferenceInterval(x, y, level: level), to: range) }
            } else {
                row.test = sign  // zero variance, one sign: the t-test is undefined, the sign test is not
                row.notes.append("\(t.note ?? "t-test undefined"): exact sign test instead, no t interval")
            }
            row.rankTest = wilcoxonSignedRank(x, y)
            row.effect = cohensDz(x, y)
        } else {
            if let ma = Descriptive(x)?.mean, let mb = Descriptive(y)?.mean { row.difference = ma - mb }
            row.test = welchTTest(x, y)
            if row.test.p != nil { row.interval = clipped(welchInterval(x, y, level: level), to: range) }
            row.rankTest = mannWhitneyU(x, y)
            row.effect = cohensD(x, y)
        }
        let divergedA = runsA.filter { $0.status == .diverged }.count, divergedB = runsB.filter { $0.status == .diverged }.count
        if divergedA + divergedB > 0 {
            let how = diverged == .worst ? "counted as \(metric.worst!)" : "left out"
            row.notes.append("diverged runs \(how): \(divergedA) of \(a), \(divergedB) of \(b)")
        }
        return row
    }

    /// A number as the verdict prints it, signed, with `decimals` decimals.
    static func format(_ x: Double, decimals: Int = 3) -> String { String(format: "%+.\(decimals)f", x) }
    /// The decimals a verdict prints its numbers with: three, or as many as the smallest nonzero of
    /// `values` needs for three significant digits (a loss of 0.00122 is not printed 0.001), at most 12.
    static func decimals(_ values: [Double]) -> Int {
        guard let smallest = values.map(abs).filter({ $0 > 0 && $0.isFinite }).min(), smallest < 0.1 else { return 3 }
        return min(12, max(3, 2 - Int(log10(smallest).rounded(.down))))
    }
    /// A p-value as the verdict prints it: three decimals, or two significant digits below 0.001.
    public static func formatP(_ p: Double) -> String { p < 0.001 ? String(format: "%.1e", p) : String(format: "%.3f", p) }

    /// A plain-words reading, e.g. "learned better than none at length 8 on every seed (3/3):
    /// token_accuracy 1.000 vs 0.344, difference +0.656, 95% CI [+0.651, +0.662], paired t p = 9.4e-06;
    /// p_holm = 2.8e-05 in a family of 3".
    static func verdict(_ r: Row, alpha: Double) -> String {
        let at = "at length \(r.evalLength)"
        guard let diff = r.difference, let ma = Descriptive(r.valuesA)?.mean, let mb = Descriptive(r.valuesB)?.mean else {
            return "\(r.a) vs \(r.b) \(at): no numbers to compare (\(r.valuesA.count) of \(r.totalA) vs \(r.valuesB.count) of \(r.totalB) runs)"
        }
        if r.test.p == nil && r.test.note == "all differences are zero" {
            return "no difference between \(r.a) and \(r.b) \(at): equal on every one of \(r.valuesA.count) seeds"
        }
        // The better side first; the difference is better − worse in the metric's units.
        let better = r.better ?? r.a, swap = better != r.a
        let worse = swap ? r.a : r.b
        let d = swap ? -diff : diff
        let ci = r.interval.map { swap ? (-$0.high, -$0.low) : ($0.low, $0.high) }
        let level = Int((100 * (1 - alpha)).rounded())
        let places = decimals([ma, mb, d])
        let mean = "%.\(places)f"
        var numbers = "\(r.metric.rawValue) \(String(format: mean, swap ? mb : ma)) vs \(String(format: mean, swap ? ma : mb)), "
            + "difference \(format(d, decimals: places))"
        if let ci { numbers += ", \(level)% CI [\(format(ci.0, decimals: places)), \(format(ci.1, decimals: places))]" }
        guard let p = r.test.p, let pHolm = r.pHolm else {
            return "\(r.a) vs \(r.b) \(at): \(numbers); no test (\(r.test.note ?? "undefined"))"
        }
        numbers += ", \(r.test.kind.rawValue) p = \(formatP(p)); p_holm = \(formatP(pHolm)) in a family of \(r.familySize)"
        let every = r.seedsBetter.flatMap { $0.wins == $0.of ? " on every seed (\($0.wins)/\($0.of))" : nil } ?? ""
        if r.valuesA.count < r.totalA || r.valuesB.count < r.totalB {
            numbers += " (runs with numbers: \(r.valuesA.count) of \(r.totalA) for \(r.a), \(r.valuesB.count) of \(r.totalB) for \(r.b))"
        }
        if pHolm < alpha { return "\(better) better than \(worse) \(at)\(every): \(numbers)" }
        if !every.isEmpty { return "\(better) better than \(worse)\(every) \(at), not significant after Holm's correction: \(numbers)" }
        return "no significant difference between \(better) and \(worse) \(at): \(numbers)"
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
             ([r.test.note, r.rankTest.note].compactMap { $0 } + r.notes).joined(separator: "; "), r.verdict,
             String(r.totalA), String(r.totalB), r.metric.direction, r.better ?? "",
             r.seedsBetter.map { "\($0.wins)/\($0.of)" } ?? "", f(r.signTest?.p), String(1 - alpha), r.family, String(r.familySize),
             r.controlTask ? "true" : "false", r.divergedPolicy.rawValue]
        })
    }
}

/// A comparison that cannot be made (an unknown baseline, no such length).
public struct ComparisonError: UserError {
    public var description: String
    public init(_ message: String) { description = message }
}

extension Array where Element: Hashable {
    /// The elements in first-seen order, without repeats.
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
