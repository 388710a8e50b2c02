import PosLabCore
import PosLabSupport

/// `odds_first`: the symbols at odd indices, then those at even indices (DeepMind's
/// Chomsky-hierarchy suite, context-sensitive; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/cs/odds_first.py`).
///
/// Input: n symbols drawn uniformly from 0 ..< symbols (the paper: binary, symbols = 2).
/// Answer: n tokens, x[1], x[3], x[5], … then x[0], x[2], x[4], … (indices from 0), every one
/// scored. Ids: the symbols on both sides. Chance: 1/symbols per token.
///
/// Decision against the reference's docstring, with its code: the docstring counts from 1
/// ("s_1 s_3 s_5 … s_2 s_4 …") and its examples follow that (00110101 → 01000111, 110 → 101), but
/// the code slices `[1::2]` then `[::2]` of 0-indexed arrays, which is the opposite parity, and the
/// code made the published numbers. So the docstring's inputs give here 00110101 → 01110100 and
/// 110 → 110 (the test states both). This is the rule of PosLab's older `odds-first` task too.
public struct ChomskyOddsFirstTask: RegisteredTask, PromptTask {
    public static let registryName = "odds_first"
    public static let summary = "context-sensitive · the odd-indexed then the even-indexed symbols (DeepMind)"
    public var arguments: String { "form=\(form.rawValue);symbols=\(symbols)" }
    public let symbols: Int
    public let form: TaskForm
    public var inputSize: Int { symbols }
    public var outputSize: Int { symbols }
    /// In the decoder form, the answer rearranges the input's symbols: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .absolute }

    public init(symbols: Int = 2, form: TaskForm = .encoder) {
        self.symbols = symbols
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ChomskyOddsFirstTask {
        ChomskyOddsFirstTask(symbols: try arguments.int("symbols", default: 2, in: 2...4096),
                            form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { n }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: symbols) }
    }

    public func answer(for input: [Int]) -> [Int] {
        let odd = stride(from: 1, to: input.count, by: 2), even = stride(from: 0, to: input.count, by: 2)
        return odd.map { input[$0] } + even.map { input[$0] }
    }
}
