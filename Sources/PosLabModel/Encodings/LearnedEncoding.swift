/// `learned`: an absolute position table, Embedding(size, d_model), added to the token embeddings
/// (GPT; `token_embeddings + pos_embedding_layer(arange(max_length))` in the seed chapter).
///
/// Rows are N(0, 1) like PyTorch's `nn.Embedding`. It has no row for a position ≥ `size`, so it
/// cannot be evaluated on longer sequences (the runner records `unsupported`).
public final class LearnedEncoding: RegisteredEncoding {
    public static let registryName = "learned"
    public static let summary = "learned absolute table added to the token embeddings (GPT); size=max_length"
    public var arguments: String { "size=\(size)" }
    /// The number of positions in the table.
    public let size: Int
    /// The table (size, d_model).
    public let table: Tensor
    public var parameters: [Tensor] { [table] }
    public var maximumLength: Int? { size }

    public init(size: Int, dModel: Int, rng: RandomGenerator) {
        self.size = size
        table = .gaussian([size, dModel], std: 1, rng: rng, label: "learned.table")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> LearnedEncoding {
        let size = try arguments.int("size", default: context.maxLength, in: 1...1_000_000)
        guard size * context.dModel <= 1 << 28 else {  // 1 GiB of float32, before gradients and Adam's moments
            throw arguments.error("size", "a table of \(size) × d_model \(context.dModel) floats is more than 2^28 (1 GiB); make it smaller")
        }
        guard size >= context.maxLength else {
            throw arguments.error("size", "the table (\(size) rows) is smaller than model.max_length (\(context.maxLength)); make size ≥ max_length")
        }
        return LearnedEncoding(size: size, dModel: context.dModel, rng: context.rng(for: registryName))
    }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {
        let p = context.positions
        return x + embedding(table, ids: p.ids, shape: p.isShared ? [p.length] : [p.rows, p.length])  // + (T, C) or (B, T, C)
    }
}
