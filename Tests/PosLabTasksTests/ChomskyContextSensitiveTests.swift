import PosLabCore
import PosLabStatistics
import PosLabTasks
import Testing

/// DeepMind's context-sensitive Chomsky tasks (google-deepmind/randomized_positional_encodings
/// `tasks/cs/`): the reference docstrings' examples encoded by hand, the sizes each task refuses,
/// and property tests of the labels on sampled inputs checked by computations of the tests' own.
@Suite struct ChomskyContextSensitiveTests {
    /// Sizes for the property tests: short ones (checked with UInt64 too) and long ones, to 500
    /// (DeepMind's longest evaluation length).
    let sizes = [1, 2, 3, 4, 5, 6, 7, 8, 13, 20, 31, 64, 101, 250, 500]

    /// Draws `perSize` inputs of each size through the laid-out encoder batch and hands `check` the
    /// input and the targets at the placeholders; checks ids, sizes, layout and masks on the way.
    func forSampled(_ t: some PromptTask, perSize: Int = 24, seed: UInt64 = 7,
                    _ check: (_ input: [Int], _ answer: [Int], _ scoreMask: [Float]) -> Void) {
        let rng = RandomGenerator(seed: seed)
        var checked = 0
        for n in sizes where n >= t.minimumLength {
            let m = t.answerLength(size: n), length = n + m
            let b = t.batch(size: perSize, length: n, rng: rng)
            #expect(b.length == length && t.sequenceLength(size: n) == length)
            for r in 0..<perSize {
                let row = r * length
                let input = Array(b.inputs[row..<row + n]), answer = Array(b.targets[row + n..<row + length])
                #expect(input.count == n && input.allSatisfy { (0..<t.inputSize).contains($0) }, "\(t.name) n=\(n) \(input)")
                #expect(answer.allSatisfy { (0..<t.outputSize).contains($0) })
                #expect(b.inputs[row + n..<row + length].allSatisfy { $0 == t.placeholder })
                #expect(b.mask[row..<row + length] == ArraySlice([Float](repeating: 0, count: n) + [Float](repeating: 1, count: m)))
                let score = Array((b.scoreMask ?? b.mask)[row + n..<row + length])
                check(input, answer, score)
                checked += 1
            }
        }
        #expect(checked >= 200, "\(t.name): only \(checked) inputs checked")
    }

    // MARK: - duplicate_string

    @Test func duplicateStringDocstring() {
        let t = DuplicateStringTask()
        #expect(t.answer(for: [1, 0, 1]) == [1, 0, 1, 1, 0, 1])
        #expect(t.answer(for: [1, 1, 1, 1, 1, 1]) == [Int](repeating: 1, count: 12))
        #expect(t.layout([1, 0, 1]) == [1, 0, 1, 2, 2, 2, 2, 2, 2])
        #expect(t.label(t.layout([1, 0, 1])) == Labels(targets: [0, 0, 0, 1, 0, 1, 1, 0, 1], mask: [0, 0, 0, 1, 1, 1, 1, 1, 1]))
        #expect(DuplicateStringTask(duplication: 3).answer(for: [0, 1]) == [0, 1, 0, 1, 0, 1])
        #expect(t.vocabSize == 3 && t.inputSize == 2 && t.outputSize == 2)
    }

    @Test func duplicateStringProperty() {
        forSampled(DuplicateStringTask(symbols: 3)) { x, a, score in
            #expect(a == x + x)
            #expect(score.allSatisfy { $0 == 1 })
        }
    }

    /// The "the encoder form equals the old one where they coincide". `duplicate` at length
    /// L lays out ⌊L/2⌋ symbols then blanks and asks for the symbols again at the blanks;
    /// `duplicate_string` at size n lays out n symbols then one placeholder per answer token. With
    /// duplication = 1, the same symbols and L = 2n they are the same task: the same draws (n
    /// uniform symbols per row), the blank and the placeholder both id `symbols`, the same targets
    /// and masks, so the batches are equal. At DeepMind's duplication = 2 the answer is the input
    /// twice (3n tokens): the first 2n tokens and the labels on positions n ..< 2n still equal
    /// duplicate's at 2n, and positions 2n ..< 3n ask for the input once more. Odd L has no
    /// counterpart (duplicate then leaves its last blank unscored).
    @Test func duplicateStringMatchesDuplicate() {
        for (symbols, n, seed) in [(8, 5, UInt64(3)), (2, 1, 4), (4, 12, 5)] {
            let old = DuplicateTask(symbols: symbols).batch(size: 16, length: 2 * n, rng: RandomGenerator(seed: seed))
            let once = DuplicateStringTask(symbols: symbols, duplication: 1)
            let new = once.batch(size: 16, length: n, rng: RandomGenerator(seed: seed))
            #expect(once.vocabSize == DuplicateTask(symbols: symbols).vocabSize)
            #expect(new.length == old.length && new.inputs == old.inputs && new.targets == old.targets && new.mask == old.mask)
            #expect(new.scoreMask == nil && old.scoreMask == nil && new.positions == nil && old.positions == nil)

            let twice = DuplicateStringTask(symbols: symbols).batch(size: 16, length: n, rng: RandomGenerator(seed: seed))
            #expect(twice.length == 3 * n)
            for r in 0..<16 {
                let o = r * 2 * n, w = r * 3 * n
                #expect(twice.inputs[w..<w + 2 * n] == old.inputs[o..<o + 2 * n])
                #expect(twice.targets[w + n..<w + 2 * n] == old.targets[o + n..<o + 2 * n])
                #expect(twice.mask[w..<w + 2 * n] == old.mask[o..<o + 2 * n])
                #expect(twice.targets[w + 2 * n..<w + 3 * n] == old.inputs[o..<o + n])
            }
        }
    }

