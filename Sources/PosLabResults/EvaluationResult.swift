import PosLabStudy

/// How a run ended, or why an evaluation length has no numbers.
public enum RunStatus: String, Sendable, Codable {
    /// Trained and evaluated.
    case ok
    /// The encoding cannot represent this length (e.g. past a learned table): no numbers, by design.
    case unsupported
    /// The training loss became NaN or infinite; the run stopped there. At one evaluation length:
    /// the evaluation loss was NaN or infinite there (the model's outputs overflow), no numbers.
    case diverged
    /// An unexpected error stopped the run (its message is recorded); a resume tries it again.
    case failed
}

/// One evaluation length of a finished run.
public struct EvaluationResult: Sendable, Equatable, Codable {
    public var length: Int
    public var status: RunStatus
    /// Fraction of scored positions right; nil unless status is ok.
    public var tokenAccuracy: Double?
    /// Fraction of sequences with every scored position right; nil unless status is ok.
    public var sequenceAccuracy: Double?
    /// Mean cross-entropy over scored positions; nil unless status is ok.
    public var loss: Double?
    /// How a corpus task's held-out data was cut and scored at this length, e.g. `nonoverlapping`
    /// or `sliding(stride=16)` (`CorpusTask`); nil for sequences sampled from a task's generator.
    public var evaluationProtocol: String?
    /// exp(loss), for a corpus task.
    public var perplexity: Double?
    /// The summed loss in bits over the UTF-8 bytes of the scored targets, for a corpus task: it
    /// compares models whose tokenizers differ.
    public var bitsPerByte: Double?

    /// The tokens of each evaluated sequence, when not the length itself (a prompt task's length
    /// is its input size n; its sequences hold the answer too). Nil: the length.
    public var sequenceLength: Int?
    /// For a task scored by generation (a prompt task in the decoder form): the fraction of scored
    /// answer tokens the model generated right, greedily from the prompt. `sequenceAccuracy` is
    /// then the exact match of the generated answer, and `tokenAccuracy` the teacher-forced one.
    public var generatedTokenAccuracy: Double?

    package init(length: Int, status: RunStatus, tokenAccuracy: Double? = nil, sequenceAccuracy: Double? = nil, loss: Double? = nil,
                 evaluationProtocol: String? = nil, perplexity: Double? = nil, bitsPerByte: Double? = nil, sequenceLength: Int? = nil,
                 generatedTokenAccuracy: Double? = nil) {
        self.length = length
        self.status = status
        self.tokenAccuracy = tokenAccuracy
        self.sequenceAccuracy = sequenceAccuracy
        self.loss = loss
        self.evaluationProtocol = evaluationProtocol
        self.perplexity = perplexity
        self.bitsPerByte = bitsPerByte
        self.sequenceLength = sequenceLength
        self.generatedTokenAccuracy = generatedTokenAccuracy
    }

    /// The name of the protocol in results: `sampled` for sequences drawn from a task's generator.
    public var protocolName: String { evaluationProtocol ?? "sampled" }

    /// The value of `metric` (nil where this result has none), as `RunRow.value` reads a row.
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .tokenAccuracy: tokenAccuracy
        case .sequenceAccuracy: sequenceAccuracy
        case .generatedTokenAccuracy: generatedTokenAccuracy
        case .loss: loss
        case .perplexity: perplexity
        case .bitsPerByte: bitsPerByte
        }
    }
}
