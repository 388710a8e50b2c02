import PosLabCore
import PosLabSupport
import PosLabTasks
import Testing

/// DeepMind's context-sensitive Chomsky tasks (google-deepmind/randomized_positional_encodings
/// `tasks/cs/`): the reference docstrings' examples encoded by hand, the sizes each task refuses,
/// and property tests of the labels on sampled inputs checked by computations of the tests' own.
@Suite struct ChomskyContextSensitiveTests {
    // MARK: - An independent big-number check (32-bit limbs, not the tasks' digit arrays)

    /// A nonnegative integer in base 2^32, least significant limb first, no high zero limbs.
    struct Limbs: Equatable, Comparable {
        var limbs: [UInt32]

        init(_ limbs: [UInt32]) {
            var l = limbs
            while l.last == 0 { l.removeLast() }
            self.limbs = l
        }

        /// From little-endian binary digits.
        init(littleEndian digits: some Collection<Int>) {
            var l = [UInt32](repeating: 0, count: (digits.count + 31) / 32)
            for (i, d) in digits.enumerated() where d == 1 { l[i / 32] |= 1 << UInt32(i % 32) }
            self.init(l)
        }

        static func + (a: Limbs, b: Limbs) -> Limbs {
            var out = [UInt32](), carry: UInt64 = 0
            for i in 0..<max(a.limbs.count, b.limbs.count) {
                let s = UInt64(i < a.limbs.count ? a.limbs[i] : 0) + UInt64(i < b.limbs.count ? b.limbs[i] : 0) + carry
                out.append(UInt32(truncatingIfNeeded: s))
                carry = s >> 32
            }
            out.append(UInt32(carry))
            return Limbs(out)
        }

        static func * (a: Limbs, b: Limbs) -> Limbs {
            var out = [UInt32](repeating: 0, count: a.limbs.count + b.limbs.count + 1)
            for (i, x) in a.limbs.enumerated() {
                var carry: UInt64 = 0
                for (j, y) in b.limbs.enumerated() {
                    let t = UInt64(x) * UInt64(y) + UInt64(out[i + j]) + carry
                    out[i + j] = UInt32(truncatingIfNeeded: t)
                    carry = t >> 32
                }
                var k = i + b.limbs.count
                while carry != 0 {
                    let t = UInt64(out[k]) + carry
                    out[k] = UInt32(truncatingIfNeeded: t)
                    carry = t >> 32
                    k += 1
                }
            }
            return Limbs(out)
        }

