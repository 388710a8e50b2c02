import PosLabCore
import PosLabSupport

/// `addition`: the sum of two n-digit integers, in the formats the length-generalisation studies of
/// addition use: plain or reversed digits, with or without index hints (Zhou et al. 2024, "What
/// Algorithms can Transformers Learn? A Study in Length Generalization"), with default or coupled
/// positions (Cho et al. 2024, "Position Coupling: Improving Length Generalization of Arithmetic
/// Transformers Using Task Structure", HanseulJo/position-coupling).
///
/// Size n: the number of digits of each operand. Both operands have exactly n digits, each digit
/// uniform in 0–9 (leading zeros allowed: the operands are zero-padded to n digits, as position
/// coupling pads them, `src/data/addition.py`, `AdditionDataset` with `padding`); the answer is
/// the sum zero-padded to n + 1 digits, so every answer has n + 1 digits.
///
/// Layout (decoder form; PosLab's SEP is the `=`):
///
///     format=plain     a_{n-1} … a_0 + b_{n-1} … b_0  SEP  c_n … c_0  END   most significant first
///     format=reversed  a_0 … a_{n-1} + b_0 … b_{n-1}  SEP  c_0 … c_n  END   least significant first
///
/// (x_k is the digit of significance k.) `reversed` reverses operands and answer alike (Cho et al.'s
/// `reverse_input` and `reverse_output`; Zhou et al. reverse the answer only in some runs; here both).
///
/// `index_hints=true` puts a hint token before every digit, the same hint for the same significance
/// in both operands and in the answer, so the answer the model generates carries the hints too
/// (Zhou et al. §5: `a5b4+a3b7=a9b1` for 54 + 37 = 91). The hints are consecutive tokens of a fixed
/// alphabet of `max_position` hints, starting at a random hint: hint h₀ + j goes to the j-th digit
/// in writing order of the (n + 1)-digit answer frame, i.e. significance k gets h₀ + n − k (plain)
/// or h₀ + k (reversed); h₀ is uniform in 0 … max_position − n − 1, so every hint is trained. This
/// follows the reimplementation in HanseulJo/position-coupling (`src/data/addition.py`,
/// `AdditionDatasetWithIndexHints`: a random start among max_position hint tokens in training,
/// the first hint at evaluation; there the operands carry one pad digit each so that all three
/// numbers have n + 1 hinted digits; here the operands have n and the answer's top digit gets the
/// n + 1st hint).
///
/// `positions=coupled` gives every digit its significance's position id (Cho et al.'s
/// `AdditionDatasetWithCoupledPositions`): with start s, digit k of a, of b and of the answer all get
/// s + 1 + k; `+` gets s; the `=` (SEP) gets s (reversed) or s + n + 2 (plain, after the answer's
/// top digit); END and END padding get 0 (the reference's id for tokens past the answer); a hint gets
/// its digit's id. In training s is uniform in 1 … max_position − (n + 1) − 1 + [reversed]
/// (`torch.randint(1, max_position − len(labels) + [reverse_output])`), so the largest id is at most
/// max_position; at evaluation the reference uses s = 1 (`randomize: False`). Here `batch` draws s
/// (from the batch's generator, after the input), and `positionIDs(_:)`, which has no generator,
/// uses s = 1 (offset 0). The ids depend on n and the format only, never on the digits.
/// `positions=significance` gives the ids the `abacus` encoding (McLeish et al. 2024) embeds: digit
/// k of each operand and of the answer k + 1, every other token 0, with no offset (the encoding draws
/// its own in training).
/// max_position defaults to 202, the paper's addition runs (`scripts/addition/eval_coupling.sh`:
/// maxpos=202, evaluated up to 200 digits).
///
/// Ids: digits 0–9, `+` 10, hints 11 ..< 11 + max_position (only with index hints), then SEP and END.
///
/// Examples (n = 3, 537 + 491 = 1028): plain `5 3 7 10 4 9 1 SEP 1 0 2 8 END`, reversed
/// `7 3 5 10 1 9 4 SEP 8 2 0 1 END`; with hints from h₀ = 0 (ids 11, 12, …) plain
/// `12 5 13 3 14 7 10 12 4 13 9 14 1 SEP 11 1 12 0 13 2 14 8 END`.
public struct AdditionTask: RegisteredTask, PromptTask {
    public enum Format: String, Sendable { case plain, reversed }
    public enum Positions: String, Sendable { case `default`, coupled, significance }

