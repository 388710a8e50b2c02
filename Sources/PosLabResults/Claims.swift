import Foundation
import PosLabCore
import PosLabStatistics
import PosLabStudy
import Yams

/// `poslab claims`: statements a paper makes, checked against a results folder.
///
/// A claims file is YAML: `source` (who says it) and `claims`, a list of statements in a small
/// grammar (operators and keywords separated by spaces; encodings and tasks as `runs.csv` names
/// them, or by a name alone when it matches one):
///
///     A > B on TASK [at lengths L1..L2 | at length L]        A better than B (the metric's direction)
///     A < B on TASK [...]                                    A worse than B
///     A ≈ B on TASK [...] [within M]                         equivalent within ±M (0.05 by default)
///     mean over tasks [on [T1, T2]] [at ...]: A − B ≥ C [for X in [E1, E2]]   (or ≤ C)
///
/// Each claim is one paired test over seeds, with `Comparison`'s code (paired t, or the exact sign
/// test when every difference is equal); a seed's value is its mean over the claim's lengths (and,
/// for `mean over tasks`, the mean over tasks of the per-task difference). The p-values of every
/// claim in the file form one Holm family. Verdicts: `holds`, `contradicted`, `not shown`.
public struct Claims {
    public static let columns = ["source", "line", "claim", "form", "metric", "direction", "tasks", "encoding_a", "encoding_b",
                                 "lengths", "seeds", "n_seeds", "null_hypothesis", "estimate", "ci_low", "ci_high", "ci_level",
                                 "test", "p", "p_holm", "family_size", "verdict", "reason",
                                 "mean_a", "mean_b", "max_a", "max_b", "solved_a", "solved_b", "solved_at"]
    /// The accuracy at which a seed counts as solving a claim's cells (its mean over the claim's
    /// lengths, and tasks): `solved_a`, `solved_b` are the fractions of paired seeds that reach it.
    public static let solvedAt = 0.9

    public enum Verdict: String, Sendable { case holds, contradicted, notShown = "not shown" }

    public enum Relation: String, Sendable { case better = ">", worse = "<", equivalent = "≈", atLeast = "≥", atMost = "≤" }

    /// One claim as parsed (a `for X in [...]` claim is one per X).
    public struct Statement: Sendable {
        public var text: String, line: Int
        public var a: String, b: String
        public var relation: Relation
        /// Pairwise forms: the task; `mean over tasks`: the tasks named (nil: every task in the results).
        public var task: String?, tasks: [String]?
        public var meanOverTasks: Bool
        /// Lengths: a single length or a range (nil: every evaluated length).
        public var lengths: ClosedRange<Int>?
        /// ≈: the margin; ≥ / ≤: the threshold c.
        public var margin: Double = 0.05, threshold: Double = 0
    }

    public struct Row: Sendable {
        public var statement: Statement
        public var tasks: [String] = [], a = "", b = "", lengths: [Int] = [], seeds: [UInt64] = []
        public var estimate: Double?, interval: (low: Double, high: Double)?
        public var test: HypothesisTest?
        public var pHolm: Double?
        public var familySize = 0
        public var verdict: Verdict = .notShown
        public var reason = ""
        /// What p tests: "difference = 0" or "difference = c".
        public var null = ""
        /// Each side over the paired seeds (a seed's value: its mean over the claim's lengths, and
        /// tasks): the mean, the best seed, and the fraction of seeds at or above `solvedAt` (accuracies only).
        public var sideA: SideSummary?, sideB: SideSummary?
    }

    /// One side of a claim over its paired seeds.
    public struct SideSummary: Sendable {
        public var mean: Double, max: Double, solved: Double?

        init?(_ values: [Double], metric: Metric) {
            guard !values.isEmpty else { return nil }
            mean = values.reduce(0, +) / Double(values.count)
            max = metric.higherIsBetter ? values.max()! : values.min()!
            solved = metric.higherIsBetter ? Double(values.filter { $0 >= Claims.solvedAt }.count) / Double(values.count) : nil
        }
    }

    public let source: String
    public let rows: [Row]
    public let metric: Metric
    public let alpha: Double

