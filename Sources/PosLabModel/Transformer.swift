/// A sequence is longer than the positional encoding can represent (e.g. a learned table's size).
public struct LengthUnsupported: Error, CustomStringConvertible {
    /// The encoding.
    public var encoding: String
    /// The length asked for, and the longest the encoding can represent.
    public var length: Int, maximum: Int
    public var description: String { "\(encoding) cannot represent length \(length) (at most \(maximum))" }
}

/// The encoding is not defined for the model's attention mode (e.g. CoPE, causal only).
public struct AttentionUnsupported: Error, CustomStringConvertible {
    /// The encoding, and the mode asked for.
    public var encoding: String, attention: AttentionMode
    public var description: String { "\(encoding) does not support \(attention.rawValue) attention" }
}

/// The PosLab model: a pre-LayerNorm transformer, bidirectional or causal, predicting one token per position.
///
///     x = TokenEmbedding[ids]                          (B, T, C)
///     x = encoding.embed(x, context)                   (a) absolute encodings add here
///     for each block l: x = encoding.embedLayer(x)     (a) per-layer absolute encodings
///          x = x + Attn(LN(x)); x = x + MLP(LN(x))
///          inside Attn: encoding.transformQueriesKeys  (b) rotary acts here
///                       encoding.attentionBias         (c) relative biases act here
///                       encoding.attentionScores       (d) query-dependent terms act here
///     logits = LN(x)·W_head + b_head                   (B, T, V)
///
/// Every hook's output shape is checked here; a wrong one throws `HookError`.
///
/// Shared weights (everything but the encoding's) are drawn from the run's seed in a fixed order,
/// so two models with the same seed and different encodings start from identical shared weights.
public final class Transformer {
    /// The model's shape.
    public let config: ModelConfig
    /// The positional encoding.
    public let encoding: any PositionalEncoding
    /// The seed the weights were initialised from (a checkpoint records it).
    public let seed: UInt64
    /// Token embeddings (vocab, C), N(0, 1).
    public let tokenEmbedding: Tensor
    /// The blocks.
    public let blocks: [TransformerBlock]
    /// The final layer norm and the output head (C, vocab).
    public let lnFinalGain: Tensor, lnFinalBias: Tensor, headWeight: Tensor, headBias: Tensor
    /// How a forward pass without gradients (evaluation) computes attention from
    /// `blockedAttentionFrom` tokens on, when the encoding answers for blocks (`attentionInBlocks`):
    /// in these blocks, in memory linear in T (`blockedAttention`). nil: always the full matrix, the
    /// reference path, which training uses too.
    public var attentionBlocks: AttentionBlocks? = AttentionBlocks()
    /// The shortest sequence evaluated with blocked attention.
    public var blockedAttentionFrom = Transformer.defaultBlockedAttentionFrom
    /// The default of `blockedAttentionFrom` (`MemoryEstimate` assumes it).
    public static let defaultBlockedAttentionFrom = 256

    /// A model for `config` with the encoding `spec` names, initialised from `seed`.
    public convenience init(config: ModelConfig, encoding spec: Spec, seed: UInt64,
                            registry: EncodingRegistry = .shared) throws {
        try config.validate()
        try self.init(config: config, encoding: registry.make(spec, context: EncodingContext(config: config, seed: seed)),
                      seed: seed)
    }

    /// A model for `config` with an encoding already built, initialised from `seed`.
    public init(config: ModelConfig, encoding: any PositionalEncoding, seed: UInt64) throws {
        try config.validate()
        guard encoding.attentionModes.contains(config.attention) else {
            throw AttentionUnsupported(encoding: encoding.fullName, attention: config.attention)
        }
        if let limit = encoding.maximumLength, limit < config.maxLength {
            throw ConfigurationError(field: "model.max_length",
                                     rule: "\(encoding.name) represents at most \(limit) positions, fewer than max_length \(config.maxLength)")
        }
        self.config = config
        self.encoding = encoding
        self.seed = seed
        let rng = RandomGenerator(seed: seed, stream: "model")
        let c = config.dModel
        tokenEmbedding = .gaussian([config.vocabSize, c], std: 1, rng: rng, label: "token_embedding")
        blocks = (0..<config.layers).map { TransformerBlock(index: $0, config: config, rng: rng) }
        lnFinalGain = .filled([c], value: 1, label: "ln_final.gain")
        lnFinalBias = .filled([c], value: 0, label: "ln_final.bias")
        headWeight = .gaussian([c, config.vocabSize], std: 1 / Float(c).squareRoot(), rng: rng, label: "head.weight")
        headBias = .filled([config.vocabSize], value: 0, label: "head.bias")
    }

