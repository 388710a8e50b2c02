import PosLabCore
import PosLabSupport

/// `reverse_string`: the input string reversed (DeepMind's Chomsky-hierarchy suite, deterministic
/// context-free; Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/dcf/reverse_string.py`).
///
/// Input: n symbols drawn uniformly from 0 ..< symbols (the paper: binary, symbols = 2).
/// Answer: s_n … s_1, n tokens, every one scored. Examples from the reference's docstring:
/// 011010 → 010110, 123021 → 120321. Chance: 1/symbols per token.
public struct ReverseStringTask: RegisteredTask, PromptTask {
    public static let registryName = "reverse_string"
    public static let summary = "deterministic context-free · the input reversed (DeepMind)"
    public var arguments: String { "form=\(form.rawValue);symbols=\(symbols)" }
    public let symbols: Int
    public let form: TaskForm
    public var inputSize: Int { symbols }
    public var outputSize: Int { symbols }
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .absolute }

    public init(symbols: Int = 2, form: TaskForm = .encoder) {
        self.symbols = symbols
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ReverseStringTask {
        ReverseStringTask(symbols: try arguments.int("symbols", default: 2, in: 2...4096),
                          form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { n }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: symbols) }
    }

    public func answer(for input: [Int]) -> [Int] { input.reversed() }
}