    /// Reads `file` and decides each claim against `records`, by `metric`, or when nil by the
    /// file's own `metric:` (token_accuracy if it names none). Bad input of any kind is a `ClaimsError`.
    public init(file: String, records: [RunRow], metric: Metric?, alpha: Double = 0.05) throws {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ClaimsError("\(file): cannot be read (\((error as NSError).localizedDescription))")
        }
        let (source, statements) = try Self.parse(yaml: text, file: file)
        let metric = try metric ?? Self.fileMetric(yaml: text, file: file) ?? .tokenAccuracy
        try self.init(source: source, statements: statements, file: file, records: records, metric: metric, alpha: alpha)
    }

    public init(source: String, statements: [Statement], file: String, records: [RunRow], metric: Metric, alpha: Double = 0.05) throws {
        self.source = source
        self.metric = metric
        self.alpha = alpha
        var rows = try statements.map { try Self.decide($0, file: file, records: records, metric: metric, alpha: alpha) }
        // One Holm family: every claim of the file with a defined test.
        let adjusted = holmAdjusted(rows.map { $0.test?.p })
        let size = rows.filter { $0.test?.p != nil }.count
        for i in rows.indices {
            rows[i].pHolm = adjusted[i]
            rows[i].familySize = size
            Self.judge(&rows[i], alpha: alpha, metric: metric)
        }
        self.rows = rows
    }

    // MARK: - Deciding

    static func decide(_ s: Statement, file: String, records: [RunRow], metric: Metric, alpha: Double) throws -> Row {
        func bad(_ why: String) -> ClaimsError { ClaimsError("\(file):\(s.line): \"\(s.text)\": \(why)") }
        let encodings = records.map(\.encoding).uniqued(), allTasks = records.map(\.task).uniqued()
        // An encoding whose resolved arguments follow the task (learned's size and randomized's
        // max_length follow a prompt task's sequence length) has one name per task: a name that
        // matches several across the results is resolved within each task.
        func overall(_ wanted: String) throws -> String {
            let found = encodings.filter { matches(wanted, $0) }
            return found.count > 1 ? wanted : try resolve(wanted, among: encodings, kind: "encoding", bad)
        }
        let a = try overall(s.a), b = try overall(s.b)
        guard a != b else { throw bad("both sides name \(a)") }
        let tasks = try (s.meanOverTasks ? (s.tasks ?? allTasks) : [s.task!]).map { try resolve($0, among: allTasks, kind: "task", bad) }
        var row = Row(statement: s, tasks: tasks, a: a, b: b)
        // Per task: the lengths, and each encoding's per-seed mean over them.
        var perTask: [[UInt64: Double]] = []  // seed → A − B (pairwise: only one task)
        var sides: [(a: [UInt64: Double], b: [UInt64: Double])] = []  // per task: seed → A, seed → B
        var valuesA: [UInt64: Double] = [:], valuesB: [UInt64: Double] = [:]
        var seeds = Set<UInt64>()
        var usedLengths = Set<Int>()
        for task in tasks {
            let here = records.filter { $0.task == task }
            let names = here.map(\.encoding).uniqued()
            let a = encodings.contains(a) ? a : try resolve(s.a, among: names, kind: "encoding", bad)
            let b = encodings.contains(b) ? b : try resolve(s.b, among: names, kind: "encoding", bad)
            let settings = here.map(\.setting).uniqued()
            guard settings.count == 1 else {
                throw bad("\(task) has \(settings.count) settings (grid points: \(settings.joined(separator: " | "))); a claim needs results with one")
            }
            for enc in [a, b] where !here.contains(where: { $0.encoding == enc }) {
                throw bad("these results have no runs of \(enc) on \(task) (the claim needs them)")
            }
            let evaluated = Set(here.filter { $0.encoding == a || $0.encoding == b }.map(\.evalLength)).sorted()
            var lengths = evaluated
            if let range = s.lengths {
                for end in [range.lowerBound, range.upperBound] where !evaluated.contains(end) {
                    throw bad("length \(end) was not evaluated on \(task); it has \(evaluated.map(String.init).joined(separator: ", "))")
                }
                lengths = evaluated.filter(range.contains)
            }
            for enc in [a, b] {
                let have = Set(here.filter { $0.encoding == enc }.map(\.evalLength))
                if let missing = lengths.first(where: { !have.contains($0) }) {
                    throw bad("these results have no runs of \(enc) on \(task) at length \(missing) (the claim needs them)")
                }
            }
            usedLengths.formUnion(lengths)
            func perSeed(_ enc: String) -> [UInt64: Double?] {
                var bySeed: [UInt64: [Int: Double?]] = [:]
                for r in here where r.encoding == enc && lengths.contains(r.evalLength) { bySeed[r.seed, default: [:]][r.evalLength] = r.value(metric) }
                return bySeed.mapValues { byLength in
                    let values = lengths.compactMap { byLength[$0] ?? nil }
                    return values.count == lengths.count ? values.reduce(0, +) / Double(values.count) : nil
                }
            }
            let pa = perSeed(a), pb = perSeed(b)
            seeds.formUnion(pa.keys); seeds.formUnion(pb.keys)
            var diffs: [UInt64: Double] = [:]
            var side: (a: [UInt64: Double], b: [UInt64: Double]) = ([:], [:])
            for seed in Set(pa.keys).union(pb.keys) {
                if let x = pa[seed] ?? nil, let y = pb[seed] ?? nil {
                    diffs[seed] = x - y
                    side.a[seed] = x; side.b[seed] = y
                    if !s.meanOverTasks { valuesA[seed] = x; valuesB[seed] = y }
                }
            }
            perTask.append(diffs)
            sides.append(side)
        }
        row.lengths = usedLengths.sorted()
        // A seed counts when it has numbers on both sides of every task.
        let complete = seeds.filter { seed in perTask.allSatisfy { $0[seed] != nil } }.sorted()
        let missing = seeds.subtracting(complete).sorted()
        row.seeds = complete
        let seedList = { (xs: [UInt64]) in xs.map(String.init).joined(separator: ", ") }
        if missing.count >= 2 {
            row.reason = "\(missing.count) seeds (\(seedList(missing))) lack numbers on one side (diverged, unsupported or not run): no paired test"
            return row
        }
        guard complete.count >= 2 else {
            row.reason = "\(complete.count) seed\(complete.count == 1 ? "" : "s") with numbers on both sides: a paired test needs 2"
            return row
        }
        if !missing.isEmpty { row.reason = "seed \(seedList(missing)) left out (no numbers on one side); " }
        // Each side's value per seed: its mean over the claim's tasks (one task for a pairwise claim).
        row.sideA = SideSummary(complete.map { seed in sides.map { $0.a[seed]! }.reduce(0, +) / Double(sides.count) }, metric: metric)
        row.sideB = SideSummary(complete.map { seed in sides.map { $0.b[seed]! }.reduce(0, +) / Double(sides.count) }, metric: metric)
        // The paired test is compare's, on one record per seed holding the seed's value.
        // The values ride in eval_loss whatever the metric (the tests do not depend on it); intervals
        // of an accuracy difference are clipped to [−1, 1] below, as compare clips them.
        func record(_ enc: String, _ seed: UInt64, _ v: Double, _: Metric) -> RunRow {
            RunRow(task: "claim", encoding: enc, seed: seed, trainLengthMax: 0, evalLength: 0, status: .ok,
                      tokenAccuracy: nil, sequenceAccuracy: nil, evalLoss: v)
        }
        let range = metric.isBounded ? -1.0...1.0 : -Double.infinity...Double.infinity
        let level = 1 - alpha
        if s.meanOverTasks {
            // d_s = mean over tasks of (A − B); tested against c (the difference d − c against 0, unclipped).
            let d = complete.map { seed in perTask.map { $0[seed]! }.reduce(0, +) / Double(perTask.count) }
            let c = s.threshold
            let recs = zip(complete, d).flatMap { seed, v in [record("d", seed, v, .loss), record("c", seed, c, .loss)] }
            let cmp = Comparison.compare(recs, "d", "c", task: "claim", length: 0, metric: .loss, level: level)
            row.test = cmp.test
            row.estimate = cmp.difference.map { $0 + c }
            row.interval = clipped(cmp.interval.map { ($0.low + c, $0.high + c) }, to: range)
            row.null = "difference = \(CSVTable.field(c))"
            if cmp.test.p == nil { row.reason += cmp.test.note ?? "no test" }
        } else {
            let recs = complete.flatMap { seed in [record(a, seed, valuesA[seed]!, metric), record(b, seed, valuesB[seed]!, metric)] }
            let cmp = Comparison.compare(recs, a, b, task: "claim", length: 0, metric: .loss, level: level)
            row.test = cmp.test
            row.estimate = cmp.difference
            row.interval = clipped(cmp.interval, to: range)
            row.null = "difference = 0"
            if cmp.test.p == nil {
                if cmp.test.note == "all differences are zero" { row.interval = (0, 0) }
                row.reason += cmp.test.note ?? "no test"
            }
        }
        return row
    }

    /// The verdict, from p_holm (significance in the file's family) and the interval.
    static func judge(_ row: inout Row, alpha: Double, metric: Metric) {
        let s = row.statement
        guard let estimate = row.estimate else { row.verdict = .notShown; return }
        let significant = row.pHolm.map { $0 < alpha } ?? false
        let pct = Int((100 * (1 - alpha)).rounded())
        func because(_ text: String) { row.reason += (row.reason.isEmpty || row.reason.hasSuffix("; ") ? "" : "; ") + text }
        switch s.relation {
        case .better, .worse:
            // "Better" by the metric's direction: higher accuracy, lower loss.
            let aBetter = (estimate > 0) == metric.higherIsBetter && estimate != 0
            let claimed = s.relation == .better ? aBetter : !aBetter && estimate != 0
            if significant {
                row.verdict = claimed ? .holds : .contradicted
                because("significant after Holm (p_holm < \(CSVTable.field(alpha))), \(aBetter ? row.a : row.b) better")
            } else {
                row.verdict = .notShown
                because("not significant after Holm: the \(pct)% interval includes both outcomes or the family's correction leaves it")
            }
        case .equivalent:
            if let ci = row.interval, ci.low >= -s.margin, ci.high <= s.margin {
                row.verdict = .holds
                because("the \(pct)% interval lies within ±\(CSVTable.field(s.margin))")
            } else if significant {
                row.verdict = .contradicted
                because("the difference is significant after Holm")
            } else {
                row.verdict = .notShown
                because("the \(pct)% interval reaches past ±\(CSVTable.field(s.margin)) but the difference is not significant")
            }
        case .atLeast, .atMost:
            let c = s.threshold
            let above = estimate > c
            if significant && estimate != c {
                row.verdict = (above == (s.relation == .atLeast)) ? .holds : .contradicted
                because("significantly \(above ? "above" : "below") \(CSVTable.field(c)) after Holm")
            } else {
                row.verdict = .notShown
                because("not significantly different from \(CSVTable.field(c)) after Holm: the interval includes both outcomes")
            }
        }
    }

    // MARK: - Output

    public var table: CSVTable {
        let f = CSVTable.field
        return CSVTable(header: Self.columns, rows: rows.map { r in
            [source, String(r.statement.line), r.statement.text, r.statement.meanOverTasks ? "mean over tasks" : r.statement.relation.rawValue,
             metric.rawValue, metric.direction, r.tasks.joined(separator: ";"), r.a, r.b, r.lengths.map(String.init).joined(separator: ";"),
             r.seeds.map(String.init).joined(separator: ";"), String(r.seeds.count), r.null, f(r.estimate), f(r.interval?.low),
             f(r.interval?.high), r.test == nil ? "" : f(1 - alpha), r.test?.kind.rawValue ?? "", f(r.test?.p), f(r.pHolm),
             String(r.familySize), r.verdict.rawValue, r.reason,
             f(r.sideA?.mean), f(r.sideB?.mean), f(r.sideA?.max), f(r.sideB?.max), f(r.sideA?.solved), f(r.sideB?.solved),
             metric.higherIsBetter ? f(Self.solvedAt) : ""]
        })
    }

    /// One line per claim: the verdict, then the numbers.
    public func render() -> String {
        var out: [String] = []
        if !source.isEmpty { out.append("Claims of \(source) (\(metric.rawValue), \(metric.direction)):") }
        for r in rows {
            out.append("line \(r.statement.line): \(r.statement.text)")
            var numbers = ""
            if let e = r.estimate {
                numbers = String(format: "difference %+.3f", e)
                if let ci = r.interval { numbers += String(format: ", %d%% CI [%+.3f, %+.3f]", Int((100 * (1 - alpha)).rounded()), ci.low, ci.high) }
                if let t = r.test, let p = t.p {
                    numbers += ", \(t.kind.rawValue) p = \(Comparison.formatP(p))"
                    if let ph = r.pHolm { numbers += "; p_holm = \(Comparison.formatP(ph)) in a family of \(r.familySize)" }
                }
                numbers += "; \(r.seeds.count) seeds; "
            }
            out.append("  \(r.verdict.rawValue.uppercased()): \(numbers)\(r.reason)")
            if !r.a.isEmpty {
                out.append("  cells: \(r.a) vs \(r.b) on \(r.tasks.joined(separator: ", ")) at length\(r.lengths.count == 1 ? "" : "s") "
                           + "\(r.lengths.map(String.init).joined(separator: ", ")) (each seed's mean over them), seeds \(r.seeds.map(String.init).joined(separator: ", "))")
            }
        }
        let counts = [Verdict.holds, .contradicted, .notShown].map { v in "\(rows.filter { $0.verdict == v }.count) \(v.rawValue)" }
        out.append("\(rows.count) claims: \(counts.joined(separator: ", ")); one Holm family of \(rows.first?.familySize ?? 0) tests")
        return out.joined(separator: "\n")
    }
}

/// A claims file or a claim that cannot be checked: the CLI prints it and exits with status 2.
public struct ClaimsError: UserError, Sendable {
    public var description: String
    public init(_ message: String) { description = message }
}
