import PosLabCore
import PosLabSupport

/// `bucket_sort`: the input's symbols in increasing order (DeepMind's Chomsky-hierarchy suite,
/// context-sensitive; Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/cs/bucket_sort.py`).
///
/// Input: n symbols drawn uniformly from 0 ..< symbols (default 5, the reference's default and its
/// `TASK_BUILDERS` setting). Answer: the same n symbols sorted increasingly, every one scored. Ids:
/// the symbols on both sides. Examples from the reference's docstring: 10204112 → 00111224
/// (symbols = 5), 1110001 → 0001111 (symbols = 2).
///
/// The answer does not depend on the input's order, only on its counts; the order of the answer
/// positions is what matters (the k-th answer token is the k-th smallest symbol), hence absolute.
public struct BucketSortTask: RegisteredTask, PromptTask {
    public static let registryName = "bucket_sort"
    public static let summary = "context-sensitive · the input's symbols sorted (DeepMind)"
    public var arguments: String { "form=\(form.rawValue);symbols=\(symbols)" }
    public let symbols: Int
    public let form: TaskForm
    public var inputSize: Int { symbols }
    public var outputSize: Int { symbols }
    /// In the decoder form, the answer rearranges the input's symbols: one vocabulary.
    public var answerSharesInputSymbols: Bool { true }
    public var positionInformation: PositionInformation { .absolute }

    public init(symbols: Int = 5, form: TaskForm = .encoder) {
        self.symbols = symbols
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> BucketSortTask {
        BucketSortTask(symbols: try arguments.int("symbols", default: 5, in: 2...4096),
                       form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { n }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: symbols) }
    }

    /// A counting sort: `symbols` buckets, emptied in order.
    public func answer(for input: [Int]) -> [Int] {
        var counts = [Int](repeating: 0, count: symbols)
        for s in input { counts[s] += 1 }
        return counts.enumerated().flatMap { [Int](repeating: $0.offset, count: $0.element) }
    }
}
