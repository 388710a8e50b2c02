import PosLabCore
import PosLabSupport
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

    // MARK: stack_manipulation

    @Test func stackManipulationGolden() throws {
        let t = try task("stack_manipulation") as! StackManipulationTask
        #expect(t.fullName == "stack_manipulation(form=encoder)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 7)) == (5, 3, 8))
        #expect(t.minimumLength == 1 && t.answerLength(size: 1) == 2)
        // 0 1 1 0 PUSH 1 POP POP; POP = 2, PUSH 0 = 3, PUSH 1 = 4; output termination 2, padding 0.
        let first = [0, 1, 1, 0, 4, 2, 2]
        #expect(t.answer(for: first) == [1, 1, 0, 2, 0, 0, 0, 0])
        #expect(t.answerScoreMask(t.answer(for: first)) == [1, 1, 1, 1, 0, 0, 0, 0])
        // 1 1 0 POP POP POP: the empty stack.
        #expect(t.answer(for: [1, 1, 0, 2, 2, 2]) == [2, 0, 0, 0, 0, 0, 0])
        #expect(t.answerScoreMask([2, 0, 0, 0, 0, 0, 0]) == [1, 0, 0, 0, 0, 0, 0])
        #expect(t.answer(for: [1]) == [1, 2])
        // Encoder layout: 7 inputs, 8 placeholders (id 5); every answer token trained, 4 scored.
        let x = t.layout(first)
        #expect(x == first + [Int](repeating: 5, count: 8))
        let y = t.label(x)
        #expect(y.targets == [Int](repeating: 0, count: 7) + [1, 1, 0, 2, 0, 0, 0, 0])
        #expect(y.mask == [Float](repeating: 0, count: 7) + [Float](repeating: 1, count: 8))
        #expect(y.scoreMask == [Float](repeating: 0, count: 7) + [1, 1, 1, 1, 0, 0, 0, 0])
        // Decoder layout: answer symbol a fed back as id 5 + a (input 2 is POP, answer 2 the
        // termination token), SEP = 5 + 3 = 8, END = 9 after the padded answer.
        let d = StackManipulationTask(form: .decoder)
        let z = d.layout(first)
        #expect(z == first + [8, 6, 6, 5, 7, 5, 5, 5, 5, 9])
        #expect(scored(d.label(z)) == [Int?](repeating: nil, count: 7) + [6, 6, 5, 7, 5, 5, 5, 5, 9, nil])
    }

    @Test func stackManipulationProperty() throws {
        let t = StackManipulationTask()
        let rng = RandomGenerator(seed: 25)
        for n in [1, 2, 3, 5, 10, 24, 40] {
            var stackSizes = Set<Int>()
            for _ in 0..<60 {
                let x = t.sampleInput(size: n, rng: rng)
                #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                // The docstring's rule: a bit prefix is the stack bottom to top, then the instructions.
                let k = x.firstIndex { $0 >= 2 } ?? n
                #expect(x[k...].allSatisfy { $0 >= 2 })
                stackSizes.insert(k)
                var stack = Array(x[..<k])
                for action in x[k...] {
                    if action == 2 { if !stack.isEmpty { stack.removeLast() } } else { stack.append(action - 3) }
                }
                var expected: [Int] = []
                while let top = stack.popLast() { expected.append(top) }
                let scoredLength = expected.count + 1
                expected.append(2)
                while expected.count < n + 1 { expected.append(0) }
                let a = t.answer(for: x)
                #expect(a == expected, "\(x)")
                #expect(t.answerScoreMask(a) == (0..<(n + 1)).map { $0 < scoredLength ? Float(1) : 0 })
            }
            if n <= 10 { #expect(stackSizes == (n == 1 ? [1] : Set(1..<n)), "n=\(n)") }  // every initial stack size drawn
        }
    }

    // MARK: modular_arithmetic_brackets

    @Test func modularArithmeticBracketsGolden() throws {
        let t = try task("modular_arithmetic_brackets") as! ModularArithmeticBracketsTask
        #expect(t.fullName == "modular_arithmetic_brackets(form=encoder;modulus=5;mult=true)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 9)) == (11, 5, 1))
        #expect(t.minimumLength == 1 && [1, 2, 3, 4, 5].allSatisfy { t.undefinedSizeReason($0) == nil })
        // Ids: digits 0…4, + 5, − 6, × 7, ( 8, ) 9. No example in the reference: these follow its grammar.
        #expect(t.answer(for: [3]) == [3])  // 3
        #expect(t.answer(for: [6, 3]) == [2])  // −3
        #expect(t.answer(for: [8, 4, 9]) == [4])  // (4)
        #expect(t.answer(for: [8, 6, 4, 9]) == [1])  // (−4)
        #expect(t.answer(for: [8, 1, 5, 2, 9]) == [3])  // (1+2)
        #expect(t.answer(for: [8, 2, 6, 6, 1, 9]) == [3])  // (2−−1)
        #expect(t.answer(for: [8, 8, 1, 5, 6, 3, 9, 7, 8, 4, 9, 9]) == [2])  // ((1+−3)×(4)) = −8
        #expect(try task("modular_arithmetic_brackets(mult=false)").fullName
            == "modular_arithmetic_brackets(form=encoder;modulus=5;mult=false)")
        #expect(configurationError { _ = try task("modular_arithmetic_brackets(mult=yes)") } != nil)
        #expect(configurationError { _ = try task("modular_arithmetic_brackets(modulus=11)") } != nil)
        let x = t.layout([8, 2, 6, 6, 1, 9])
        #expect(x == [8, 2, 6, 6, 1, 9, 11])
        #expect(t.label(x) == Labels(targets: [0, 0, 0, 0, 0, 0, 3], mask: [0, 0, 0, 0, 0, 0, 1]))
    }

    @Test func modularArithmeticBracketsProperty() throws {
        let rng = RandomGenerator(seed: 26)
        for (modulus, mult) in [(5, true), (5, false), (7, true)] {
            let t = ModularArithmeticBracketsTask(modulus: modulus, mult: mult)
            let chars = referenceCharacters(modulus: modulus, solveEquation: false)
            var fiveShapes = Set<String>()
            for n in [1, 2, 3, 4, 5, 6, 9, 16, 30] {
                for _ in 0..<30 {
                    // The task's own samples, against an evaluator written here.
                    let x = t.sampleInput(size: n, rng: rng)
                    #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                    let text = x.map { chars[$0] }.joined()
                    #expect(mult || !text.contains("*"))
                    let value = try #require(evaluateBracketed(text, modulus: modulus), "\(text)")
                    #expect(t.answer(for: x) == [value], "\(text)")
                    if n == 5 { fiveShapes.insert(String(text.map { $0.isNumber ? "d" : $0 })) }
                    // Expressions (and values) drawn by a generator written here, after the reference's grammar.
                    let (expression, truth) = generateBracketed(size: n, modulus: modulus, mult: mult, rng: rng)
                    #expect(t.answer(for: expression.map { chars.firstIndex(of: String($0))! }) == [truth], "\(expression)")
                }
            }
            #expect(fiveShapes == Set(mult ? ["(d+d)", "(d-d)", "(d*d)"] : ["(d+d)", "(d-d)"]))
        }
    }

    // MARK: solve_equation

    @Test func solveEquationGolden() throws {
        let t = try task("solve_equation") as! SolveEquationTask
        #expect(t.fullName == "solve_equation(form=encoder;modulus=5)")
        #expect((t.inputSize, t.outputSize, t.answerLength(size: 9)) == (11, 5, 1))
        #expect(t.minimumLength == 3 && t.undefinedSizeReason(3) == nil && t.undefinedSizeReason(4) == nil)
        // Ids: digits 0…4, + 5, − 6, ( 7, ) 8, x 9, = 10. No example in the reference: these follow its grammar.
        #expect(t.answer(for: [9, 10, 3]) == [3])  // x=3
        #expect(t.answer(for: [6, 9, 10, 1]) == [4])  // −x=1
        #expect(t.answer(for: [7, 2, 6, 9, 8, 10, 4]) == [3])  // (2−x)=4
        #expect(t.answer(for: [7, 9, 6, 7, 6, 3, 8, 8, 10, 1]) == [3])  // (x−(−3))=1
        let x = t.layout([7, 2, 6, 9, 8, 10, 4])
        #expect(x == [7, 2, 6, 9, 8, 10, 4, 11])
        #expect(t.label(x) == Labels(targets: [0, 0, 0, 0, 0, 0, 0, 3], mask: [0, 0, 0, 0, 0, 0, 0, 1]))
    }

    @Test func solveEquationProperty() throws {
        let rng = RandomGenerator(seed: 27)
        for modulus in [5, 4] {
            let t = SolveEquationTask(modulus: modulus)
            let chars = referenceCharacters(modulus: modulus, solveEquation: true)
            for n in [3, 4, 5, 6, 7, 10, 18, 32] {
                for _ in 0..<30 {
                    // The task's own samples: one x, `=` and a value at the end, exactly one solution.
                    let x = t.sampleInput(size: n, rng: rng)
                    #expect(x.count == n && x.allSatisfy { (0..<t.inputSize).contains($0) })
                    let text = x.map { chars[$0] }.joined()
                    #expect(text.filter { $0 == "x" }.count == 1 && text.dropLast().hasSuffix("="), "\(text)")
                    let expression = String(text.dropLast(2)), value = Int(String(text.last!))!
                    let solutions = (0..<modulus).filter {
                        evaluateBracketed(expression.replacingOccurrences(of: "x", with: String($0)), modulus: modulus) == value
                    }
                    #expect(solutions.count == 1, "\(text)")
                    #expect(t.answer(for: x) == solutions, "\(text)")
                    // Equations drawn here after the reference's recipe: the answer is the digit replaced.
                    let (e, v) = generateBracketed(size: n - 2, modulus: modulus, mult: false, rng: rng)
                    var symbols = e.map(String.init)
                    var i = rng.int(below: symbols.count)
                    while Int(symbols[i]) == nil { i = (i + 1) % symbols.count }
                    let digit = Int(symbols[i])!
                    symbols[i] = "x"
                    let ids = (symbols + ["=", String(v)]).map { chars.firstIndex(of: $0)! }
                    #expect(t.answer(for: ids) == [digit], "\(symbols.joined())=\(v)")
                }
            }
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

/// The reference's characters for each id: digits, then `+ - * ( ) x` (brackets) or `+ - ( ) x =`
/// (solve_equation).
private func referenceCharacters(modulus: Int, solveEquation: Bool) -> [String] {
    (0..<modulus).map(String.init) + (solveEquation ? ["+", "-", "(", ")", "x", "="] : ["+", "-", "*", "(", ")", "x"])
}

/// The value of a bracketed expression (unary − before a digit or a bracket; every binary operation
/// in its own brackets) modulo `modulus`, by a shift-reduce pass over the characters; nil if malformed.
private func evaluateBracketed(_ text: String, modulus: Int) -> Int? {
    enum Item { case open, op(Character), value(Int), negate }
    var stack: [Item] = []
    func push(_ v: Int) {
        var v = v
        while case .negate? = stack.last { stack.removeLast(); v = -v }
        stack.append(.value(v))
    }
    for c in text {
        switch c {
        case "(": stack.append(.open)
        case "-":
            if case .value? = stack.last { stack.append(.op("-")) } else { stack.append(.negate) }
        case "+", "*": stack.append(.op(c))
        case ")":
            guard case .value(let b)? = stack.popLast() else { return nil }
            if case .open? = stack.last { stack.removeLast(); push(b); continue }
            guard case .op(let op)? = stack.popLast(), case .value(let a)? = stack.popLast(), case .open? = stack.popLast()
            else { return nil }
            push(op == "+" ? a + b : op == "-" ? a - b : a * b)
        default:
            guard let d = c.wholeNumberValue else { return nil }
            push(d)
        }
    }
    guard stack.count == 1, case .value(let v) = stack[0] else { return nil }
    return ((v % modulus) + modulus) % modulus
}

/// A bracketed expression of exactly `size` characters and its value, after the reference's grammar.
private func generateBracketed(size n: Int, modulus: Int, mult: Bool, rng: RandomGenerator) -> (String, Int) {
    let d = rng.int(below: modulus)
    switch n {
    case 1: return ("\(d)", d)
    case 2: return ("-\(d)", (modulus - d) % modulus)
    case 3: return ("(\(d))", d)
    case 4: return ("(-\(d))", (modulus - d) % modulus)
    default:
        let leftSize = rng.int(in: 1...(n - 4))
        let (l, a) = generateBracketed(size: leftSize, modulus: modulus, mult: mult, rng: rng)
        let (r, b) = generateBracketed(size: n - 3 - leftSize, modulus: modulus, mult: mult, rng: rng)
        switch rng.int(below: mult ? 3 : 2) {
        case 0: return ("(\(l)+\(r))", (a + b) % modulus)
        case 1: return ("(\(l)-\(r))", (a - b + modulus) % modulus)
        default: return ("(\(l)*\(r))", a * b % modulus)
        }
    }
}
