import PosLabCore
import PosLabSupport

/// `odds-first`: the tokens at odd positions, then those at even positions (Chomsky-hierarchy
/// "odds first").
///
/// Input: `n` symbols drawn uniformly from 0 ..< symbols. Target: the sequence
/// input[1], input[3], input[5], …, input[0], input[2], input[4], …, position by position; every
/// position is scored. Chance: 1/symbols per token. Needs absolute position (parity, and where the
/// odd half ends). Vocab: the symbols only.
public struct OddsFirstTask: RegisteredTask {
    public static let registryName = "odds-first"
    public static let summary = "target = tokens at odd positions then at even positions; all scored (absolute)"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var vocabSize: Int { symbols }
    public var positionInformation: PositionInformation { .absolute }

    public init(symbols: Int = 8) {
        precondition(symbols >= 2, "odds-first needs at least 2 symbols")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> OddsFirstTask {
        OddsFirstTask(symbols: try arguments.int("symbols", default: 8, in: 2...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        (0..<length).map { _ in rng.int(below: symbols) }
    }

    public func label(_ inputs: [Int]) -> Labels {
        let n = inputs.count
        let order = Array(stride(from: 1, to: n, by: 2)) + Array(stride(from: 0, to: n, by: 2))
        return Labels(targets: order.map { inputs[$0] }, mask: [Float](repeating: 1, count: n))
    }
}
