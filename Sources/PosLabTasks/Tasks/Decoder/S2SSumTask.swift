import PosLabCore
import PosLabSupport

/// `s2s_sum`: the sum of n single-digit numbers, modulo 10 (the NoPE study, Kazemnejad et al. 2023;
/// McGill-NLP/length-generalization, dataset `s2s_sum`, split `len_tr8_ts16`, no scratchpad).
///
/// Size n: the number of terms (the builder's `seq_length` and `cat`;
/// `scripts/dataset_builders/make_sum_dataset.py`, `generate_data`). Terms: uniform in 1 … 9
/// (`randint(1, 10)`). Answer: their sum mod 10 (`modulo_factor: 10`, `configs/data/s2s_sum.jsonnet`).
///
/// Format (`src/data/data_instance_processor/sum_instance_processor.py`, `S2SSumDataInstanceProcessor`;
/// separator `[SEP] ` from the config): prompt `Compute: v₁ + v₂ + … + vₙ .`, target
/// `The answer is d .` Here the instruction and the answer's lead-in are one token each:
///
///     input  COMPUTE v₁ + v₂ + … + vₙ .      (2n + 1 tokens)
///     SEP                                     the reference's [SEP]
///     answer ANSWER d .  END                  (3 tokens, all scored)
///
/// Ids: digits 0–9, then `+` 10, COMPUTE 11, `.` 12, ANSWER 13, then SEP and END. The T5 subword
/// text is not mirrored (no BOS; EOS at the end is PosLab's END); the structure is.
///
/// Example (the processor's own `__main__` instance): 3 3 1 8 6 1 2 1 9 8 1, sum 43 →
/// `11 3 10 3 10 1 10 8 10 6 10 1 10 2 10 1 10 9 10 8 10 1 12 SEP 13 3 12 END`.
///
/// Length protocol (the paper: train on sizes ≤ L, test on L+1 … 2L; builder `main`): training sizes
/// train_min (default 4) … L, test L+1 … 2L; the repository's `s2s_sum` split has L = 8
/// (`len_tr8_ts16`; the classification variants `sum`/`sum_mod` use L = 20). The length is n, the
/// number of terms.
public struct S2SSumTask: RegisteredTask, PromptTask {
    public static let registryName = "s2s_sum"
    public static let summary = "decoder (NoPE study) · the sum of n digits 1–9 modulo 10, with its text frame (s2s_sum)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public static let plus = 10, compute = 11, period = 12, answerIs = 13
    public var inputSize: Int { 14 }
    public var outputSize: Int { 14 }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .none }

    public init(form: TaskForm = .decoder) { self.form = form }

    public static func make(_ arguments: inout SpecArguments) throws -> S2SSumTask {
        S2SSumTask(form: try TaskForm.read(&arguments, default: .decoder))
    }

    public func inputLength(size n: Int) -> Int { 2 * n + 1 }
    public func answerLength(size n: Int) -> Int { 3 }

    /// The terms of an input.
    public func terms(of input: [Int]) -> [Int] { stride(from: 1, to: input.count - 1, by: 2).map { input[$0] } }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        var out = [Self.compute]
        for i in 0..<n {
            if i > 0 { out.append(Self.plus) }
            out.append(rng.int(in: 1...9))
        }
        return out + [Self.period]
    }

    public func answer(for input: [Int]) -> [Int] {
        [Self.answerIs, terms(of: input).reduce(0, +) % 10, Self.period]
    }
}