        static func < (a: Limbs, b: Limbs) -> Bool {
            if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
            for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
                return a.limbs[i] < b.limbs[i]
            }
            return false
        }
    }

    /// The value of at most 64 little-endian digits.
    func value(littleEndian digits: some Collection<Int>) -> UInt64 {
        precondition(digits.count <= 64)
        var v: UInt64 = 0
        for (i, d) in digits.enumerated() { v += UInt64(d) << UInt64(i) }
        return v
    }

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

    // MARK: - binary_addition

    @Test func binaryAdditionDocstring() {
        let t = BinaryAdditionTask()
        // 001+01101: 4 + 22 = 26 = 01011 (little-endian), then the termination token and 0s to n + 1 = 10.
        #expect(t.answer(for: [0, 0, 1, 2, 0, 1, 1, 0, 1]) == [0, 1, 0, 1, 1, 2, 0, 0, 0, 0])
        // 1001+000001: 9 + 32 = 41 = 100101, n + 1 = 12.
        let a = t.answer(for: [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 1])
        #expect(a == [1, 0, 0, 1, 0, 1, 2, 0, 0, 0, 0, 0])
        #expect(t.answerScoreMask(a) == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
        #expect(t.inputSize == 3 && t.outputSize == 3 && t.vocabSize == 4)
    }

    /// The laid-out encoder sequence, its labels and its scoring mask for 001+01101.
    @Test func binaryAdditionEncoderLayout() {
        let t = BinaryAdditionTask()
        let x = [0, 0, 1, 2, 0, 1, 1, 0, 1]
        let sequence = t.layout(x)
        #expect(sequence == x + [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
        #expect(t.sequenceLength(size: 9) == 19 && t.input(of: sequence) == x)
        let zeros = [Int](repeating: 0, count: 9), off = [Float](repeating: 0, count: 9)
        #expect(t.label(sequence) == Labels(targets: zeros + [0, 1, 0, 1, 1, 2, 0, 0, 0, 0],
                                            mask: off + [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                                            scoreMask: off + [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]))
    }

    /// n ≤ 2 as the reference: one number, no operator, numpy's randint(0, 2**n - 1) (excluding
    /// 2**n - 1); the answer is that number. n = 3: 1+1 always (each operand one nonzero digit).
    @Test func binaryAdditionSmallSizes() {
        let t = BinaryAdditionTask()
        #expect(t.minimumLength == 1 && (1...40).allSatisfy { t.undefinedSizeReason($0) == nil })
        #expect(t.answer(for: [0]) == [0, 2])
        #expect(t.answer(for: [0, 0]) == [0, 2, 0] && t.answer(for: [1, 0]) == [1, 2, 0] && t.answer(for: [0, 1]) == [0, 1, 2])
        #expect(t.answer(for: [1, 2, 1]) == [0, 1, 2, 0])
        let rng = RandomGenerator(seed: 9)
        #expect(Set((0..<50).map { _ in t.sampleInput(size: 1, rng: rng) }) == [[0]])
        #expect(Set((0..<200).map { _ in t.sampleInput(size: 2, rng: rng) }) == [[0, 0], [1, 0], [0, 1]])
        #expect(Set((0..<50).map { _ in t.sampleInput(size: 3, rng: rng) }) == [[1, 2, 1]])
    }

    /// The reference's operand distribution at n = 7: the first operand's digit count ℓ uniform in
    /// 1 … 5, each operand uniform over the nonzero values of its digit count.
    @Test func binaryAdditionOperandDistribution() {
        let t = BinaryAdditionTask(), rng = RandomGenerator(seed: 21), trials = 6000
        var lengths = [Int: Int](), values = [UInt64: Int]()
        for _ in 0..<trials {
            let x = t.sampleInput(size: 7, rng: rng)
            let plus = x.firstIndex(of: 2)!
            lengths[plus, default: 0] += 1
            if plus == 2 { values[value(littleEndian: x[..<plus]), default: 0] += 1 }
        }
        #expect(lengths.keys.sorted() == [1, 2, 3, 4, 5])
        #expect(lengths.values.allSatisfy { abs(Double($0) / Double(trials) - 0.2) < 0.025 }, "\(lengths)")
        let twoDigit = values.values.reduce(0, +)
        #expect(values.keys.sorted() == [1, 2, 3])
        #expect(values.values.allSatisfy { abs(Double($0) / Double(twoDigit) - 1.0 / 3) < 0.05 }, "\(values)")
    }

    @Test func binaryAdditionProperty() {
        let t = BinaryAdditionTask()
        forSampled(t) { x, a, score in
            let n = x.count
            let operands = n <= 2 ? [x[...]] : x.split(separator: 2, omittingEmptySubsequences: false)
            #expect(n <= 2 || operands.count == 2 && operands.allSatisfy { $0.contains(1) })
            let end = a.firstIndex(of: 2)!
            let digits = a[..<end]
            #expect(a.count == n + 1 && a[(end + 1)...].allSatisfy { $0 == 0 })
            #expect(digits.count == 1 || digits.last == 1, "high zeros in \(a)")
            #expect(score == a.indices.map { $0 <= end ? 1 : 0 })
            let total = operands.map { Limbs(littleEndian: $0) }.reduce(Limbs([])) { $0 + $1 }
            #expect(Limbs(littleEndian: digits) == total, "\(x) → \(a)")
            if n <= 40 {
                #expect(value(littleEndian: digits) == operands.map { value(littleEndian: $0) }.reduce(0, +))
            }
        }
    }

    // MARK: - binary_multiplication

    @Test func binaryMultiplicationDocstring() {
        let t = BinaryMultiplicationTask()
        // 001×01101: 4 · 22 = 88 = 0001101 (little-endian), termination, 0s to n = 9.
        let a = t.answer(for: [0, 0, 1, 2, 0, 1, 1, 0, 1])
        #expect(a == [0, 0, 0, 1, 1, 0, 1, 2, 0])
        #expect(t.answerScoreMask(a) == [1, 1, 1, 1, 1, 1, 1, 1, 0])
        // 1001×000001: 9 · 32 = 288 = 000001001, n = 11.
        #expect(t.answer(for: [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 1]) == [0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 0])
        #expect(t.answer(for: [1, 2, 1]) == [1, 2, 0] && t.answer(for: [1, 1, 2, 1, 1]) == [1, 0, 0, 1, 2])
        #expect(t.inputSize == 3 && t.outputSize == 3 && t.vocabSize == 4)
        let sequence = t.layout([1, 1, 2, 1, 1])
        #expect(t.label(sequence) == Labels(targets: [0, 0, 0, 0, 0, 1, 0, 0, 1, 2], mask: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]))
    }

    /// n ≤ 2 is refused (the reference answers a constant there); every size from 3 is defined.
    @Test func binaryMultiplicationSizes() throws {
        let t = try task("binary_multiplication")
        #expect(t.minimumLength == 3)
        #expect(t.undefinedSizeReason(1) != nil && t.undefinedSizeReason(2) != nil)
        #expect((3...40).allSatisfy { t.undefinedSizeReason($0) == nil })
    }

    @Test func binaryMultiplicationProperty() {
        let t = BinaryMultiplicationTask()
        var terminations = Set<Int>()
        forSampled(t) { x, a, score in
            let n = x.count
            let operands = x.split(separator: 2, omittingEmptySubsequences: false)
            #expect(operands.count == 2 && operands.allSatisfy { $0.contains(1) })
            let end = a.firstIndex(of: 2)!
            let digits = a[..<end]
            #expect(a.count == n && a[(end + 1)...].allSatisfy { $0 == 0 })
            #expect(digits.last == 1, "high zeros in \(a)")
            #expect(score == a.indices.map { $0 <= end ? 1 : 0 })
            #expect(Limbs(littleEndian: digits) == Limbs(littleEndian: operands[0]) * Limbs(littleEndian: operands[1]), "\(x) → \(a)")
            if n <= 33 {  // both operands and the product fit in 64 bits
                #expect(value(littleEndian: digits) == value(littleEndian: operands[0]) * value(littleEndian: operands[1]))
            }
            terminations.insert(n - end)
        }
        #expect(terminations.count > 3)
    }

    // MARK: - compute_sqrt

    @Test func computeSqrtDocstring() {
        let t = ComputeSqrtTask()
        #expect(t.answer(for: [1, 0, 0, 1, 0, 1]) == [1, 1, 0])  // √37 → 6 (the docstring prints 101)
        #expect(t.answer(for: [1, 1, 1]) == [1, 0])  // √7 → 2
        #expect(t.answer(for: [1]) == [1] && t.answer(for: [0, 1]) == [1] && t.answer(for: [0, 0, 0, 1]) == [0, 1])
        #expect(t.answer(for: [1, 0, 0, 0, 0]) == [1, 0, 0])  // √16 → 4
        #expect(t.inputSize == 2 && t.outputSize == 2 && t.vocabSize == 3)
        #expect(t.answerLength(size: 1) == 1 && t.answerLength(size: 2) == 1 && t.answerLength(size: 7) == 4)
    }

    /// Every size is defined; the input is uniform over 1 … 2^n − 1 (n = 3: 1 … 7).
    @Test func computeSqrtSampling() {
        let t = ComputeSqrtTask(), rng = RandomGenerator(seed: 13), trials = 7000
        #expect(t.minimumLength == 1 && (1...40).allSatisfy { t.undefinedSizeReason($0) == nil })
        #expect(t.sampleInput(size: 1, rng: rng) == [1])
        var counts = [UInt64: Int]()
        for _ in 0..<trials { counts[value(littleEndian: t.sampleInput(size: 3, rng: rng).reversed()), default: 0] += 1 }
        #expect(counts.keys.sorted() == Array(1...7))
        #expect(counts.values.allSatisfy { abs(Double($0) / Double(trials) - 1.0 / 7) < 0.02 }, "\(counts)")
    }

    @Test func computeSqrtProperty() {
        forSampled(ComputeSqrtTask()) { x, a, score in
            #expect(a.count == (x.count + 1) / 2)
            let input = Limbs(littleEndian: x.reversed()), root = Limbs(littleEndian: a.reversed())
            let next = root + Limbs([1])
            #expect(root * root <= input && input < next * next, "\(x) → \(a)")
            if x.count <= 31 {
                let v = value(littleEndian: x.reversed()), r = value(littleEndian: a.reversed())
                #expect(r * r <= v && v < (r + 1) * (r + 1))
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
            "binary_addition": "form=encoder",
            "binary_multiplication": "form=encoder",
            "compute_sqrt": "form=encoder",
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
