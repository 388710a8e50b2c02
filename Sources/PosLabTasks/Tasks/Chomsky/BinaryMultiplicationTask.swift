import PosLabCore
import PosLabSupport

/// `binary_multiplication`: the product of two little-endian binary numbers (DeepMind's
/// Chomsky-hierarchy suite, context-sensitive; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/cs/binary_multiplication.py`).
///
/// Input of size n ≥ 3: a ⊕ 2 ⊕ b, drawn exactly as in `binary_addition` (a gets ℓ digits, ℓ
/// uniform in 1 … n − 2, b the other n − 1 − ℓ; each number uniform over the nonzero values of its
/// digit count, written with exactly that many digits; digits drawn one by one from the generator,
/// the all-zero string redrawn, which matches Python's bignum `random.randint(1, 2**ℓ - 1)`).
/// Answer: n tokens (`output_length`), the product's little-endian digits without high zeros (at
/// most ℓ + (n − 1 − ℓ) = n − 1 of them), the termination token 2, then 0s. Every answer token is
/// trained on; those up to and including the termination token are scored (`answerScoreMask`, the
/// reference's `accuracy_mask`). The product is schoolbook multiplication on the digit arrays,
/// exact at any length. Ids: 0, 1 and 2 on both sides (input: 2 is ×; answer: 2 ends the product).
///
/// Examples from the reference's docstring: 001×01101 (4 · 22 = 88) → 0001101 2 0 and
/// 1001×000001 (9 · 32 = 288) → 000001001 2 0.
///
/// Decision against the reference: n ≤ 2 is refused (`minimumLength` 3). There the reference draws
/// one number with no operator and, in its own words arbitrarily, answers a constant (2 at n = 1,
/// 0 2 at n = 2) whatever the input; that is not a product, so PosLab does not train or score it.
public struct BinaryMultiplicationTask: RegisteredTask, PromptTask {
    public static let registryName = "binary_multiplication"
    public static let summary = "context-sensitive · the product of two little-endian binary numbers, scored up to its end token (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 3 }
    public var outputSize: Int { 3 }
    /// The input token between the two numbers.
    public var times: Int { 2 }
    /// The answer token after the product.
    public var termination: Int { 2 }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { 3 }

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> BinaryMultiplicationTask {
        BinaryMultiplicationTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func undefinedSizeReason(_ n: Int) -> String? {
        n < 3 ? "size \(n) has no room for two numbers and the × between them (the reference answers a constant there)" : nil
    }

    public func answerLength(size n: Int) -> Int { n }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        precondition(n >= minimumLength, "\(name) is not defined at size \(n)")
        let digitsA = rng.int(in: 1...(n - 2))
        return BinaryDigits.uniformNonzero(digits: digitsA, rng: rng) + [times]
            + BinaryDigits.uniformNonzero(digits: n - 1 - digitsA, rng: rng)
    }

    public func answer(for input: [Int]) -> [Int] {
        guard let i = input.firstIndex(of: times) else { preconditionFailure("\(name): no × in \(input)") }
        let product = BinaryDigits.product(Array(input[..<i]), Array(input[(i + 1)...]))
        let n = input.count
        precondition(product.count + 1 <= answerLength(size: n), "\(name): product of \(product.count) digits at size \(n)")
        return product + [termination] + [Int](repeating: 0, count: answerLength(size: n) - product.count - 1)
    }

    public func answerScoreMask(_ answer: [Int]) -> [Float] {
        scoreMaskThroughTermination(answer, termination: termination)
    }
}