    // MARK: - missing_duplicate_string

    @Test func missingDuplicateStringDocstring() {
        let t = MissingDuplicateStringTask()
        #expect(t.answer(for: [0, 1, 1, 0, 0, 2, 1, 0]) == [1])
        #expect(t.answer(for: [1, 0, 1, 1, 2, 1, 3]) == [0])
        #expect(t.answer(for: [2, 1, 0, 1, 1, 0]) == [1])  // the marker in the first copy
        #expect(t.answer(for: [2, 0]) == [0] && t.answer(for: [1, 2, 3]) == [1])
        #expect(t.inputSize == 4 && t.outputSize == 2 && t.vocabSize == 5 && t.answerLength(size: 9) == 1)
        #expect(t.label(t.layout([1, 0, 1, 1, 2, 1, 3])) == Labels(targets: [0, 0, 0, 0, 0, 0, 0, 0], mask: [0, 0, 0, 0, 0, 0, 0, 1]))
    }

    /// n = 1 is refused (the reference answers a constant there); 2, 3 and every larger size are defined.
    @Test func missingDuplicateStringSizes() throws {
        let t = try task("missing_duplicate_string")
        #expect(t.minimumLength == 2)
        #expect(t.undefinedSizeReason(1) != nil)
        #expect((2...40).allSatisfy { t.undefinedSizeReason($0) == nil })
    }

    @Test func missingDuplicateStringProperty() {
        let t = MissingDuplicateStringTask()
        var markerSides = Set<Bool>()
        forSampled(t) { x, a, _ in
            let n = x.count, h = n / 2
            #expect(x.filter { $0 == 2 }.count == 1)
            #expect(x[(2 * h)...].allSatisfy { $0 == 3 } && x.count - 2 * h == n % 2)
            // Put the answer where the marker is: the two halves must then be equal.
            let i = x.firstIndex(of: 2)!
            var filled = x
            filled[i] = a[0]
            #expect(filled[0..<h] == filled[h..<2 * h], "\(x) → \(a)")
            markerSides.insert(i < h)
        }
        #expect(markerSides == [true, false])
    }

    // MARK: - odds_first

    /// The docstring's inputs with the answers of the reference's code (`[1::2]` then `[::2]`), not
    /// the docstring's printed outputs, which count indices from 1 (see ChomskyOddsFirstTask).
    @Test func oddsFirstDocstring() {
        let t = ChomskyOddsFirstTask()
        #expect(t.answer(for: [0, 0, 1, 1, 0, 1, 0, 1]) == [0, 1, 1, 1, 0, 1, 0, 0])
        #expect(t.answer(for: [0, 0, 1, 1, 0, 1, 0, 1]) != [0, 1, 0, 0, 0, 1, 1, 1])  // the docstring's
        #expect(t.answer(for: [1, 1, 0]) == [1, 1, 0])
        #expect(t.answer(for: [1, 0, 0]) == [0, 1, 0] && t.answer(for: [1]) == [1])
        #expect(t.inputSize == 2 && t.outputSize == 2 && t.vocabSize == 3)
    }

    @Test func oddsFirstProperty() {
        forSampled(ChomskyOddsFirstTask(symbols: 4)) { x, a, score in
            let n = x.count, odd = n / 2
            #expect(a.count == n)
            for (k, i) in x.indices.enumerated() {  // x[i] goes to slot ⌊i/2⌋, after the odd block if i is even
                #expect(a[i % 2 == 1 ? i / 2 : odd + i / 2] == x[i], "\(x) → \(a) at \(k)")
            }
            #expect(score.allSatisfy { $0 == 1 })
        }
    }

    // MARK: - bucket_sort

    @Test func bucketSortDocstring() {
        #expect(BucketSortTask().answer(for: [1, 0, 2, 0, 4, 1, 1, 2]) == [0, 0, 1, 1, 1, 2, 2, 4])
        #expect(BucketSortTask(symbols: 2).answer(for: [1, 1, 1, 0, 0, 0, 1]) == [0, 0, 0, 1, 1, 1, 1])
        #expect(BucketSortTask().inputSize == 5 && BucketSortTask().vocabSize == 6)
    }

    @Test func bucketSortProperty() {
        forSampled(BucketSortTask()) { x, a, score in
            #expect(a == x.sorted(), "\(x) → \(a)")
            #expect(score.allSatisfy { $0 == 1 })
        }
    }

    // MARK: - Registry

    @Test func registeredWithTheirArguments() throws {
        let expected = [
            "duplicate_string": "duplication=2;form=encoder;symbols=2",
            "missing_duplicate_string": "form=encoder",
            "odds_first": "form=encoder;symbols=2",
            "bucket_sort": "form=encoder;symbols=5",
        ]
        for (name, arguments) in expected {
            let t = try task(name)
            #expect(t.name == name && t.arguments == arguments, "\(name): \(t.arguments)")
            #expect(t.summary.hasPrefix("context-sensitive · "))
        }
        #expect(try task("duplicate_string(symbols=4, duplication=3, form=decoder)").arguments == "duplication=3;form=decoder;symbols=4")
        #expect(try task("bucket_sort(form=decoder)").requiredAttention == .causal)
        #expect(configurationError { _ = try task("odds_first(symbols=1)") }?.field == "odds_first.symbols")
        // The older tasks keep their names.
        #expect(try task("duplicate").arguments == "symbols=8" && task("odds-first").arguments == "symbols=8")
    }
}
