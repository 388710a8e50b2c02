import PosLabCore
import PosLabSupport

/// `s2s_parity`: is the number of 1s in a bit list even? (the NoPE study, Kazemnejad et al. 2023;
/// McGill-NLP/length-generalization, dataset `s2s_parity`, splits `len_tr20_ts40` and
/// `len_tr8_ts16`, no scratchpad).
///
/// Size n: the number of bits (the builder's `seq_length` and `cat`;
/// `scripts/dataset_builders/make_parity_dataset.py`, `generate_data`). Bits: uniform
/// (`randint(0, 2)`). Answer: `Yes` when the count of 1s is even, `No` when odd (the builder stores
/// count mod 2; the processor's `NICE_VALUES` map 0 → Yes, 1 → No).
///
/// Format (`src/data/data_instance_processor/parity_instance_processor.py`,
/// `S2SParityDataInstanceProcessor`; no separator in `configs/data/s2s_parity.jsonnet`): prompt
/// `Is the number of 1's even in the sequence [ b₁, b₂, …, bₙ ] ? `, target `The answer is Yes.`
/// Here the question and the answer's lead-in are one token each, and PosLab's SEP stands for the
/// prompt's final `?`:
///
///     input  QUESTION [ b₁ , b₂ , … , bₙ ]     (2n + 2 tokens)
///     SEP                                      the prompt's "?"
///     answer ANSWER Yes|No .  END              (3 tokens, all scored)
///
/// Ids: bits 0 and 1, then QUESTION 2, `[` 3, `,` 4, `]` 5, ANSWER 6, Yes 7, No 8, `.` 9, then SEP
/// and END. The T5 subword text is not mirrored (no BOS; EOS is PosLab's END); the structure is.
///
/// Example (the processor's own `__main__` instance): 0 0 0 0 0 1 1 1 (three 1s, odd) →
/// `2 3 0 4 0 4 0 4 0 4 0 4 1 4 1 4 1 5 SEP 6 8 9 END`.
///
/// Length protocol (the paper: train on sizes ≤ 20, test on 21–40; builder `main`): training sizes
/// train_min (default 4) … 20, test 21 … 40 (`len_tr20_ts40`; the scratchpad study's split uses 8
/// and 9 … 16). The length is n, the number of bits.
public struct S2SParityTask: RegisteredTask, PromptTask {
    public static let registryName = "s2s_parity"
    public static let summary = "decoder (NoPE study) · is the count of 1s among n bits even? Yes/No, with its text frame (s2s_parity)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public static let question = 2, open = 3, comma = 4, close = 5, answerIs = 6, yes = 7, no = 8, period = 9
    public var inputSize: Int { 10 }
    public var outputSize: Int { 10 }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .none }

    public init(form: TaskForm = .decoder) { self.form = form }

    public static func make(_ arguments: inout SpecArguments) throws -> S2SParityTask {
        S2SParityTask(form: try TaskForm.read(&arguments, default: .decoder))
    }

    public func inputLength(size n: Int) -> Int { 2 * n + 2 }
    public func answerLength(size n: Int) -> Int { 3 }

    /// The bits of an input (every other token inside the brackets).
    public func bits(of input: [Int]) -> [Int] { stride(from: 2, to: input.count - 1, by: 2).map { input[$0] } }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        var out = [Self.question, Self.open]
        for i in 0..<n {
            if i > 0 { out.append(Self.comma) }
            out.append(rng.int(below: 2))
        }
        return out + [Self.close]
    }

    public func answer(for input: [Int]) -> [Int] {
        [Self.answerIs, bits(of: input).reduce(0, +) % 2 == 0 ? Self.yes : Self.no, Self.period]
    }
}
