import PosLabCore
import PosLabSupport

/// `s2s_poly`: evaluate a polynomial of n terms at a small integer, modulo 10 (the NoPE study,
/// Kazemnejad et al. 2023; McGill-NLP/length-generalization, dataset `s2s_poly`, split
/// `n_terms_tr8_ts16`, no scratchpad).
///
/// Size n: the number of terms (the builder's `num_terms` and `cat`;
/// `scripts/dataset_builders/make_poly_dataset.py`, `generate_data`). Each term c·x^d has c uniform
/// in −3 … 3 and d uniform in 0 … 3; x is uniform in −2 … 2. Answer: Σ c·x^d mod 10, in 0 … 9
/// (Python's `%`, so −13 → 7; `modulo_factor: 10`, `configs/data/s2s_poly.jsonnet`). Terms may
/// repeat a degree or have c = 0, as in the reference.
///
/// Format (`src/data/data_instance_processor/poly_instance_processor.py`,
/// `S2SPolynomialDataInstanceProcessor`; no separator in the config): prompt
/// `Evaluate at x = X in c₁ * x ** d₁ + … + cₙ * x ** dₙ ? `, target `The answer is A.` Here:
///
///     input  EVALUATE X IN c₁ * x ** d₁ + … + cₙ * x ** dₙ     (6n + 2 tokens)
///     SEP                                                      the prompt's "?"
///     answer ANSWER A .  END                                   (3 tokens, all scored)
///
/// Ids: one id per integer −3 … 9 (value v is id v + 3: coefficients, x, degrees and the answer
/// digit share them), then EVALUATE 13 ("Evaluate at x ="), IN 14, `*` 15, `x` 16, `**` 17, `+` 18,
/// ANSWER 19, `.` 20, then SEP and END. Decision: the reference writes a negative number as two
/// tokens (`- 3`, `number_to_string`), so its prompt length varies with the signs at a fixed n; a
/// prompt task has one input length per size, so each signed number is one token here. The T5
/// subword text is not mirrored otherwise either (no BOS; EOS is PosLab's END).
///
/// Example (the processor's own `__main__` instance): coefficients −2 −1 −3 −1 −3 −3, degrees
/// 2 0 3 1 0 2, x = 1: sum −13 → answer 7; input `13 4 14 1 15 16 17 5 18 2 15 16 17 3 18 0 15 16
/// 17 6 18 2 15 16 17 4 18 0 15 16 17 3 18 0 15 16 17 5`, answer `19 10 20`.
///
/// Length protocol (the paper: train on sizes ≤ L, test on L+1 … 2L; builder `main`): training sizes
/// train_min (default 4) … L, test L+1 … 2L; the repository's split has L = 8 (`n_terms_tr8_ts16`).
/// The length is n, the number of terms.
public struct S2SPolynomialTask: RegisteredTask, PromptTask {
    public static let registryName = "s2s_poly"
    public static let summary = "decoder (NoPE study) · a polynomial of n terms evaluated at x in −2…2, modulo 10 (s2s_poly)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public static let evaluate = 13, inToken = 14, times = 15, x = 16, power = 17, plus = 18, answerIs = 19, period = 20
    /// The id of the integer v (−3 … 9).
    public static func value(_ v: Int) -> Int { v + 3 }
    public var inputSize: Int { 21 }
    public var outputSize: Int { 21 }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    public init(form: TaskForm = .decoder) { self.form = form }

    public static func make(_ arguments: inout SpecArguments) throws -> S2SPolynomialTask {
        S2SPolynomialTask(form: try TaskForm.read(&arguments, default: .decoder))
    }

    public func inputLength(size n: Int) -> Int { 6 * n + 2 }
    public func answerLength(size n: Int) -> Int { 3 }

    /// The input for x and the terms (coefficient, degree).
    public func input(x: Int, terms: [(coefficient: Int, degree: Int)]) -> [Int] {
        var out = [Self.evaluate, Self.value(x), Self.inToken]
        for (i, t) in terms.enumerated() {
            if i > 0 { out.append(Self.plus) }
            out += [Self.value(t.coefficient), Self.times, Self.x, Self.power, Self.value(t.degree)]
        }
        return out
    }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        let x = rng.int(in: -2...2)
        return input(x: x, terms: (0..<n).map { _ in (rng.int(in: -3...3), rng.int(in: 0...3)) })
    }

    public func answer(for input: [Int]) -> [Int] {
        let x = input[1] - 3
        var total = 0
        for start in stride(from: 3, to: input.count, by: 6) {
            let c = input[start] - 3, d = input[start + 4] - 3
            total += c * (0..<d).reduce(1) { p, _ in p * x }
        }
        let mod = ((total % 10) + 10) % 10
        return [Self.answerIs, Self.value(mod), Self.period]
    }
}
