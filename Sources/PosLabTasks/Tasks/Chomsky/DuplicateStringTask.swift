import PosLabCore
import PosLabSupport

/// `duplicate_string`: the input written out twice (DeepMind's Chomsky-hierarchy suite,
/// context-sensitive; Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/cs/duplicate_string.py`).
///
/// Input: n symbols drawn uniformly from 0 ..< symbols (the paper: binary, symbols = 2, the
/// reference's `TASK_BUILDERS` setting). Answer: the input `duplication` times with no separator,
/// duplication · n tokens, every one scored (the reference's `duplication` argument, default 2).
/// Ids: the symbols on both sides. Examples from the reference's docstring: 101 → 101101,
/// 111111 → 111111111111. Chance: 1/symbols per token.
///
/// PosLab's older `duplicate` task is this task with duplication = 1 laid out in the encoder form
/// at duplicate's length 2n (n symbols then n blanks, the blank being the placeholder id); see the
/// test `duplicateStringMatchesDuplicate`.
public struct DuplicateStringTask: RegisteredTask, PromptTask {
    public static let registryName = "duplicate_string"
    public static let summary = "context-sensitive · the input written twice (DeepMind)"
    public var arguments: String { "duplication=\(duplication);form=\(form.rawValue);symbols=\(symbols)" }
    public let symbols: Int
    /// How many copies of the input the answer holds.
    public let duplication: Int
    public let form: TaskForm
    public var inputSize: Int { symbols }
    public var outputSize: Int { symbols }
    /// In the decoder form, the answer repeats the input's symbols: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    public init(symbols: Int = 2, duplication: Int = 2, form: TaskForm = .encoder) {
        self.symbols = symbols
        self.duplication = duplication
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> DuplicateStringTask {
        DuplicateStringTask(symbols: try arguments.int("symbols", default: 2, in: 2...4096),
                            duplication: try arguments.int("duplication", default: 2, in: 1...64),
                            form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { duplication * n }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: symbols) }
    }

    public func answer(for input: [Int]) -> [Int] {
        Array([[Int]](repeating: input, count: duplication).joined())
    }
}