    /// Every trainable tensor: the shared ones in a fixed order, then the encoding's.
    public var parameters: [Tensor] {
        [tokenEmbedding] + blocks.flatMap(\.parameters) + [lnFinalGain, lnFinalBias, headWeight, headBias]
            + encoding.parameters
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Logits (B, T, vocab) for `ids` (B·T token ids, row-major), at `positions` (default: the
    /// encoding's choice for a training or an evaluation batch, normally 0..<T).
    public func logits(ids: [Int], batch: Int, length: Int, positions: [Int]? = nil, training: Bool = false) throws -> Tensor {
        try logits(ids: ids, batch: batch, length: length,
                   positions: resolvedPositions(positions, length: length, training: training), training: training)
    }

    /// Logits (B, T, vocab) for `ids` at `positions`, shared (T) or one row per sequence (B, T).
    public func logits(ids: [Int], batch: Int, length: Int, positions: Positions, training: Bool = false) throws -> Tensor {
        precondition(ids.count == batch * length, "\(ids.count) ids for batch \(batch) × length \(length)")
        var context = try hookContext(batch: batch, length: length, positions: positions, training: training)
        let inBlocks = !Tensor.isRecording && encoding.attentionInBlocks && length >= blockedAttentionFrom
        var x = embedding(tokenEmbedding, ids: ids, shape: [batch, length])            // (B, T, C)
        x = try checked(encoding.embed(x, context: context), hook: "embed", like: x)   // (B, T, C)
        for (layer, block) in blocks.enumerated() {
            context.layer = layer
            x = try checked(encoding.embedLayer(x, context: context), hook: "embedLayer", like: x)
            x = try block(x, context: context, encoding: encoding, blocks: inBlocks ? attentionBlocks : nil)
        }
        x = layerNorm(x, gamma: lnFinalGain, beta: lnFinalBias)
        return linear(x, headWeight, headBias)                                          // (B, T, V)
    }

    /// The encoding's positions for a batch of `length` tokens, or `given`; throws past its maximum length.
    func resolvedPositions(_ given: [Int]?, length: Int, training: Bool) throws -> Positions {
        if let limit = encoding.maximumLength, given == nil, length > limit {
            throw LengthUnsupported(encoding: encoding.fullName, length: length, maximum: limit)
        }
        let positions = given ?? encoding.positions(length: length, training: training)
        precondition(positions.count == length, "\(positions.count) positions for length \(length)")
        return Positions(shared: positions)
    }

    /// The context of block 0's hooks for a batch; throws past the encoding's maximum length.
    func hookContext(batch: Int, length: Int, positions: Positions, training: Bool) throws -> HookContext {
        precondition(positions.length == length && (positions.rows == 1 || positions.rows == batch),
                     "positions \(positions.rows)×\(positions.length) for batch \(batch) × length \(length)")
        if let limit = encoding.maximumLength, let last = positions.max, last >= limit {
            throw LengthUnsupported(encoding: encoding.fullName, length: last + 1, maximum: limit)
        }
        return HookContext(layer: 0, attention: config.attention, positions: positions, batch: batch, heads: config.heads,
                           headDim: config.headDim, training: training)
    }

    /// `y`, if it has `x`'s shape; else a `HookError` naming `hook`.
    func checked(_ y: Tensor, hook: String, like x: Tensor) throws -> Tensor {
        guard y.shape == x.shape else { throw HookError(encoding: encoding.fullName, hook: hook, got: y.shape, expected: "\(x.shape)") }
        return y
    }

    /// Masked mean cross-entropy of `targets` (B·T) given `ids`; `mask` (B·T) weights positions.
    public func loss(ids: [Int], targets: [Int], mask: [Float]?, batch: Int, length: Int,
                     positions: [Int]? = nil, training: Bool = false) throws -> Tensor {
        crossEntropy(try logits(ids: ids, batch: batch, length: length, positions: positions, training: training),
                     targets: targets, mask: mask)
    }

    /// Masked mean cross-entropy at `positions`, shared (T) or one row per sequence (B, T).
    public func loss(ids: [Int], targets: [Int], mask: [Float]?, batch: Int, length: Int,
                     positions: Positions, training: Bool = false) throws -> Tensor {
        crossEntropy(try logits(ids: ids, batch: batch, length: length, positions: positions, training: training),
                     targets: targets, mask: mask)
    }
}
