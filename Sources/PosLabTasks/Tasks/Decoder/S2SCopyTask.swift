import PosLabCore
import PosLabSupport

/// `s2s_copy`: copy a sequence of words (the NoPE study, Kazemnejad et al. 2023, "The Impact of
/// Positional Encoding on Length Generalization in Transformers"; McGill-NLP/length-generalization,
/// dataset `s2s_copy`, split `cmc_tr20_ts40` = copy_multi_char).
///
/// Size n: the number of words to copy (the builder's `seq_length`, its `cat` and the paper's length
/// axis; `scripts/dataset_builders/make_copy_dataset.py`, `generate_copy_task_data_copy_multi_char`).
/// Words: n drawn uniformly from a vocabulary of `symbols` (the reference: the first 100 strings
/// the T5 tokenizer keeps as one token each, so symbols = 100).
///
/// Format (`src/data/data_instance_processor/copy_instance_processor.py`, `S2SCopyDataInstanceProcessor`;
/// separator `[SEP] ` from `configs/data/s2s_copy.jsonnet`): the text `Copy: w₁ … wₙ [SEP] w₁ … wₙ`.
/// Here, one token per word and one for the instruction:
///
///     input  COPY w₁ … wₙ          (n + 1 tokens)
///     SEP                           the reference's [SEP]
///     answer w₁ … wₙ  END           (n tokens, all scored)
///
/// Ids: words 0 ..< symbols, COPY = symbols, then PromptTask's SEP and END. The T5 tokenizer's text
/// cannot be mirrored exactly ("Copy:" is two subword tokens there, the sequence starts with no
/// BOS, the reference ends with the tokenizer's EOS where PosLab has END): the structure (instruction,
/// words, separator, answer) is kept with one id per symbol.
///
/// Example (symbols = 100): words 7 7 3 → `100 7 7 3 SEP 7 7 3 END`.
///
/// Length protocol (the paper: train on lengths ≤ 20, test on 21–40; the builder's `main`): training
/// sizes train_min … 20 (train_min defaults to 4), uniform over sizes; test sizes 21 … 40. The
/// length is the number of words n, not the number of tokens in the prompt.
public struct S2SCopyTask: RegisteredTask, PromptTask {
    public static let registryName = "s2s_copy"
    public static let summary = "decoder (NoPE study) · copy the n words after an instruction token (s2s_copy, cmc)"
    public var arguments: String { "form=\(form.rawValue);symbols=\(symbols)" }
    public let symbols: Int
    public let form: TaskForm
    public var instruction: Int { symbols }
    public var inputSize: Int { symbols + 1 }
    public var outputSize: Int { symbols }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    public init(symbols: Int = 100, form: TaskForm = .decoder) {
        self.symbols = symbols
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> S2SCopyTask {
        S2SCopyTask(symbols: try arguments.int("symbols", default: 100, in: 2...4096),
                    form: try TaskForm.read(&arguments, default: .decoder))
    }

    public func inputLength(size n: Int) -> Int { n + 1 }
    public func answerLength(size n: Int) -> Int { n }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        [instruction] + (0..<n).map { _ in rng.int(below: symbols) }
    }

    public func answer(for input: [Int]) -> [Int] { Array(input.dropFirst()) }
}
