import PosLabCore
import PosLabSupport

/// `modular_arithmetic_brackets`: the value of a fully bracketed arithmetic expression modulo a
/// number (DeepMind's Chomsky-hierarchy suite, deterministic context-free; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/dcf/modular_arithmetic_brackets.py`).
///
/// Input: an expression of exactly n tokens drawn by the reference's recursive generator: size 1
/// is a digit d, 2 is −d, 3 is (d), 4 is (−d), each digit uniform in 0 ..< modulus; size n ≥ 5 is
/// ( L op R ) with the size of L uniform in 1 ... n − 4, R of the rest (n − 3 − |L|), both drawn
/// the same way, and op uniform over +, − (and × when `mult`). Answer: one token, the expression's
/// value in 0 ..< modulus; scored. Vocabulary (the reference's): digits 0 ..< modulus, + = modulus,
/// − = modulus + 1, × = modulus + 2, ( = modulus + 3, ) = modulus + 4; inputSize = modulus + 6 (the
/// reference's alphabet, shared with its equations, also gives `x` the id modulus + 5 and `=` the id
/// modulus + 6, outside its input_size; this task draws neither); output
/// 0 ..< modulus. The reference's docstring gives no example; the golden cases in the tests are
/// derived by hand from its grammar, e.g. with modulus 5: ((1+−3)×(4)) → (1 − 3)·4 = −8 → 2.
///
/// Arguments: `modulus` (default 5) and `mult` (true or false; default true, as the reference's
/// experiments build the task — its class alone defaults to false). The modulus is at most 10: the
/// reference writes each value as one decimal character. Every n ≥ 1 is defined.
/// `answer(for:)` of an input that is not such an expression (never sampled) is 0.
///
/// Position information: relative — matching brackets and operands is about neighbourhoods.
public struct ModularArithmeticBracketsTask: RegisteredTask, PromptTask {
    public static let registryName = "modular_arithmetic_brackets"
    public static let summary = "deterministic context-free · the value of a bracketed +, −, × expression modulo a number (DeepMind)"
    public var arguments: String { "form=\(form.rawValue);modulus=\(modulus);mult=\(mult)" }
    public let modulus: Int
    /// Whether × is drawn besides + and −.
    public let mult: Bool
    public let form: TaskForm
    public var inputSize: Int { modulus + 6 }
    public var outputSize: Int { modulus }
    /// In the decoder form the answer, a residue, is written with the input's digit ids: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    /// The symbols' ids.
    public var alphabet: BracketAlphabet {
        BracketAlphabet(plus: modulus, minus: modulus + 1, times: modulus + 2, open: modulus + 3, close: modulus + 4,
                        x: modulus + 5, equals: nil)
    }

    public init(modulus: Int = 5, mult: Bool = true, form: TaskForm = .encoder) {
        precondition((2...10).contains(modulus), "modular_arithmetic_brackets needs a modulus in 2...10")
        self.modulus = modulus
        self.mult = mult
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ModularArithmeticBracketsTask {
        let modulus = try arguments.int("modulus", default: 5, in: 2...10)
        var mult = true
        if let text = arguments.string("mult") {
            guard let value = Bool(text) else { throw arguments.error("mult", "must be true or false (got '\(text)')") }
            mult = value
        }
        return ModularArithmeticBracketsTask(modulus: modulus, mult: mult, form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        BracketExpression.sample(size: n, modulus: modulus, mult: mult, alphabet: alphabet, rng: rng)
    }

    public func answer(for input: [Int]) -> [Int] {
        [BracketExpression.value(input, modulus: modulus, alphabet: alphabet) ?? 0]
    }
}

/// The ids of a bracketed expression's symbols (digits are 0 ..< modulus); the two bracket tasks
/// number them differently, as the reference does.
public struct BracketAlphabet: Sendable, Equatable {
    public var plus: Int, minus: Int, times: Int?, open: Int, close: Int, x: Int, equals: Int?
}

/// The reference's grammar of fully bracketed expressions (`generate_one_expression_and_result`),
/// shared by `modular_arithmetic_brackets` and `solve_equation`.
enum BracketExpression {
    /// An expression of exactly `size` tokens (size ≥ 1), drawn as the reference draws it.
    static func sample(size n: Int, modulus: Int, mult: Bool, alphabet a: BracketAlphabet, rng: RandomGenerator) -> [Int] {
        switch n {
        case 1: return [rng.int(below: modulus)]
        case 2: return [a.minus, rng.int(below: modulus)]
        case 3: return [a.open, rng.int(below: modulus), a.close]
        case 4: return [a.open, a.minus, rng.int(below: modulus), a.close]
        default:
            let left = rng.int(in: 1...(n - 4))
            let l = sample(size: left, modulus: modulus, mult: mult, alphabet: a, rng: rng)
            let r = sample(size: n - 3 - left, modulus: modulus, mult: mult, alphabet: a, rng: rng)
            let operators = [a.plus, a.minus] + (mult ? [a.times!] : [])
            return [a.open] + l + [operators[rng.int(below: operators.count)]] + r + [a.close]
        }
    }

    /// The value in 0 ..< modulus of `tokens`, with `x` standing for the unknown's id, or nil when
    /// the tokens are not one expression (or hold `x` and no value is given for it).
    /// Grammar: term = digit | x | − term | ( term ) | ( term op term ).
    static func value(_ tokens: [Int], modulus: Int, alphabet a: BracketAlphabet, x: Int? = nil) -> Int? {
        var i = 0
        func term() -> Int? {
            guard i < tokens.count else { return nil }
            let t = tokens[i]
            i += 1
            if t >= 0 && t < modulus { return t }
            if t == a.x { return x }
            if t == a.minus { return term().map { (modulus - $0) % modulus } }
            guard t == a.open, let left = term(), i < tokens.count else { return nil }
            let op = tokens[i]
            i += 1
            if op == a.close { return left }
            guard let right = term(), i < tokens.count, tokens[i] == a.close else { return nil }
            i += 1
            if op == a.plus { return (left + right) % modulus }
            if op == a.minus { return (left - right + modulus) % modulus }
            if op == a.times { return left * right % modulus }
            return nil
        }
        guard let v = term(), i == tokens.count else { return nil }
        return v
    }
}
