import PosLabCore
import PosLabSupport

/// How a prompt task is laid out as one sequence for the model.
///
/// The literature states a task as an input string of size n and its answer; the model reads one
/// sequence. The two layouts:
///
///     encoder (DeepMind, Delétang et al. 2023):  x₁ … xₙ  ∅ … ∅              one ∅ per answer token;
///                                                          a₁ … aₘ  ← targets at the ∅ positions
///     decoder (NoPE, Kazemnejad et al. 2023):    x₁ … xₙ  SEP a₁ … aₘ END     targets are the next token
///                                                      a₁  a₂ … END       ← from SEP to aₘ
///
/// In the encoder form every answer position is predicted at once (bidirectional attention, as in
/// DeepMind's `make_model_with_empty_targets`). In the decoder form the model is trained with
/// teacher forcing on the answer tokens and END only, and evaluated by greedy generation from
/// `x ⊕ SEP` (causal attention; the trainer scores what the model generates).
public enum TaskForm: String, Sendable, CaseIterable {
    case encoder, decoder

    /// The attention the form needs: the decoder form predicts the next token, so it needs causal
    /// attention (bidirectional, the model would see the token it predicts); the encoder form takes either.
    public var requiredAttention: AttentionMode? { self == .decoder ? .causal : nil }

    /// Reads a task's `form` argument (`encoder` or `decoder`), `defaultForm` when absent.
    public static func read(_ arguments: inout SpecArguments, default defaultForm: TaskForm) throws -> TaskForm {
        guard let text = arguments.string("form") else { return defaultForm }
        guard let form = TaskForm(rawValue: text) else {
            throw arguments.error("form", "must be encoder or decoder (got '\(text)')")
        }
        return form
    }
}

/// A task stated as the papers state it: an input of size n drawn from a generator, and its answer,
/// a deterministic function of the input. `PromptTask` lays both out as one sequence (`TaskForm`),
/// so a task file holds only the definition: what the input is, what the answer is.
///
/// Sizes: a suite's lengths (training range, evaluation lengths) are input sizes n, as in the
/// papers (tokens, digits, terms: the paper's length axis); an input of size n has
/// `inputLength(size: n)` tokens (n unless the prompt has structure around its n items, e.g. two
/// operands of n digits and a plus sign), and the model sees `sequenceLength(size:)` tokens.
///
/// Ids: input symbols are 0 ..< inputSize and answer symbols 0 ..< outputSize, each in its own
/// space as DeepMind's one-hot inputs and outputs are (binary_addition's input 2 is `+`, its
/// output 2 the termination token). The encoder form keeps them apart by role: inputs go through
/// the embedding, answers are only predicted. The decoder form feeds answers back as inputs, so it
/// gives answer symbol a the id inputSize + a, unless the task says its answer symbols are its
/// input symbols (`answerSharesInputSymbols`: reverse, copy, sort), when a keeps its id.
///
/// Padding: an answer is the task's whole output, padding included (DeepMind's binary_addition
/// answers n + 1 tokens, zeros after its termination token): every answer token is trained on, as
/// DeepMind trains on every output position, and `answerScoreMask` says which are scored.
public protocol PromptTask: SequenceTask {
    /// The layout (each task reads it from its `form` argument, see `TaskForm.read`).
    var form: TaskForm { get }
    /// Input ids are 0 ..< inputSize.
    var inputSize: Int { get }
    /// The number of input tokens of an input of size n (default n); strictly increasing in n, so
    /// that a laid-out sequence's length tells its size.
    func inputLength(size n: Int) -> Int
    /// Answer ids are 0 ..< outputSize.
    var outputSize: Int { get }
    /// The number of answer tokens for an input of size n (DeepMind's `output_length`); an answer
    /// may be shorter (it then ends early in the decoder form), never longer.
    func answerLength(size n: Int) -> Int
    /// One input of size n.
    func sampleInput(size n: Int, rng: RandomGenerator) -> [Int]
    /// The answer to `input` (at most `answerLength(size: input.count)` tokens).
    func answer(for input: [Int]) -> [Int]
    /// Whether answer symbol a is input symbol a (reverse, copy, sort: the answer rearranges the
    /// input); false (the default) when the answer has a vocabulary of its own (a class, a count).
    var answerSharesInputSymbols: Bool { get }
    /// Which answer positions are scored (DeepMind's `accuracy_mask`): 1 or 0 per answer token.
    /// Every answer token is trained on; accuracy counts only these. Default: all of them.
    func answerScoreMask(_ answer: [Int]) -> [Float]
    /// Position ids for a laid-out sequence (coupled positions), nil for the encoding's own. They
    /// may depend on the input, on lengths and on draws from `rng` (a random starting offset), never
    /// on the answer's tokens: generation uses them before the answer exists. `rng` is the batch's
    /// sampling generator (drawn from after the input, see `batch`); nil asks for the deterministic
    /// choice (offset 0), which `positionIDs(_:)` uses.
    func promptPositionIDs(input: [Int], sequenceLength: Int, rng: RandomGenerator?) -> [Int]?
}

