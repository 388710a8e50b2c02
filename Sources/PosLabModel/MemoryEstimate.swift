/// The peak memory of one run, estimated before anything is allocated.
///
/// Counts float32 tensors the way the engine holds them (N = B·T tokens, C = d_model, H heads,
/// L layers, V vocabulary; 4 bytes each):
///
///     weights, gradients and Adam's two moments      4 · P
///     peak                                            process + 4·P + max(train, eval) + min(train, eval) / 2
///     training step (the tape, kept for backward)     L · (trainPerToken · N·C + (trainPerScore + hook) · B·H·T²)
///                                                     + trainHead · N·V  (logits, softmax, their gradient)
///     evaluation (no tape; chunks of ≤ 16,384 tokens) evalPerToken · N·C + evalPerScore · B·H·T² + evalHead · N·V
///       in blocks (T ≥ 256, the encoding answers    evalPerToken · N·C + evalPerBlockScore · H·Bq·T + evalHead · N·V
///       for blocks: `blockedAttention`)             (Bq = 64 queries per block: linear in T)
///
/// plus the process itself; `hook` is what the encoding's score hook holds per score (`scoreHookFloats`:
/// shaw's and cope's (B, H, T, T) terms), in evaluation per score and, in blocks, per sequence of the chunk. The coefficients come from the model's code (Transformer, TransformerBlock)
/// and were checked against the measured peak resident set (`poslab-bench --memory`; see the tests).
public struct MemoryEstimate: Sendable, Equatable, CustomStringConvertible {
    /// Weights, gradients and optimizer state, in bytes.
    public var parameters: Int
    /// What a training step keeps alive at its peak, in bytes.
    public var training: Int
    /// What evaluation at the longest length keeps alive at its peak, in bytes.
    public var evaluation: Int
    /// The process before any model: code, libraries, allocator.
    public var process: Int

    /// The estimated peak resident set of a run. Freed training memory stays in the heap and is only
    /// partly reused by evaluation's differently sized tensors, hence half of the smaller phase on top.
    public var peak: Int { process + parameters + max(training, evaluation) + min(training, evaluation) / 2 }

    public var description: String {
        "\(Self.format(peak)) (parameters and optimizer \(Self.format(parameters)), training step \(Self.format(training)), "
            + "evaluation \(Self.format(evaluation)))"
    }

    /// Bytes as "12.3 MB" / "4.5 GB".
    public static func format(_ bytes: Int) -> String {
        let mb = Double(bytes) / 1_048_576
        return mb >= 1024 ? "\((mb / 1024 * 10).rounded() / 10) GB" : "\((mb * 10).rounded() / 10) MB"
    }
}

// MARK: - The estimate

extension MemoryEstimate {
    /// Floats per token and width the training tape holds in one block.
    static let trainPerToken = 24.0
    /// Floats per attention score (B·H·T²) the training tape holds in one block: the probabilities.
    static let trainPerScore = 1.0
    /// Floats per token and vocabulary entry at the head in training: logits, probabilities, gradient.
    static let trainHead = 3.0
    /// The same, for evaluation (no tape: about one block's working set, the logits once).
    static let evalPerToken = 14.0, evalPerScore = 1.0, evalHead = 1.0
    /// Floats per query of a block and key that blocked evaluation attention holds at once, per
    /// head: the block's bias term (H, Bq, T) for positions shared by the chunk, and the hook's
    /// intermediates (the (Bq, Bk) scores and (Bq, D) sums are negligible). Positions per sequence
    /// and score hooks (shaw, cope) hold one such term per sequence of the chunk: more than this.
    static let evalPerBlockScore = 4.0
    /// The process before any model (measured: 27 MB for poslab-bench).
    static let processBytes = 30 << 20

    /// Floats per attention score (B·H·T²) an encoding's score hook holds in one layer beyond the scores:
    /// (training: on the tape in every layer, and the gradients backward adds; evaluation: one layer's
    /// working set at once). `shaw`: its gathered q·w by distance and that scaled, (B, H, T, T) each,
    /// their gradients, and the row indices (Int: two floats' worth): 6; in evaluation 4. `cope`:
    /// sixteen (B, H, T, T) tensors (the logits and their scaling, the gates and their mask, the
    /// reversed running sum and its two reversals, the clamped positions, ⌊p⌋ as floats and the
    /// weights w, both gathered embeddings, their blend), ⌊p⌋ and ⌈p⌉ as Int indices (four floats'
    /// worth) and about seven gradients at once in backward: 27; in evaluation about twelve at once.
    /// Checked against `poslab-bench --memory` (see the tests). The other built-in hooks hold nothing
    /// of that shape (their biases are (H, T, T) at most).
    public static func scoreHookFloats(_ encoding: any PositionalEncoding) -> (training: Double, evaluation: Double) {
        switch encoding {
        case is ShawEncoding: (6, 4)
        case is CoPEEncoding: (27, 12)
        default: (0, 0)
        }
    }

    /// The tokens evaluation processes at once at `length` (as the trainer chunks it).
    public static func evaluationChunk(length: Int, size: Int) -> Int { max(1, min(size, 16_384 / max(1, length))) }

    /// The trainable scalars of the shared model (everything but the encoding).
    public static func sharedParameters(_ c: ModelConfig) -> Int {
        let d = c.dModel, v = c.vocabSize
        let block = 12 * d * d + 13 * d  // wqkv, wo, w1, w2 and their biases, two layer norms
        return v * d + c.layers * block + 2 * d + d * v + v
    }

    /// The peak of a run of `config` with `encodingParameters` scalars of its own, trained on batches of
    /// `batch` up to `trainLength` and evaluated with `evaluationSize` sequences up to `evaluationLength`;
    /// `blockedAttention`: whether the encoding answers for blocks (`attentionInBlocks`), so that
    /// evaluation from `Transformer.defaultBlockedAttentionFrom` tokens on runs attention in blocks;
    /// `scoreHook`: the encoding's `scoreHookFloats`.
    public init(config: ModelConfig, encodingParameters: Int = 0, batch: Int, trainLength: Int,
                evaluationLength: Int, evaluationSize: Int, blockedAttention: Bool = true,
                scoreHook: (training: Double, evaluation: Double) = (0, 0)) {
        func bytes(_ floats: Double) -> Int { floats * 4 >= Double(Int.max / 2) ? Int.max / 4 : Int(floats * 4) }
        let c = Double(config.dModel), h = Double(config.heads), l = Double(config.layers), v = Double(config.vocabSize)
        let p = Double(Self.sharedParameters(config) + encodingParameters)
        let (b, t) = (Double(batch), Double(trainLength))
        let n = b * t
        let train = l * (Self.trainPerToken * n * c + (Self.trainPerScore + scoreHook.training) * b * h * t * t)
            + Self.trainHead * n * v
        let chunk = Double(Self.evaluationChunk(length: evaluationLength, size: evaluationSize))
        let te = Double(evaluationLength), ne = chunk * te
        let scores = blockedAttention && evaluationLength >= Transformer.defaultBlockedAttentionFrom
            ? (Self.evalPerBlockScore + scoreHook.evaluation * chunk) * h * Double(AttentionBlocks().queries) * te  // one block of queries
            : (Self.evalPerScore + scoreHook.evaluation) * chunk * h * te * te                // (B, H, T, T)
        let eval = Self.evalPerToken * ne * c + scores + Self.evalHead * ne * v
        self.init(parameters: bytes(4 * p), training: bytes(train), evaluation: bytes(eval), process: Self.processBytes)
    }
}
