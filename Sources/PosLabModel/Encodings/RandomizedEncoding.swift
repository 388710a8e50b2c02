/// `randomized(<encoding>, max_length=L)`: randomized positional encodings (Ruoss et al. 2023).
///
/// Wraps any encoding that is indexed by position. For each training batch of length T the
/// positions are a sorted, uniformly random subset of T distinct values from 0 ..< L (L larger
/// than any test length), drawn from the run's seed; the wrapped encoding sees those positions
/// instead of 0 ..< T, so it is trained on every position up to L while only ever seeing T tokens.
///
/// Evaluation (`eval=random`, the default, as in the paper): positions are again sorted random
/// subsets of 0 ..< L, drawn from a generator with a fixed seed and one stream per length, so every
/// run of a suite is evaluated on the same position draws, and a length's draws do not depend on
/// which lengths were evaluated before it (a model evaluated from its checkpoint at a new length
/// gets the numbers it would have got right after training). `eval=ordered` uses 0 ..< T instead. Lengths above L
/// cannot be represented (the runner records `unsupported`). The wrapped encoding is built as if
/// the model's maximum length were L (a learned table gets L rows), by the registry building this
/// one (`EncodingContext.registry`), so a plugin's or a test registry's encoding can be wrapped.
public final class RandomizedEncoding: RegisteredEncoding {
    public static let registryName = "randomized"
    public static let summary = "randomized positions (Ruoss 2023): randomized(<encoding>, max_length=L, eval=random|ordered)"
    public var arguments: String { "encoding=\(inner.fullName);eval=\(randomAtEvaluation ? "random" : "ordered");max_length=\(range)" }
    /// The wrapped encoding.
    public let inner: any PositionalEncoding
    /// Positions are drawn from 0 ..< range.
    public let range: Int
    /// Whether evaluation batches get random positions too.
    public let randomAtEvaluation: Bool
    private let trainingDraws: RandomGenerator
    /// One generator per evaluation length, made when the length is first evaluated.
    private var evaluationDraws: [Int: RandomGenerator] = [:]

    public var parameters: [Tensor] { inner.parameters }
    public var maximumLength: Int? { min(range, inner.maximumLength ?? range) }
    public var extrapolates: Bool { true }

    public init(inner: any PositionalEncoding, range: Int, randomAtEvaluation: Bool, seed: UInt64) {
        self.inner = inner
        self.range = range
        self.randomAtEvaluation = randomAtEvaluation
        trainingDraws = RandomGenerator(seed: seed, stream: "randomized/training")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> RandomizedEncoding {
        guard let innerText = arguments.string("encoding") else {
            throw arguments.error("encoding", "name the wrapped encoding, e.g. randomized(learned, max_length=256)")
        }
        let range = try arguments.int("max_length", default: 4 * context.maxLength, in: 1...1_000_000)
        guard range >= context.maxLength else {
            throw arguments.error("max_length", "must be at least the training length \(context.maxLength) (got \(range))")
        }
        let mode = arguments.string("eval") ?? "random"
        guard mode == "random" || mode == "ordered" else { throw arguments.error("eval", "must be random or ordered (got '\(mode)')") }
        var innerContext = context
        innerContext.maxLength = range
        let innerSpec = try Spec(parsing: innerText)
        guard innerSpec.name != registryName else { throw arguments.error("encoding", "cannot wrap itself") }
        let inner = try context.registry.make(innerSpec, context: innerContext)
        return RandomizedEncoding(inner: inner, range: range, randomAtEvaluation: mode == "random", seed: context.seed)
    }

    public func positions(length: Int, training: Bool) -> [Int] {
        if !training && !randomAtEvaluation { return Array(0..<length) }
        if training { return trainingDraws.sortedSample(length, from: range) }
        if evaluationDraws[length] == nil { evaluationDraws[length] = RandomGenerator(seed: 0, stream: "randomized/evaluation/\(length)") }
        return evaluationDraws[length]!.sortedSample(length, from: range)
    }

    public var attentionModes: Set<AttentionMode> { inner.attentionModes }

    // Every hook is the wrapped encoding's, at the positions chosen above.
    public func embed(_ x: Tensor, context: HookContext) -> Tensor { inner.embed(x, context: context) }
    public func embedLayer(_ x: Tensor, context: HookContext) -> Tensor { inner.embedLayer(x, context: context) }
    public func transformQueriesKeys(_ q: Tensor, _ k: Tensor, context: HookContext) -> (Tensor, Tensor) {
        inner.transformQueriesKeys(q, k, context: context)
    }
    public func attentionBias(context: HookContext) -> Tensor? { inner.attentionBias(context: context) }
    public func attentionScores(_ q: Tensor, _ k: Tensor, context: HookContext) -> Tensor? {
        inner.attentionScores(q, k, context: context)
    }
    public var attentionInBlocks: Bool { inner.attentionInBlocks }
    public func attentionBias(queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        inner.attentionBias(queries: queries, keys: keys, context: context)
    }
    public func attentionScores(_ q: Tensor, _ k: Tensor, queries: Range<Int>, keys: Range<Int>, context: HookContext) -> Tensor? {
        inner.attentionScores(q, k, queries: queries, keys: keys, context: context)
    }
}
