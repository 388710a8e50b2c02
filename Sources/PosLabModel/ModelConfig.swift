/// The shape of a PosLab transformer: an encoder for per-position prediction.
public struct ModelConfig: Sendable, Codable, Hashable {
    /// The number of token ids (inputs and outputs share the vocabulary).
    public var vocabSize: Int
    /// The width of the residual stream.
    public var dModel: Int
    /// The number of transformer blocks.
    public var layers: Int
    /// The number of attention heads (dModel must be divisible by it).
    public var heads: Int
    /// The longest sequence trained on; sizes a learned positional table by default.
    public var maxLength: Int
    /// Bidirectional or causal attention.
    public var attention: AttentionMode

    public init(vocabSize: Int, dModel: Int = 64, layers: Int = 2, heads: Int = 4, maxLength: Int = 32,
                attention: AttentionMode = .bidirectional) {
        self.vocabSize = vocabSize
        self.dModel = dModel
        self.layers = layers
        self.heads = heads
        self.maxLength = maxLength
        self.attention = attention
    }

    /// The width of one head.
    public var headDim: Int { dModel / heads }

    /// Throws the first rule this config breaks (field names as in suite files).
    public func validate() throws {
        func require(_ ok: Bool, _ field: String, _ rule: @autoclosure () -> String) throws {
            if !ok { throw ConfigurationError(field: "model.\(field)", rule: rule()) }
        }
        try require(vocabSize >= 2, "vocab_size", "must be at least 2 (got \(vocabSize))")
        try require(dModel >= 1, "d_model", "must be positive (got \(dModel))")
        try require(layers >= 1, "layers", "must be at least 1 (got \(layers))")
        try require(heads >= 1, "heads", "must be at least 1 (got \(heads))")
        try require(dModel % heads == 0, "d_model",
                    "must be divisible by heads (\(dModel) is not a multiple of \(heads); try \(max(heads, dModel / heads * heads)))")
        try require(maxLength >= 1, "max_length", "must be at least 1 (got \(maxLength))")
    }
}
