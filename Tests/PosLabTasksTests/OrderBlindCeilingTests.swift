import PosLabTasks
import Testing

/// The definition, by brute force: every sequence the task can draw, with its probability weight;
/// per key (own token, sorted bag) over scored positions, the weight of the most frequent target;
/// summed over keys, over the weight of all scored positions. Uses only the task's `label`.
func bruteForceOrderBlindCeiling(_ task: any SequenceTask, _ sequences: [([Int], Double)]) -> Double {
    struct Key: Hashable { var own: Int, bag: [Int] }
    var counts: [Key: [Int: Double]] = [:]
    var scored = 0.0
    for (x, w) in sequences {
        let labels = task.label(x), bag = x.sorted()
        for t in x.indices where labels.mask[t] != 0 {
            counts[Key(own: x[t], bag: bag), default: [:]][labels.targets[t], default: 0] += w
            scored += w
        }
    }
    return counts.values.reduce(0) { $0 + $1.values.max()! } / scored
}

/// All s^n sequences of n i.i.d. uniform symbols, weight 1 each.
func allSequences(_ n: Int, _ s: Int) -> [([Int], Double)] {
    var out: [[Int]] = [[]]
    for _ in 0..<n { out = out.flatMap { p in (0..<s).map { p + [$0] } } }
    return out.map { ($0, 1) }
}

@Suite struct OrderBlindCeilingTests {
    func ceiling(_ spec: String, _ n: Int) throws -> Double {
        try #require(try task(spec).orderBlindCeiling(length: n)).value
    }

    /// The bag determines the majority: an order-blind model can be perfect.
    @Test func majorityIsOne() throws {
        let four = try ceiling("majority(symbols=4)", 8), long = try ceiling("majority", 33)
        #expect(four == 1 && long == 1)
        let m = try task("majority(symbols=3)")
        #expect(abs(bruteForceOrderBlindCeiling(m, allSequences(4, 3)) - 1) < 1e-12)
    }

    /// i.i.d. copy tasks against the exhaustive definition, with and without a fixed point.
    @Test(arguments: [("shift(symbols=3)", 4), ("shift(symbols=3)", 5), ("shift(k=2;symbols=3)", 5), ("shift(symbols=2)", 6),
                      ("reverse(symbols=3)", 4), ("reverse(symbols=3)", 5), ("reverse(symbols=4)", 5), ("reverse(symbols=2)", 1),
                      ("odds-first(symbols=3)", 4), ("odds-first(symbols=3)", 5),
                      ("adjacent-repeat(symbols=3)", 4), ("adjacent-repeat(symbols=2)", 6)])
    func iidTasksMatchEnumeration(spec: String, n: Int) throws {
        let t = try task(spec)
        let s = t.name == "adjacent-repeat" ? t.vocabSize - 2 : t.vocabSize
        let truth = bruteForceOrderBlindCeiling(t, allSequences(n, s))
        let value = try ceiling(spec, n)
        #expect(abs(value - truth) < 1e-12, "\(spec) at \(n): \(value) vs \(truth)")
    }

    /// lookup, duplicate and before draw non-i.i.d. sequences: enumerate their exact distributions.
    @Test func structuredTasksMatchEnumeration() throws {
        for (pointers, n) in [(64, 4), (1, 4), (2, 5)] {
            let t = try #require(try task("lookup(symbols=3;pointers=\(pointers))") as? LookupTask)
            let ps = Array(1...min(n - 1, pointers))
            let seqs = ps.flatMap { p in allSequences(n - 1, 3).map { ([t.pointerToken(p)] + $0.0, 1.0 / Double(ps.count)) } }
            let value = try ceiling("lookup(symbols=3;pointers=\(pointers))", n)
            #expect(abs(value - bruteForceOrderBlindCeiling(t, seqs)) < 1e-12)
        }
        for n in [4, 5, 7] {
            let t = try #require(try task("duplicate(symbols=3)") as? DuplicateTask)
            let seqs = allSequences(n / 2, 3).map { ($0.0 + [Int](repeating: t.blank, count: n - n / 2), 1.0) }
            let value = try ceiling("duplicate(symbols=3)", n)
            #expect(abs(value - bruteForceOrderBlindCeiling(t, seqs)) < 1e-12)
        }
        for n in [3, 4, 5] {
            let t = try #require(try task("before(symbols=2)") as? BeforeTask)
            var seqs: [([Int], Double)] = []
            for (fill, _) in allSequences(n, 2) {
                for i in 0..<n { for j in (i + 1)..<n { for aFirst in [true, false] {
                    var x = fill
                    x[i] = aFirst ? t.markerA : t.markerB
                    x[j] = aFirst ? t.markerB : t.markerA
                    seqs.append((x, 1))
                } } }
            }
            let value = try ceiling("before(symbols=2)", n)
            #expect(abs(value - bruteForceOrderBlindCeiling(t, seqs)) < 1e-12)
        }
    }

    /// Past the exact budget the ceiling is estimated from sampled bags: unbiased, within a few
    /// standard errors of the exact value, and the standard error is what it claims to be.
    @Test func estimateAgreesWithExact() throws {
        for spec in ["shift", "reverse", "lookup", "duplicate", "adjacent-repeat", "odds-first"] {
            let t = try task(spec)
            let exact = try #require(t.orderBlindCeiling(length: 16))
            let estimate = try #require(t.orderBlindCeiling(length: 16, exactBudget: 0, samples: 20_000))
            #expect(exact.method == .exact && estimate.method == .estimate)
            #expect(estimate.standardError > 0 && estimate.standardError < 0.002)
            #expect(abs(estimate.value - exact.value) < 4 * estimate.standardError, "\(spec): \(estimate) vs \(exact)")
        }
    }

    /// The quick suite's `none` on shift(symbols=8) at length 8 reached 0.3436 (mean of seeds 1–3,
    /// Results/quick/runs.csv): close to the ceiling, far above the input-blind 1/8.
    @Test func noneOnShiftIsNearTheCeiling() throws {
        let value = try ceiling("shift", 8)
        #expect(abs(value - 0.3436) < 0.03, "ceiling \(value)")
        let chance = try task("shift").chanceLevel(length: 8)
        #expect(value > chance + 0.15)
    }

    /// No ceiling for a task without a known rule, or outside the task's lengths.
    @Test func unknownOrOutOfRangeIsNil() throws {
        let text = try task("text(file=\(textFile(sampleText)))"), shift = try task("shift(k=3)")
        #expect(text.orderBlindCeiling(length: 8) == nil && shift.orderBlindCeiling(length: 3) == nil)
    }

    /// Every suite task and length (quick and standard: up to 64 tokens) exactly, and cheaply: each
    /// is exact within a budget of 120,000 partitions summed (the largest, 64 tokens over 8 symbols,
    /// has 116,263), so the work is bounded by what is counted, not by a wall clock.
    @Test func suiteLengthsAreExactAndCheap() throws {
        for spec in defaultArguments.keys {
            for n in stride(from: 4, through: 64, by: 4) {
                let t = try task(spec)
                let c = try #require(t.orderBlindCeiling(length: n, exactBudget: 120_000))
                #expect(c.method == .exact && c.value > 0 && c.value <= 1, "\(spec) at \(n): \(c)")
            }
        }
    }
}