extension PromptTask {
    public func answerScoreMask(_ answer: [Int]) -> [Float] { [Float](repeating: 1, count: answer.count) }
    public var answerSharesInputSymbols: Bool { false }
    public func promptPositionIDs(input: [Int], sequenceLength: Int, rng: RandomGenerator?) -> [Int]? { nil }
    public func inputLength(size n: Int) -> Int { n }

    /// The size n whose inputs have `count` tokens.
    public func size(ofInputLength count: Int) -> Int {
        var n = 0
        while inputLength(size: n) < count { n += 1 }
        precondition(inputLength(size: n) == count, "\(name): no size has inputs of \(count) tokens")
        return n
    }

    /// The encoder form's placeholder ∅, after the input symbols.
    public var placeholder: Int { inputSize }
    /// The decoder form's id of answer symbol a: a itself when the answer shares the input's
    /// symbols, else inputSize + a.
    public func answerToken(_ a: Int) -> Int { answerSharesInputSymbols ? a : inputSize + a }
    /// The decoder form's separator and end tokens, after every input and answer id.
    public var separator: Int { answerSharesInputSymbols ? max(inputSize, outputSize) : inputSize + outputSize }
    public var end: Int { separator + 1 }

    public var vocabSize: Int {
        switch form {
        case .encoder: max(inputSize + 1, outputSize)
        case .decoder: separator + 2
        }
    }

    public var requiredAttention: AttentionMode? { form.requiredAttention }

    /// Tokens in the laid-out sequence of an input of size n, with ℓ = inputLength(n) input tokens
    /// and m = answerLength(n): ℓ + m (encoder), ℓ + 1 + m + 1 (decoder).
    public func sequenceLength(size n: Int) -> Int {
        inputLength(size: n) + answerLength(size: n) + (form == .decoder ? 2 : 0)
    }

    /// Where the answer's first target sits in the sequence: ℓ = inputLength(n) (encoder: the first
    /// ∅; decoder: SEP, whose next token is a₁).
    public func answerStart(size n: Int) -> Int { inputLength(size: n) }

    /// The input of size n laid out as one sequence (the decoder form with the answer and END,
    /// then END again up to the sequence length if the answer is short).
    public func sample(length n: Int, rng: RandomGenerator) -> [Int] {
        layout(sampleInput(size: n, rng: rng))
    }

    /// `input` laid out in this task's form.
    public func layout(_ input: [Int]) -> [Int] {
        let m = answerLength(size: size(ofInputLength: input.count))
        switch form {
        case .encoder:
            return input + [Int](repeating: placeholder, count: m)
        case .decoder:
            let a = answer(for: input)
            precondition(a.count <= m, "\(name): answer of \(a.count) tokens, more than answerLength \(m)")
            return input + [separator] + a.map(answerToken) + [Int](repeating: end, count: m + 1 - a.count)
        }
    }

    /// The input (of some size n) that `sequence` (laid out) starts with.
    public func input(of sequence: [Int]) -> [Int] {
        let m = sequence.count - (form == .decoder ? 2 : 0)  // inputLength(n) + answerLength(n), increasing in n
        var n = 0
        while inputLength(size: n) + answerLength(size: n) < m { n += 1 }
        return Array(sequence.prefix(inputLength(size: n)))
    }