    public static let registryName = "addition"
    public static let summary = "arithmetic · the sum of two n-digit integers (plain/reversed digits, index hints, coupled positions)"
    public var arguments: String {
        "form=\(form.rawValue);format=\(format.rawValue);index_hints=\(indexHints);max_position=\(maxPosition);positions=\(positions.rawValue)"
    }
    public let format: Format
    public let indexHints: Bool
    public let positions: Positions
    public let maxPosition: Int
    public let form: TaskForm
    public static let plus = 10
    /// The id of hint number h (0 ..< maxPosition).
    public static func hint(_ h: Int) -> Int { 11 + h }
    public var inputSize: Int { 11 + (indexHints ? maxPosition : 0) }
    public var outputSize: Int { inputSize }
    /// The answer is written in the prompt's own tokens (one vocabulary, as the paper's tokenizer has).
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .relative }

    public init(format: Format = .plain, indexHints: Bool = false, positions: Positions = .default,
                maxPosition: Int = 202, form: TaskForm = .decoder) {
        self.format = format
        self.indexHints = indexHints
        self.positions = positions
        self.maxPosition = maxPosition
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> AdditionTask {
        func choice<T: RawRepresentable<String>>(_ key: String, _ defaultValue: T, _ allowed: String) throws -> T {
            guard let text = arguments.string(key) else { return defaultValue }
            guard let value = T(rawValue: text) else { throw arguments.error(key, "must be \(allowed) (got '\(text)')") }
            return value
        }
        let format: Format = try choice("format", .plain, "plain or reversed")
        let hints: Flag = try choice("index_hints", .no, "false or true")
        let positions: Positions = try choice("positions", .default, "default, coupled or significance")
        return AdditionTask(format: format, indexHints: hints == .yes, positions: positions,
                            maxPosition: try arguments.int("max_position", default: 202, in: 4...100_000),
                            form: try TaskForm.read(&arguments, default: .decoder))
    }

    private enum Flag: String { case no = "false", yes = "true" }

    /// Tokens per digit: the digit, and its hint before it with index hints.
    var perDigit: Int { indexHints ? 2 : 1 }
    public func inputLength(size n: Int) -> Int { 2 * n * perDigit + 1 }
    public func answerLength(size n: Int) -> Int { (n + 1) * perDigit }

    public func undefinedSizeReason(_ n: Int) -> String? {
        if indexHints && n + 1 > maxPosition {
            return "index hints: n + 1 = \(n + 1) hinted answer digits need more than max_position = \(maxPosition) hints"
        }
        if positions == .coupled && n + 2 - (format == .reversed ? 1 : 0) > maxPosition - 1 {
            return "coupled positions: n = \(n) needs position ids beyond max_position = \(maxPosition)"
        }
        return nil
    }

    /// The hint number of significance k for operands of n digits and hint start h0.
    func hintNumber(significance k: Int, n: Int, start h0: Int) -> Int {
        format == .plain ? h0 + n - k : h0 + k
    }

    /// Digits (and hints) of a number in writing order; `digits[k]` is the digit of significance k.
    func written(_ digits: [Int], n: Int, hintStart h0: Int) -> [Int] {
        let order = format == .plain ? Array((0..<digits.count).reversed()) : Array(0..<digits.count)
        var out: [Int] = []
        for k in order {
            if indexHints { out.append(Self.hint(hintNumber(significance: k, n: n, start: h0))) }
            out.append(digits[k])
        }
        return out
    }

    /// The input for operands given by their digits, significance 0 first, and hint start h0.
    public func input(a: [Int], b: [Int], hintStart h0: Int = 0) -> [Int] {
        written(a, n: a.count, hintStart: h0) + [Self.plus] + written(b, n: b.count, hintStart: h0)
    }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        let a = (0..<n).map { _ in rng.int(below: 10) }, b = (0..<n).map { _ in rng.int(below: 10) }
        let h0 = indexHints ? rng.int(in: 0...(maxPosition - n - 1)) : 0
        return input(a: a, b: b, hintStart: h0)
    }

    /// The operands' digits (significance 0 first) and the hint start of an input.
    public func operands(of input: [Int]) -> (a: [Int], b: [Int], hintStart: Int) {
        let n = (input.count - 1) / (2 * perDigit)
        func digits(_ part: ArraySlice<Int>) -> [Int] {
            let ds = stride(from: part.startIndex + perDigit - 1, to: part.endIndex, by: perDigit).map { input[$0] }
            return format == .plain ? ds.reversed() : ds
        }
        let a = digits(input[0..<(n * perDigit)]), b = digits(input[(n * perDigit + 1)...])
        // The first written hint is h0 + 1 (plain: significance n − 1) or h0 (reversed: significance 0).
        let h0 = indexHints && n > 0 ? input[0] - Self.hint(0) - (format == .plain ? 1 : 0) : 0
        return (a, b, h0)
    }

    public func answer(for input: [Int]) -> [Int] {
        let (a, b, h0) = operands(of: input)
        let sum = Array(addDigits(a.reversed(), b.reversed()).reversed())  // n + 1 digits, significance 0 first
        return written(sum, n: a.count, hintStart: h0)
    }

    public func promptPositionIDs(input: [Int], sequenceLength: Int, rng: RandomGenerator?) -> [Int]? {
        guard positions != .default else { return nil }
        let n = (input.count - 1) / (2 * perDigit), reversed = format == .reversed
        if positions == .significance {  // for `abacus`: digit k → k + 1, every other token 0, no offset (the encoding draws it)
            func number(_ count: Int) -> [Int] {
                (reversed ? Array(0..<count) : Array((0..<count).reversed())).flatMap { [Int](repeating: 1 + $0, count: perDigit) }
            }
            let ids = number(n) + [0] + number(n) + (form == .decoder ? [0] : []) + number(n + 1)
            return ids + [Int](repeating: 0, count: sequenceLength - ids.count)
        }
        // s uniform in 1 ..< maxPosition − (n + 1) + [reversed] (the reference's torch.randint bounds).
        let s = 1 + (rng?.int(below: maxPosition - (n + 1) - 1 + (reversed ? 1 : 0)) ?? 0)
        func number(_ count: Int) -> [Int] {
            let order = reversed ? Array(0..<count) : Array((0..<count).reversed())
            return order.flatMap { [Int](repeating: s + 1 + $0, count: perDigit) }
        }
        var ids = number(n) + [s] + number(n)
        if form == .decoder { ids.append(reversed ? s : s + n + 2) }
        ids += number(n + 1)
        return ids + [Int](repeating: 0, count: sequenceLength - ids.count)
    }
}
