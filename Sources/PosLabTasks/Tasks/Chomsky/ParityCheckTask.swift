import PosLabCore
import PosLabSupport

/// `parity_check`: the number of 1s in a binary string modulo 2 (DeepMind's Chomsky-hierarchy
/// suite, regular; Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/regular/parity_check.py`).
///
/// Input: n bits drawn uniformly (ids 0 and 1). Answer: one token, (number of 1s) mod 2 — 0 even,
/// 1 odd; scored. Vocabulary: input 0, 1; output 0, 1. Examples from the reference's docstring:
/// 1010100 → three 1s → 1; 01111 → four 1s → 0. Every n ≥ 1 is defined.
///
/// Position information: none — the answer is a function of the bag of input tokens, so a model
/// without positions can solve it (PosLab therefore counts it as a control task in summaries).
public struct ParityCheckTask: RegisteredTask, PromptTask {
    public static let registryName = "parity_check"
    public static let summary = "regular · the number of 1s in a bit string modulo 2 (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 2 }
    public var outputSize: Int { 2 }
    public var positionInformation: PositionInformation { .none }

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ParityCheckTask {
        ParityCheckTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: 2) }
    }

    public func answer(for input: [Int]) -> [Int] {
        [input.reduce(0) { $0 ^ ($1 & 1) }]
    }
}
