import PosLabCore
import PosLabSupport

/// `modular_arithmetic`: the value of an arithmetic expression without brackets, modulo a number
/// (DeepMind's Chomsky-hierarchy suite, regular; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/regular/modular_arithmetic.py`).
///
/// Input: an expression of odd size n, numbers and operators alternating: (n + 1)/2 numbers drawn
/// uniformly from 0 ..< modulus at the even positions (0, 2, …), (n − 1)/2 operators drawn
/// uniformly from +, −, × at the odd ones. Answer: one token, the expression's value with the
/// usual precedence (× before + and −, left to right), reduced to 0 ..< modulus; scored.
/// Vocabulary (the reference's): numbers 0 ..< modulus, then + = modulus, − = modulus + 1,
/// × = modulus + 2, and a blank `_` = modulus + 3 that the generator never draws (inputSize =
/// modulus + 4); output 0 ..< modulus. Examples from the reference's docstring, modulus 5:
/// 1 + 2 × 3 → 2 (ids 1 5 2 7 3); 1 − 1 − 1 → 4 (ids 1 6 1 6 1); 0 × 1 + 4 × 3 − 2 → 0
/// (ids 0 7 1 5 4 7 3 6 2). Size 1 is a lone number, its own value.
///
/// Decisions against or beyond the reference:
/// - Even sizes are undefined (`undefinedSizeReason`): asked for an even length, the reference
///   silently samples expressions one token shorter, which would make the size a lie.
/// - The value is computed exactly modulo `modulus`. The reference multiplies and sums in JAX's
///   default 32-bit integers before reducing, which wraps for a product of 16 or more factors
///   (probability below 10⁻⁷ per position); its labels then differ from the true value, ours do not.
/// - The reference's blank `_` (read as `+` at an operator position and 0 at a number position)
///   is honoured by `answer(for:)` though never sampled; its `operators` option (a subset of
///   + − ×) is not offered: all three, its default, are always drawn.
/// - `answer(for:)` of an even-size input ignores its last token (an operator with no operand).
///
/// Position information: relative — precedence makes a number's role depend on its neighbours.
public struct ModularArithmeticTask: RegisteredTask, PromptTask {
    public static let registryName = "modular_arithmetic"
    public static let summary = "regular · the value of a +, −, × expression modulo a number, without brackets (DeepMind)"
    public var arguments: String { "form=\(form.rawValue);modulus=\(modulus)" }
    public let modulus: Int
    public let form: TaskForm
    public var inputSize: Int { modulus + 4 }
    public var outputSize: Int { modulus }
    /// In the decoder form the answer, a residue, is written with the input's digit ids: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    /// The operator ids.
    public var plus: Int { modulus }
    public var minus: Int { modulus + 1 }
    public var times: Int { modulus + 2 }
    public var blank: Int { modulus + 3 }

    public init(modulus: Int = 5, form: TaskForm = .encoder) {
        precondition(modulus >= 2, "modular_arithmetic needs a modulus of at least 2")
        self.modulus = modulus
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ModularArithmeticTask {
        ModularArithmeticTask(modulus: try arguments.int("modulus", default: 5, in: 2...4096),
                              form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func undefinedSizeReason(_ n: Int) -> String? {
        n % 2 == 0 ? "modular_arithmetic expressions have odd length (numbers and operators alternate); got \(n)" : nil
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        let operators = [plus, times, minus]
        return (0..<n).map { i in i % 2 == 0 ? rng.int(below: modulus) : operators[rng.int(below: 3)] }
    }

    public func answer(for input: [Int]) -> [Int] {
        // A number position holds 0 ..< modulus (anything else, the blank included, reads as 0).
        func number(_ i: Int) -> Int { input[i] < modulus && input[i] >= 0 ? input[i] : 0 }
        var total = 0, term = input.isEmpty ? 0 : number(0)
        var i = 1
        while i + 1 < input.count {
            let v = number(i + 1)
            switch input[i] {
            case times: term = term * v % modulus
            case minus: total = (total + term) % modulus; term = (modulus - v) % modulus
            default: total = (total + term) % modulus; term = v  // +, and the blank
            }
            i += 2
        }
        return [(total + term) % modulus]
    }
}
