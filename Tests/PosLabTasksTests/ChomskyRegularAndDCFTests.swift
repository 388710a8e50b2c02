import PosLabCore
import PosLabStatistics
import PosLabTasks
import Testing

/// DeepMind's regular and deterministic context-free tasks (Delétang et al. 2023): each task's
/// docstring examples (or, where the reference has none, cases derived by hand from its grammar),
/// encoded by hand into ids; a property test of the labels of sampled inputs against an
/// independent rule written here; the laid-out sequence and labels of one example.
@Suite struct ChomskyRegularAndDCFTests {
    // MARK: even_pairs

    @Test func evenPairsGolden() throws {
        let t = try task("even_pairs") as! EvenPairsTask
        #expect(t.fullName == "even_pairs(form=encoder)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 9)) == (2, 2, 1))
        #expect(t.answer(for: [0, 0, 1, 1, 1, 0]) == [0])  // one 01, one 10
        #expect(t.answer(for: [0, 1, 0, 1, 0, 0, 1]) == [1])  // three 01, two 10
        #expect(t.answer(for: [1]) == [0])
        // Encoder layout: the input, then one placeholder (id inputSize = 2) holding the answer.
        let x = t.layout([0, 1, 0, 1, 0, 0, 1])
        #expect(x == [0, 1, 0, 1, 0, 0, 1, 2])
        #expect(t.label(x) == Labels(targets: [0, 0, 0, 0, 0, 0, 0, 1], mask: [0, 0, 0, 0, 0, 0, 0, 1]))
    }

    @Test func evenPairsProperty() throws {
        let t = EvenPairsTask()
        let rng = RandomGenerator(seed: 21)
        for n in [1, 2, 3, 8, 17, 40] {
            for _ in 0..<60 {
                let x = t.sampleInput(size: n, rng: rng)
                #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                let text = x.map(String.init).joined()
                let pairs = count("01", in: text) + count("10", in: text)
                #expect(t.answer(for: x) == [pairs % 2], "\(text)")
            }
        }
    }

    // MARK: parity_check

    @Test func parityCheckGolden() throws {
        let t = try task("parity_check") as! ParityCheckTask
        #expect(t.fullName == "parity_check(form=encoder)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 9)) == (2, 2, 1))
        #expect(t.answer(for: [1, 0, 1, 0, 1, 0, 0]) == [1])
        #expect(t.answer(for: [0, 1, 1, 1, 1]) == [0])
        let x = t.layout([1, 0, 1, 0, 1, 0, 0])
        #expect(x == [1, 0, 1, 0, 1, 0, 0, 2])
        #expect(t.label(x) == Labels(targets: [0, 0, 0, 0, 0, 0, 0, 1], mask: [0, 0, 0, 0, 0, 0, 0, 1]))
    }

    @Test func parityCheckProperty() throws {
        let t = ParityCheckTask()
        let rng = RandomGenerator(seed: 22)
        var seen = Set<Int>()
        for n in [1, 2, 5, 12, 31, 64] {
            for _ in 0..<60 {
                let x = t.sampleInput(size: n, rng: rng)
                #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                let ones = x.filter { $0 == 1 }.count
                #expect(t.answer(for: x) == [ones % 2])
                seen.insert(ones % 2)
            }
        }
        #expect(seen == [0, 1])
    }

    // MARK: cycle_navigation

    @Test func cycleNavigationGolden() throws {
        let t = try task("cycle_navigation") as! CycleNavigationTask
        #expect(t.fullName == "cycle_navigation(cycle_length=5;form=encoder)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 9)) == (3, 5, 1))
        // Steps −1, 0, +1 are ids 0, 1, 2.
        #expect(t.answer(for: [2, 0, 1, 0, 0]) == [3])  // 1 −1 0 −1 −1 → −2 → 3
        #expect(t.answer(for: [2, 2, 2, 0]) == [2])  // 1 1 1 −1 → 2
        let x = t.layout([2, 0, 1, 0, 0])
        #expect(x == [2, 0, 1, 0, 0, 3])
        #expect(t.label(x) == Labels(targets: [0, 0, 0, 0, 0, 3], mask: [0, 0, 0, 0, 0, 1]))
        let seven = try task("cycle_navigation(cycle_length=7)") as! CycleNavigationTask
        #expect(seven.outputSize == 7 && seven.answer(for: [0, 0]) == [5])
    }

