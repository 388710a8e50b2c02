import PosLabCore
import PosLabSupport

/// `s2s_sort`: sort a list of words by their rank in a fixed vocabulary (the NoPE study, Kazemnejad
/// et al. 2023; McGill-NLP/length-generalization, dataset `s2s_sort`, single-digit split
/// `len_sngd_…`, instance processor `s2s_sort_single_digit`).
///
/// Size n: the number of list items (the builder's `seq_length` and `cat`;
/// `scripts/dataset_builders/make_sort_dataset.py`, `generate_data_single_digit`). Items: n drawn
/// uniformly, with repetition, from `symbols` words (the reference: the first 50 one-token strings
/// of the T5 vocabulary, so symbols = 50), ordered by their index in that vocabulary.
///
/// Format (`src/data/data_instance_processor/sort_instance_processor.py`, `S2SSortDataInstanceProcessor`,
/// no scratchpad; `configs/data/s2s_sort.jsonnet` has no separator): prompt
/// `Sort the following list [ t₁, t₂, …, tₙ ]. `, target `The sorted list is [ s₁, …, sₙ ].`
/// Here the instruction and the answer's lead-in are one token each, and PosLab's SEP stands for
/// the prompt's final `.`:
///
///     input  SORT [ t₁ , t₂ , … , tₙ ]                  (2n + 2 tokens)
///     SEP                                               the prompt's closing "."
///     answer SORTED [ s₁ , s₂ , … , sₙ ] .   END        (2n + 3 tokens, all scored)
///
/// Ids: words 0 ..< symbols (id order is the sort order), then SORT, SORTED, `[`, `,`, `]`, `.`
/// (symbols … symbols + 5), then SEP and END. The T5 tokenisation ("Sort the following list" as
/// several subwords, no BOS, EOS at the end) is not mirrored; the structure is.
///
/// Example (the processor's own `__main__` instance, ranks 21 13 14 14 23 = M E F F O; ids below
/// are the ranks, symbols = 50): `50 52 21 53 13 53 14 53 14 53 23 54 SEP 51 52 13 53 14 53 14 53
/// 21 53 23 54 55 END` (sorted: E F F M O).
///
/// The multi-digit split (`len_mltd_…`: integers 10 … 9999 written digit by digit) is not offered:
/// its prompt length varies with the numbers' digit counts at a fixed n, which a prompt task
/// (one input length per size) cannot lay out without padding the reference does not have.
///
/// Length protocol (the paper: train on sizes ≤ L, test on L+1 … 2L; builder `main`): training sizes
/// train_min (default 4) … L, test L+1 … 2L; the repository's sort splits use L = 8
/// (`len_sngd_tr8_ts16`), the copy/reverse/parity splits L = 20. The length is n, the item count.
public struct S2SSortTask: RegisteredTask, PromptTask {
    public static let registryName = "s2s_sort"
    public static let summary = "decoder (NoPE study) · sort a list of n words by vocabulary rank (s2s_sort, single-digit)"
    public var arguments: String { "form=\(form.rawValue);symbols=\(symbols)" }
    public let symbols: Int
    public let form: TaskForm
    public var sortToken: Int { symbols }
    public var sortedToken: Int { symbols + 1 }
    public var open: Int { symbols + 2 }
    public var comma: Int { symbols + 3 }
    public var close: Int { symbols + 4 }
    public var period: Int { symbols + 5 }
    public var inputSize: Int { symbols + 6 }
    public var outputSize: Int { symbols + 6 }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .none }

    public init(symbols: Int = 50, form: TaskForm = .decoder) {
        self.symbols = symbols
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> S2SSortTask {
        S2SSortTask(symbols: try arguments.int("symbols", default: 50, in: 2...4096),
                    form: try TaskForm.read(&arguments, default: .decoder))
    }

    public func inputLength(size n: Int) -> Int { 2 * n + 2 }
    public func answerLength(size n: Int) -> Int { 2 * n + 3 }

    /// `[ x₁ , x₂ , … , xₙ ]`
    func bracketed(_ items: [Int]) -> [Int] {
        var out = [open]
        for (i, x) in items.enumerated() {
            if i > 0 { out.append(comma) }
            out.append(x)
        }
        return out + [close]
    }

    /// The list items of an input (every other token inside the brackets).
    public func items(of input: [Int]) -> [Int] {
        stride(from: 2, to: input.count - 1, by: 2).map { input[$0] }
    }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        [sortToken] + bracketed((0..<n).map { _ in rng.int(below: symbols) })
    }

    public func answer(for input: [Int]) -> [Int] {
        [sortedToken] + bracketed(items(of: input).sorted()) + [period]
    }
}
