import PosLabCore
import PosLabSupport

/// `solve_equation`: the unknown of a bracketed linear equation modulo a number (DeepMind's
/// Chomsky-hierarchy suite, deterministic context-free; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/dcf/solve_equation.py`).
///
/// Input of size n ≥ 3: `E = v`, where E is an expression of n − 2 tokens drawn as
/// `modular_arithmetic_brackets` draws them with + and − only (the reference's `solve_equation`
/// never passes its `mult`), v its value, and one digit of E replaced by the unknown x. The digit
/// is chosen as the reference chooses it: a position of E uniform, then onwards (wrapping round)
/// to the first digit — so digits after a run of brackets and operators are chosen more often.
/// Answer: one token, the digit x replaced; scored. Vocabulary (the reference's): digits
/// 0 ..< modulus, + = modulus, − = modulus + 1, ( = modulus + 2, ) = modulus + 3, x = modulus + 4,
/// = = modulus + 5 (inputSize = modulus + 6); output 0 ..< modulus. The reference's docstring gives
/// no example; the golden cases in the tests are derived by hand, e.g. with modulus 5:
/// (x−(−3))=1 → x + 3 ≡ 1 → x = 3.
///
/// The answer is a function of the input: with + and − only, E is ±x + c (x occurs once, each
/// enclosing subtraction or negation flips its sign), and ±1 is invertible modulo any modulus, so
/// exactly one x in 0 ..< modulus solves the equation — the digit replaced. `answer(for:)` returns
/// the smallest x in 0 ..< modulus satisfying the equation (for sampled inputs the only one), 0
/// when none does or the input is not such an equation (never sampled).
///
/// Decisions against the reference: sizes below 3 are undefined (`minimumLength` 3): there the
/// reference returns a dummy batch of all-0 inputs labelled 0, not an equation. The modulus is at
/// most 10: the reference writes each value as one decimal character.
///
/// Position information: relative — matching brackets and operands is about neighbourhoods.
public struct SolveEquationTask: RegisteredTask, PromptTask {
    public static let registryName = "solve_equation"
    public static let summary = "deterministic context-free · the unknown x of a bracketed +, − equation modulo a number (DeepMind)"
    public var arguments: String { "form=\(form.rawValue);modulus=\(modulus)" }
    public let modulus: Int
    public let form: TaskForm
    public var inputSize: Int { modulus + 6 }
    public var outputSize: Int { modulus }
    /// In the decoder form the answer, a residue, is written with the input's digit ids: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { 3 }

    /// The symbols' ids.
    public var alphabet: BracketAlphabet {
        BracketAlphabet(plus: modulus, minus: modulus + 1, times: nil, open: modulus + 2, close: modulus + 3,
                        x: modulus + 4, equals: modulus + 5)
    }

    public init(modulus: Int = 5, form: TaskForm = .encoder) {
        precondition((2...10).contains(modulus), "solve_equation needs a modulus in 2...10")
        self.modulus = modulus
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> SolveEquationTask {
        SolveEquationTask(modulus: try arguments.int("modulus", default: 5, in: 2...10),
                          form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        let a = alphabet
        var e = BracketExpression.sample(size: n - 2, modulus: modulus, mult: false, alphabet: a, rng: rng)
        let v = BracketExpression.value(e, modulus: modulus, alphabet: a)!
        var i = rng.int(below: e.count)
        while e[i] >= modulus { i = (i + 1) % e.count }
        e[i] = a.x
        return e + [a.equals!, v]
    }

    public func answer(for input: [Int]) -> [Int] {
        guard input.count >= 3, input[input.count - 2] == alphabet.equals, let v = input.last, (0..<modulus).contains(v)
        else { return [0] }
        let e = Array(input.dropLast(2))
        let x = (0..<modulus).first { BracketExpression.value(e, modulus: modulus, alphabet: alphabet, x: $0) == v }
        return [x ?? 0]
    }
}
