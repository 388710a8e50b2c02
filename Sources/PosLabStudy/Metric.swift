/// A per-length result column that statistics can be computed on, with its direction and range.
public enum Metric: String, Sendable, CaseIterable {
    case tokenAccuracy = "token_accuracy"
    case sequenceAccuracy = "sequence_accuracy"
    /// The fraction of answer tokens generated right, greedily from the prompt (prompt tasks in
    /// the decoder form; `sequence_accuracy` is then the generated answer's exact match).
    case generatedTokenAccuracy = "generated_token_accuracy"
    case loss = "eval_loss"
    /// exp(eval_loss), for corpus tasks (language modelling).
    case perplexity = "perplexity"
    /// Loss in bits per UTF-8 byte of the scored targets, for corpus tasks: compares tokenizers.
    case bitsPerByte = "bits_per_byte"

    /// Parses a metric name as written on the command line (`loss` is accepted for `eval_loss`).
    public init?(argument: String) {
        self.init(rawValue: argument == "loss" ? "eval_loss" : argument)
    }

    /// Whether a larger value is better: accuracies yes, losses (and perplexity, bits per byte) no.
    public var higherIsBetter: Bool { self == .tokenAccuracy || self == .sequenceAccuracy || self == .generatedTokenAccuracy }

    /// Whether only some tasks give the metric (corpus tasks, generation), so that summaries list it
    /// only where some run has it, rather than as empty rows for every other task.
    public var onlyWhereGiven: Bool { self == .perplexity || self == .bitsPerByte || self == .generatedTokenAccuracy }

    /// `higher is better` or `lower is better`, as the `direction` column says it.
    public var direction: String { higherIsBetter ? "higher is better" : "lower is better" }

    /// The values the metric can take: [0, 1] for accuracies, [0, ∞) for cross-entropy and bits
    /// per byte, [1, ∞) for perplexity.
    public var range: ClosedRange<Double> {
        switch self {
        case .tokenAccuracy, .sequenceAccuracy, .generatedTokenAccuracy: 0...1
        case .loss, .bitsPerByte: 0...Double.infinity
        case .perplexity: 1...Double.infinity
        }
    }

    /// The worst value the metric can take, if it is finite (a diverged run counted as a failure): 0 for accuracies.
    public var worst: Double? { higherIsBetter ? 0 : nil }

    /// Whether the metric is bounded on both sides (its intervals are clipped to `range`).
    public var isBounded: Bool { range.upperBound.isFinite }
}
