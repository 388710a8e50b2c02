import PosLabCore
import PosLabSupport

/// `compute_sqrt`: the floor of the square root of a big-endian binary number (DeepMind's
/// Chomsky-hierarchy suite, context-sensitive; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/cs/compute_sqrt.py`).
///
/// Input of size n: a number x uniform over 1 … 2^n − 1 written with exactly n big-endian digits
/// (leading zeros kept). Python's bignum `random.randint(1, 2**n - 1)` is reproduced by drawing the
/// n digits one by one from the generator and drawing again when all are 0 (probability 2^−n): the
/// same distribution at any n. Answer: ⌊√x⌋ in big-endian binary with exactly ⌈n/2⌉ digits
/// (`output_length`; ⌊√x⌋ < 2^⌈n/2⌉), every one scored; computed digit by digit on the digit
/// array, exact at any length. Ids: 0 and 1 on both sides. Examples from the reference's
/// docstring: 100101 (37) → 110 (6), 111 (7) → 10 (2).
///
/// The reference's docstring writes √37's answer as 101; 6 is 110 in binary (its code, through
/// `math.isqrt`, gives 110).
public struct ComputeSqrtTask: RegisteredTask, PromptTask {
    public static let registryName = "compute_sqrt"
    public static let summary = "context-sensitive · the floor of the square root of a big-endian binary number (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 2 }
    public var outputSize: Int { 2 }
    /// In the decoder form, the answer is binary digits, as the input is: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .absolute }

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ComputeSqrtTask {
        ComputeSqrtTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { (n + 1) / 2 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        BinaryDigits.uniformNonzero(digits: n, rng: rng)  // the digits' order does not change the distribution
    }

    public func answer(for input: [Int]) -> [Int] {
        let root = BinaryDigits.squareRoot(input.reversed())  // little-endian in and out
        let m = answerLength(size: input.count)
        precondition(root.count <= m, "\(name): root of \(root.count) digits at size \(input.count)")
        return (root + [Int](repeating: 0, count: m - root.count)).reversed()
    }
}
