import PosLabCore
import PosLabSupport

/// `reverse`: write the input backwards.
///
/// Input: `n` symbols drawn uniformly from 0 ..< symbols. Target at position i: the input at
/// position n−1−i. Every position is scored. Chance: 1/symbols per token.
/// Needs absolute position (the distance to the end of the sequence). Vocab: the symbols only.
public struct ReverseTask: RegisteredTask {
    public static let registryName = "reverse"
    public static let summary = "target i = input[n-1-i]; all positions scored (absolute)"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var vocabSize: Int { symbols }
    public var positionInformation: PositionInformation { .absolute }

    public init(symbols: Int = 8) {
        precondition(symbols >= 2, "reverse needs at least 2 symbols")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ReverseTask {
        ReverseTask(symbols: try arguments.int("symbols", default: 8, in: 2...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        (0..<length).map { _ in rng.int(below: symbols) }
    }

    public func label(_ inputs: [Int]) -> Labels {
        Labels(targets: inputs.reversed(), mask: [Float](repeating: 1, count: inputs.count))
    }
}
