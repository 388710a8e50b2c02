import PosLabCore
import PosLabSupport

/// `even_pairs`: whether a binary string has an odd number of unequal adjacent pairs (DeepMind's
/// Chomsky-hierarchy suite, regular; Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/regular/even_pairs.py`).
///
/// Input: n bits drawn uniformly (ids 0 and 1). Answer: one token, the number of positions i with
/// s_i ≠ s_{i+1} (the `01`s and `10`s) modulo 2 — 0 when even, 1 when odd; scored. Vocabulary:
/// input 0, 1; output 0 (even), 1 (odd). Examples from the reference's docstring: 001110 → one
/// `01` and one `10` → 0; 0101001 → three `01`s and two `10`s → 1. Length 1 has no pairs: 0.
/// Every n ≥ 1 is defined.
///
/// Position information: the count is odd exactly when the first and last bits differ, so the
/// answer depends on which tokens sit at the two ends: absolute.
public struct EvenPairsTask: RegisteredTask, PromptTask {
    public static let registryName = "even_pairs"
    public static let summary = "regular · whether the number of 01 and 10 pairs in a bit string is odd (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 2 }
    public var outputSize: Int { 2 }
    public var positionInformation: PositionInformation { .absolute }

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> EvenPairsTask {
        EvenPairsTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: 2) }
    }

    public func answer(for input: [Int]) -> [Int] {
        var unequal = 0
        for i in input.indices.dropLast() where input[i] != input[i + 1] { unequal += 1 }
        return [unequal % 2]
    }
}
