/// `learned`: an absolute position table, Embedding(size, d_model), added to the token embeddings
/// (GPT; `token_embeddings + pos_embedding_layer(arange(max_length))` in the seed chapter).
///
/// Rows start N(0, init_std²) with `init_std` = 1 by default, PyTorch's `nn.Embedding` (the seed
/// chapter's `torch.nn.Embedding(context_length, output_dim)`); GPT-2 and nanoGPT start theirs at
/// 0.01 and 0.02 (`learned(init_std=0.02)`). Results name `init_std` only when it is given, so the
/// default's name is unchanged. It has no row for a position ≥ `size`, so it cannot be evaluated on
/// longer sequences (the runner records `unsupported`).
public final class LearnedEncoding: RegisteredEncoding {
    public static let registryName = "learned"
    public static let summary = "learned absolute table added to the token embeddings (GPT); size=max_length"
    public var attentionInBlocks: Bool { true }  // no bias or score term
    public var arguments: String { (initStd.map { "init_std=\($0 == $0.rounded() ? String(Int($0)) : String($0));" } ?? "") + "size=\(size)" }
    /// The initial standard deviation when given as an argument (nil: the default 1).
    public let initStd: Double?
    /// The number of positions in the table.
    public let size: Int
    /// The table (size, d_model).
    public let table: Tensor
    public var parameters: [Tensor] { [table] }
    public var maximumLength: Int? { size }

    public init(size: Int, dModel: Int, rng: RandomGenerator, initStd: Double? = nil) {
        self.size = size
        self.initStd = initStd
        table = .gaussian([size, dModel], std: Float(initStd ?? 1), rng: rng, label: "learned.table")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> LearnedEncoding {
        let size = try arguments.int("size", default: context.maxLength, in: 1...1_000_000)
        guard size * context.dModel <= 1 << 28 else {  // 1 GiB of float32, before gradients and Adam's moments
            throw arguments.error("size", "a table of \(size) × d_model \(context.dModel) floats is more than 2^28 (1 GiB); make it smaller")
        }
        guard size >= context.maxLength else {
            throw arguments.error("size", "the table (\(size) rows) is smaller than model.max_length (\(context.maxLength)); make size ≥ max_length")
        }
        var initStd: Double?  // nil: the default, 1
        if arguments.spec.arguments["init_std"] != nil { initStd = try arguments.double("init_std", default: 1, in: 0...100) }
        return LearnedEncoding(size: size, dModel: context.dModel, rng: context.rng(for: registryName), initStd: initStd)
    }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {
        let p = context.positions
        return x + embedding(table, ids: p.ids, shape: p.isShared ? [p.length] : [p.rows, p.length])  // + (T, C) or (B, T, C)
    }
}
