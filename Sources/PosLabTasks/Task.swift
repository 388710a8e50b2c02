import PosLabCore
import PosLabSupport

/// What kind of position information a task needs to be solved.
public enum PositionInformation: String, Sendable, CaseIterable {
    /// Where a token is counted from the start (or end): reverse, lookup, odds-first.
    case absolute
    /// How far apart two tokens are: shift, adjacent-repeat, duplicate.
    case relative
    /// Order does not matter at all: the controls.
    case none
}

/// One sequence's supervision: a target id and a loss weight (0 or 1) per position.
public struct Labels: Equatable, Sendable {
    /// The target id at each position (any value where the mask is 0).
    public var targets: [Int]
    /// 1 where the position is trained (and scored, unless `scoreMask` says otherwise), 0 where it is not.
    public var mask: [Float]
    /// 1 where the position is scored, when that differs from `mask` (DeepMind's accuracy mask:
    /// binary addition trains on its padding but scores only up to the termination token).
    public var scoreMask: [Float]?

    public init(targets: [Int], mask: [Float], scoreMask: [Float]? = nil) {
        self.targets = targets
        self.mask = mask
        self.scoreMask = scoreMask
    }
}

/// A batch of sequences of one length, row-major: element (b, t) is at index b·length + t.
public struct Batch: Sendable {
    /// The number of sequences.
    public var size: Int
    /// The length of every sequence.
    public var length: Int
    /// Input ids (size·length).
    public var inputs: [Int]
    /// Target ids (size·length).
    public var targets: [Int]
    /// Loss weights (size·length); accuracy weights too unless `scoreMask` is given.
    public var mask: [Float]
    /// Accuracy weights (size·length) when they differ from the loss weights (see `Labels.scoreMask`).
    public var scoreMask: [Float]? = nil
    /// Position ids (size·length) when the task supplies its own (see `SequenceTask.positionIDs`).
    public var positions: [Int]? = nil
}

/// A sequence task for a per-position transformer: inputs, and a target wherever the mask is 1.
///
/// A task draws a sequence's inputs from a seeded generator (`sample`) and labels them with a
/// deterministic rule (`label`); everything else — batches, accuracy, the order-sensitivity
/// check — follows from those two and has a default below.
public protocol SequenceTask: Sendable {
    /// The name in suite files, e.g. `reverse`.
    var name: String { get }
    /// The arguments as written in results, e.g. `k=2;symbols=8` (empty if none).
    var arguments: String { get }
    /// One line for `poslab list`.
    var summary: String { get }
    /// Input and target ids are in 0 ..< vocabSize.
    var vocabSize: Int { get }
    /// The kind of position information the task needs.
    var positionInformation: PositionInformation { get }
    /// The shortest length the task is defined for.
    var minimumLength: Int { get }
    /// The longest length the task is defined for (nil: any).
    var maximumLength: Int? { get }
    /// Why the task does not define size n, or nil when it does (beyond `minimumLength` and
    /// `maximumLength`: e.g. a task whose inputs need an odd length). A suite asking for such a
    /// size is refused with this reason.
    func undefinedSizeReason(_ n: Int) -> String?
    /// The attention the task needs (nil: either); next-token prediction needs causal attention,
    /// or the model would see the token it predicts.
    var requiredAttention: AttentionMode? { get }
    /// The number of tokens in a sequence of task size n: n itself, unless the task lays an input
    /// of size n out with more (a prompt task's answer, see `PromptTask`).
    func sequenceLength(size n: Int) -> Int
    /// The inputs of one sequence of size `length` (`sequenceLength(size: length)` tokens).
    func sample(length: Int, rng: RandomGenerator) -> [Int]
    /// The targets and mask of one input sequence.
    func label(_ inputs: [Int]) -> Labels
    /// The position id of each token of one input sequence, when the task supplies its own (index
    /// hints, coupled positions); nil, the default, leaves positions to the encoding.
    func positionIDs(_ inputs: [Int]) -> [Int]?
    /// `size` sequences of size `length`, labelled; the batch's own `length` is the sequence length.
    func batch(size: Int, length: Int, rng: RandomGenerator) -> Batch
}

// MARK: - Defaults

extension SequenceTask {
    public var arguments: String { "" }
    public var minimumLength: Int { 1 }
    public var maximumLength: Int? { nil }
    public var requiredAttention: AttentionMode? { nil }
    public func positionIDs(_ inputs: [Int]) -> [Int]? { nil }
    public func sequenceLength(size n: Int) -> Int { n }
    public func undefinedSizeReason(_ n: Int) -> String? { nil }

    /// The name with its arguments, e.g. `shift(k=2;symbols=8)`.
    public var fullName: String { arguments.isEmpty ? name : "\(name)(\(arguments))" }

    /// `size` sequences of `length` tokens drawn from `rng`, labelled.
    public func batch(size: Int, length: Int, rng: RandomGenerator) -> Batch {
        var inputs = [Int](), targets = [Int](), mask = [Float](), positions: [Int]? = nil
        inputs.reserveCapacity(size * length)
        targets.reserveCapacity(size * length)
        mask.reserveCapacity(size * length)
        for _ in 0..<size {
            let x = sample(length: length, rng: rng)
            let y = label(x)
            inputs += x
            targets += y.targets
            mask += y.mask
            if let p = positionIDs(x) { positions = positions ?? []; positions!.append(contentsOf: p) }
        }
        precondition(positions == nil || positions!.count == size * length, "\(name): positionIDs must give one id per token")
        return Batch(size: size, length: length, inputs: inputs, targets: targets, mask: mask, positions: positions)
    }

    /// Token accuracy (the fraction of scored positions predicted right) and sequence accuracy
    /// (the fraction of sequences with every scored position right) of `predictions` on `batch`.
    public func accuracy(predictions: [Int], batch: Batch) -> (token: Double, sequence: Double) {
        var correct = 0, scored = 0, perfect = 0
        let scoring = batch.scoreMask ?? batch.mask
        for s in 0..<batch.size {
            var allRight = true
            for t in 0..<batch.length {
                let i = s * batch.length + t
                guard scoring[i] != 0 else { continue }
                scored += 1
                if predictions[i] == batch.targets[i] { correct += 1 } else { allRight = false }
            }
            if allRight { perfect += 1 }
        }
        return (scored > 0 ? Double(correct) / Double(scored) : 0, batch.size > 0 ? Double(perfect) / Double(batch.size) : 0)
    }

    /// The fraction of `trials` sampled sequences whose labels are NOT simply permuted along with
    /// their inputs: 0 for an order-insensitive task (a permutation-equivariant model could solve
    /// it), clearly above 0 for an order-sensitive one.
    public func orderSensitivity(length: Int, trials: Int = 200, rng: RandomGenerator) -> Double {
        var changed = 0
        for _ in 0..<trials {
            let x = sample(length: length, rng: rng)
            let perm = rng.permutation(length)
            let shuffled = perm.map { x[$0] }
            let original = label(x), relabelled = label(shuffled)
            let permuted = Labels(targets: perm.map { original.targets[$0] }, mask: perm.map { original.mask[$0] })
            // Compare only what is scored: targets under a zero mask are arbitrary.
            let same = permuted.mask == relabelled.mask
                && zip(zip(permuted.targets, relabelled.targets), relabelled.mask).allSatisfy { $0.1 == 0 || $0.0.0 == $0.0.1 }
            if !same { changed += 1 }
        }
        return Double(changed) / Double(trials)
    }
}
