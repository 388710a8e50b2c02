import PosLabCore
import PosLabSupport

/// `binary_addition`: the sum of two little-endian binary numbers (DeepMind's Chomsky-hierarchy
/// suite, context-sensitive; Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/cs/binary_addition.py`).
///
/// Input of size n ≥ 3: a ⊕ 2 ⊕ b, two numbers in little-endian binary (digit i worth 2^i) around
/// the operator token 2. The split follows the reference: a gets ℓ digits, ℓ uniform in 1 … n − 2
/// (numpy's `randint(1, n - 1)`), b the other n − 1 − ℓ; each number is uniform over the nonzero
/// values of its digit count, written with exactly that many digits (Python's
/// `random.randint(1, 2**ℓ - 1)`, zero-padded: leading zeros are high digits at the end). Python
/// draws that with bignums; here each of the ℓ digits is a fair draw from the generator and the
/// all-zero string is drawn again, which is the same distribution for any ℓ.
/// Answer: n + 1 tokens (`output_length`), the sum's little-endian digits without high zeros, the
/// termination token 2, then 0s. Every answer token is trained on; only those up to and including
/// the termination token are scored (`answerScoreMask`, the reference's `accuracy_mask`). The sum
/// is computed on the digit arrays, exact at any length. Ids: 0, 1 and 2 on both sides (input: 2
/// is +; answer: 2 ends the sum).
///
/// n ≤ 2, as the reference: the input is a single number of n digits, no operator, drawn with
/// numpy's `randint(0, 2**n - 1)`, which excludes its upper end (n = 1: always 0; n = 2: 0, 1 or 2,
/// never 3); the answer is that number (0 written as one digit 0), as the sum of one operand.
///
/// Examples from the reference's docstring: 001+01101 (4 + 22) → 01011 2 0000 and 1001+000001
/// (9 + 32) → 100101 2 00000. The docstring prints one padding 0 fewer than its code produces
/// (it pads to n tokens, the code to n + 1); the code's lengths are used.
public struct BinaryAdditionTask: RegisteredTask, PromptTask {
    public static let registryName = "binary_addition"
    public static let summary = "context-sensitive · the sum of two little-endian binary numbers, scored up to its end token (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 3 }
    public var outputSize: Int { 3 }
    /// The input token between the two numbers.
    public var plus: Int { 2 }
    /// The answer token after the sum.
    public var termination: Int { 2 }
    public var positionInformation: PositionInformation { .relative }

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> BinaryAdditionTask {
        BinaryAdditionTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { n + 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        if n <= 2 {
            let value = rng.int(below: (1 << n) - 1)
            return (0..<n).map { (value >> $0) & 1 }
        }
        let digitsA = rng.int(in: 1...(n - 2))
        return BinaryDigits.uniformNonzero(digits: digitsA, rng: rng) + [plus]
            + BinaryDigits.uniformNonzero(digits: n - 1 - digitsA, rng: rng)
    }

    /// The sum of the numbers the operator token separates (one number when there is none).
    public func answer(for input: [Int]) -> [Int] {
        let total = input.split(separator: plus, omittingEmptySubsequences: false)
            .reduce([0]) { BinaryDigits.sum($0, Array($1)) }
        let n = input.count
        precondition(total.count + 1 <= answerLength(size: n), "\(name): sum of \(total.count) digits at size \(n)")
        return total + [termination] + [Int](repeating: 0, count: answerLength(size: n) - total.count - 1)
    }

    public func answerScoreMask(_ answer: [Int]) -> [Float] {
        scoreMaskThroughTermination(answer, termination: termination)
    }
}

/// 1 up to and including the first termination token, 0 after it (DeepMind's `accuracy_mask` for
/// the binary arithmetic tasks: the index of the first maximal id, which is the termination token,
/// the largest answer id, present in every answer).
func scoreMaskThroughTermination(_ answer: [Int], termination: Int) -> [Float] {
    guard let end = answer.firstIndex(of: termination) else {
        preconditionFailure("an answer without its termination token \(termination): \(answer)")
    }
    return answer.indices.map { $0 <= end ? 1 : 0 }
}