    /// Targets, the training mask and the scoring mask of a laid-out sequence: the answer at the
    /// placeholders (encoder), or the next token from SEP through the last answer token (decoder);
    /// the scoring mask is the task's `answerScoreMask` there, and END in the decoder form.
    public func label(_ sequence: [Int]) -> Labels {
        let x = input(of: sequence), n = x.count, a = answer(for: x), score = answerScoreMask(a)
        var targets = [Int](repeating: 0, count: sequence.count), mask = [Float](repeating: 0, count: sequence.count)
        var scoreMask = mask
        for (i, symbol) in a.enumerated() {
            targets[n + i] = form == .decoder ? answerToken(symbol) : symbol
            mask[n + i] = 1
            scoreMask[n + i] = score[i]
        }
        if form == .decoder {  // END after the answer: the model must say where the answer stops
            targets[n + a.count] = end
            mask[n + a.count] = 1
            scoreMask[n + a.count] = 1
        }
        return Labels(targets: targets, mask: mask, scoreMask: scoreMask == mask ? nil : scoreMask)
    }

    /// Position ids with the deterministic choice (offset 0) where the task draws one.
    public func positionIDs(_ sequence: [Int]) -> [Int]? {
        promptPositionIDs(input: input(of: sequence), sequenceLength: sequence.count, rng: nil)
    }

    /// A batch of `size` inputs of size n, laid out: `length` in a batch is the sequence length.
    /// Per row, the input is drawn from `rng`, then the position ids (which may draw an offset).
    public func batch(size: Int, length n: Int, rng: RandomGenerator) -> Batch {
        var batch = Batch(size: size, length: sequenceLength(size: n), inputs: [], targets: [], mask: [])
        var scoreMask: [Float] = [], positions: [Int]? = nil, anyScoreMask = false
        for _ in 0..<size {
            let input = sampleInput(size: n, rng: rng)
            let x = layout(input)
            precondition(x.count == batch.length, "\(name): layout of \(x.count) tokens, expected \(batch.length)")
            let y = label(x)
            batch.inputs += x
            batch.targets += y.targets
            batch.mask += y.mask
            scoreMask += y.scoreMask ?? y.mask
            anyScoreMask = anyScoreMask || y.scoreMask != nil
            if let p = promptPositionIDs(input: input, sequenceLength: x.count, rng: rng) {
                precondition(p.count == x.count, "\(name): \(p.count) position ids for \(x.count) tokens")
                positions = (positions ?? []); positions!.append(contentsOf: p)
            }
        }
        batch.scoreMask = anyScoreMask ? scoreMask : nil
        batch.positions = positions
        return batch
    }
}

// MARK: - Scoring generated answers (the decoder form)

/// How well the answers a model generated match a batch's: token accuracy over the scored answer
/// tokens (END included), exact match per sequence, and the number of scored tokens.
public struct GenerationScore: Equatable, Sendable {
    public var tokenAccuracy: Double, exactMatch: Double, scored: Int

    public init(tokenAccuracy: Double, exactMatch: Double, scored: Int) {
        self.tokenAccuracy = tokenAccuracy
        self.exactMatch = exactMatch
        self.scored = scored
    }
}

extension PromptTask {
    /// The prompt of a decoder-form sequence of an input of size n: x ⊕ SEP, ℓ + 1 tokens with
    /// ℓ = inputLength(n); the model generates the remaining `sequenceLength(size: n) − (ℓ + 1)`
    /// tokens (answer and END).
    public func promptLength(size n: Int) -> Int { inputLength(size: n) + 1 }

    /// Scores `generated` (B·steps ids, row-major, steps = sequence length − prompt length) against
    /// the decoder-form `batch` of inputs of size n: generated token i of sequence s is compared with
    /// the target at position ℓ + i (ℓ = inputLength(n), SEP's position) wherever the scoring mask is 1. Exact match: every scored token
    /// of the sequence right — one wrong token, even the first, and the answer is wrong, however
    /// well the model continues after it.
    public func scoreGenerated(_ generated: [Int], batch: Batch, size n: Int) -> GenerationScore {
        let length = batch.length, steps = length - promptLength(size: n), start = inputLength(size: n)
        precondition(form == .decoder && generated.count == batch.size * steps,
                     "\(generated.count) generated ids for \(batch.size) sequences × \(steps) steps")
        let scoring = batch.scoreMask ?? batch.mask
        var right = 0, scored = 0, exact = 0
        for s in 0..<batch.size {
            var allRight = true
            for i in 0..<steps where scoring[s * length + start + i] != 0 {
                scored += 1
                if generated[s * steps + i] == batch.targets[s * length + start + i] { right += 1 } else { allRight = false }
            }
            if allRight { exact += 1 }
        }
        return GenerationScore(tokenAccuracy: scored > 0 ? Double(right) / Double(scored) : 0,
                               exactMatch: batch.size > 0 ? Double(exact) / Double(batch.size) : 0, scored: scored)
    }
}
