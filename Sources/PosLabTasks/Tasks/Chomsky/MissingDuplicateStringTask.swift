import PosLabCore
import PosLabSupport

/// `missing_duplicate_string`: the one symbol blanked out of a string written twice (DeepMind's
/// Chomsky-hierarchy suite, context-sensitive; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/cs/missing_duplicate_string.py`).
///
/// Input of size n: a binary string w of h = ⌊n/2⌋ digits drawn uniformly, written twice (w w, 2h
/// tokens), one of the 2h positions drawn uniformly and replaced by the marker 2, then one padding
/// token 3 when n is odd. Answer: one token, the digit the marker hides (the same position in the
/// other copy). Ids: input 0, 1, marker 2, padding 3 (the reference's `input_size` 4); answer 0, 1
/// (`output_size` 2). Examples from the reference's docstring: 01100210 → 1, 1011213 → 0.
/// Chance: 1/2.
///
/// Decision against the reference: n = 1 is refused (`minimumLength` 2). The reference has no
/// string of ⌊1/2⌋ = 0 digits to duplicate and, in its own words arbitrarily, emits the input 1 with
/// the answer 1; that is a constant, not the task, so PosLab does not train or score it.
public struct MissingDuplicateStringTask: RegisteredTask, PromptTask {
    public static let registryName = "missing_duplicate_string"
    public static let summary = "context-sensitive · the digit blanked out of a binary string written twice (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 4 }
    public var outputSize: Int { 2 }
    /// In the decoder form, the answer is one of the input's digits: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    /// The token that hides one digit.
    public var marker: Int { 2 }
    /// The token after the two copies when n is odd.
    public var padding: Int { 3 }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { 2 }

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> MissingDuplicateStringTask {
        MissingDuplicateStringTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func undefinedSizeReason(_ n: Int) -> String? {
        n < 2 ? "size \(n) holds no string of ⌊n/2⌋ ≥ 1 digits to write twice (the reference emits a constant input and answer there)" : nil
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        precondition(n >= minimumLength, "\(name) is not defined at size \(n)")
        let w = (0..<n / 2).map { _ in rng.int(below: 2) }
        var x = w + w
        x[rng.int(below: x.count)] = marker
        return x + [Int](repeating: padding, count: n % 2)
    }

    public func answer(for input: [Int]) -> [Int] {
        let h = input.count / 2
        guard let i = input.firstIndex(of: marker) else { preconditionFailure("\(name): no marker in \(input)") }
        return [i < h ? input[i + h] : input[i - h]]
    }
}
