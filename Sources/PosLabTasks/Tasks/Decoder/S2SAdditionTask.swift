import PosLabCore
import PosLabSupport

/// `s2s_addition`: add two integers written digit by digit (the NoPE study, Kazemnejad et al. 2023;
/// McGill-NLP/length-generalization, dataset `s2s_addition`, split `len_tr8_ts16`, no scratchpad).
///
/// Size n: the number of digits of each operand. The reference draws the two digit counts as a
/// grid of bins (a-by-b digits, `scripts/dataset_builders/make_addition_dataset.py`, `main`); a
/// prompt task has one input length per size, so this task is the grid's diagonal: both operands
/// have exactly n digits. Operands as `generate_data_for_bin` draws them: uniform over n-digit
/// numbers (leading digit 1–9; for n = 1, 0–9). The sum has n or n + 1 digits, unpadded as in the
/// reference, so the answer ends early (END) when there is no carry out.
///
/// Format (`src/data/data_instance_processor/addition_instance_processor.py`,
/// `S2SAdditionDataInstanceProcessor`; no separator in `configs/data/s2s_addition.jsonnet`): prompt
/// `Compute a₁ … aₙ + b₁ … bₙ ? ` (digits spaced by `number_to_string`), target
/// `The answer is c₁ … cₖ.` Here the instruction and the answer's lead-in are one token each and
/// PosLab's SEP stands for the prompt's final `?`:
///
///     input  COMPUTE a₁ … aₙ + b₁ … bₙ          (2n + 2 tokens, most significant digit first)
///     SEP                                        the prompt's "?"
///     answer ANSWER c₁ … cₖ .  END              (k + 2 tokens, k = n or n + 1, all scored)
///
/// Ids: digits 0–9, then `+` 10, COMPUTE 11, ANSWER 12, `.` 13, then SEP and END. The T5 subword
/// text ("Compute", "The answer is", no BOS, EOS at the end) is not mirrored; the structure is.
///
/// Example: 537 + 191 = 728 → `11 5 3 7 10 1 9 1 SEP 12 7 2 8 13 END END` (n = 3, no carry out,
/// so one END pads the shorter answer); 95 + 17 = 112 → `11 9 5 10 1 7 SEP 12 1 1 2 13 END`.
///
/// Length protocol (the paper: train on sizes ≤ L, test on L+1 … 2L; builder `main`): training bins
/// have both digit counts in train_min (default 4) … L; test bins have at least one operand with
/// L+1 … 2L digits; the repository's addition split has L = 8 (`len_tr8_ts16`). Here n is the
/// digit count of each operand.
public struct S2SAdditionTask: RegisteredTask, PromptTask {
    public static let registryName = "s2s_addition"
    public static let summary = "decoder (NoPE study) · the sum of two n-digit integers, with its text frame (s2s_addition)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public static let plus = 10, compute = 11, answerIs = 12, period = 13
    public var inputSize: Int { 14 }
    public var outputSize: Int { 14 }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    public init(form: TaskForm = .decoder) { self.form = form }

    public static func make(_ arguments: inout SpecArguments) throws -> S2SAdditionTask {
        S2SAdditionTask(form: try TaskForm.read(&arguments, default: .decoder))
    }

    public func inputLength(size n: Int) -> Int { 2 * n + 2 }
    public func answerLength(size n: Int) -> Int { n + 3 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        func operand() -> [Int] {
            (0..<n).map { i in i == 0 && n > 1 ? rng.int(in: 1...9) : rng.int(below: 10) }
        }
        return [Self.compute] + operand() + [Self.plus] + operand()
    }

    public func answer(for input: [Int]) -> [Int] {
        let n = (input.count - 2) / 2
        var digits = addDigits(Array(input[1...n]), Array(input[(n + 2)...]))  // n + 1, most significant first
        if digits.count > 1 && digits[0] == 0 { digits.removeFirst() }  // unpadded, as number_to_string writes it
        return [Self.answerIs] + digits + [Self.period]
    }
}

/// The n + 1 digits (most significant first, zero-padded) of the sum of two n-digit numbers given
/// most significant digit first; schoolbook addition, so any n works.
func addDigits(_ a: [Int], _ b: [Int]) -> [Int] {
    var out = [Int](repeating: 0, count: a.count + 1), carry = 0
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        let s = a[i] + b[i] + carry
        out[i + 1] = s % 10
        carry = s / 10
    }
    out[0] = carry
    return out
}