    @Test func cycleNavigationProperty() throws {
        let rng = RandomGenerator(seed: 23)
        for cycle in [5, 3] {
            let t = CycleNavigationTask(cycleLength: cycle)
            for n in [1, 2, 6, 19, 50] {
                for _ in 0..<50 {
                    let x = t.sampleInput(size: n, rng: rng)
                    #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                    let steps = x.map { [-1, 0, 1][$0] }.reduce(0, +)
                    let expected = ((steps % cycle) + cycle) % cycle
                    #expect(t.answer(for: x) == [expected])
                }
            }
        }
    }

    // MARK: modular_arithmetic

    @Test func modularArithmeticGolden() throws {
        let t = try task("modular_arithmetic") as! ModularArithmeticTask
        #expect(t.fullName == "modular_arithmetic(form=encoder;modulus=5)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 9)) == (9, 5, 1))
        // Ids: digits 0…4, + 5, − 6, × 7, blank 8.
        #expect(t.answer(for: [1, 5, 2, 7, 3]) == [2])  // 1 + 2 × 3
        #expect(t.answer(for: [1, 6, 1, 6, 1]) == [4])  // 1 − 1 − 1
        #expect(t.answer(for: [0, 7, 1, 5, 4, 7, 3, 6, 2]) == [0])  // 0 × 1 + 4 × 3 − 2
        #expect(t.answer(for: [3]) == [3])
        // Sizes: odd only, 1 included.
        #expect(t.minimumLength == 1)
        #expect(t.undefinedSizeReason(1) == nil && t.undefinedSizeReason(3) == nil && t.undefinedSizeReason(41) == nil)
        #expect(t.undefinedSizeReason(2) != nil && t.undefinedSizeReason(10) != nil)
        let x = t.layout([1, 5, 2, 7, 3])
        #expect(x == [1, 5, 2, 7, 3, 9])
        #expect(t.label(x) == Labels(targets: [0, 0, 0, 0, 0, 2], mask: [0, 0, 0, 0, 0, 1]))
    }

    @Test func modularArithmeticProperty() throws {
        let rng = RandomGenerator(seed: 24)
        for modulus in [5, 7] {
            let t = ModularArithmeticTask(modulus: modulus)
            var operators = Set<Int>()
            for n in [1, 3, 5, 11, 21, 41] {
                for _ in 0..<50 {
                    let x = t.sampleInput(size: n, rng: rng)
                    #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                    #expect(x.enumerated().allSatisfy { $0.offset % 2 == 0 ? $0.element < modulus : $0.element >= modulus })
                    for i in stride(from: 1, to: n, by: 2) { operators.insert(x[i]) }
                    let symbols = x.map { $0 < modulus ? String($0) : ["+", "-", "*", "_"][$0 - modulus] }
                    let exact = evaluateWithPrecedence(symbols)
                    #expect(t.answer(for: x) == [((exact % modulus) + modulus) % modulus], "\(symbols.joined())")
                }
            }
            #expect(operators == [modulus, modulus + 1, modulus + 2])  // + − ×, never the blank
        }
    }
}

// MARK: - Independent rules for the property tests

/// The (overlapping) occurrences of a two-character pattern in `text`.
private func count(_ pattern: String, in text: String) -> Int {
    let c = Array(text), p = Array(pattern)
    return c.indices.dropLast().filter { c[$0] == p[0] && c[$0 + 1] == p[1] }.count
}

/// An alternating expression of numbers and + − × (`_` as + between numbers, 0 as a number), in
/// exact integers with × before + and −: two stacks, reducing on each lower-precedence operator.
private func evaluateWithPrecedence(_ symbols: [String]) -> Int {
    var values: [Int] = [], operators: [String] = []
    func reduce() {
        let b = values.removeLast(), a = values.removeLast(), op = operators.removeLast()
        values.append(op == "*" ? a * b : op == "-" ? a - b : a + b)
    }
    for (i, s) in symbols.enumerated() {
        if i % 2 == 0 {
            values.append(s == "_" ? 0 : Int(s)!)
        } else {
            let op = s == "_" ? "+" : s
            let rank = { (o: String) in o == "*" ? 2 : 1 }
            while let last = operators.last, rank(last) >= rank(op) { reduce() }
            operators.append(op)
        }
    }
    while !operators.isEmpty { reduce() }
    return values[0]
}
