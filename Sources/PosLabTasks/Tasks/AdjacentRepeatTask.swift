import PosLabCore
import PosLabSupport

/// `adjacent-repeat`: is this token the same as the one before it?
///
/// Input: `n` symbols drawn uniformly from 0 ..< symbols. Target at position i ≥ 1: SAME if
/// input[i] == input[i−1], else DIFFERENT; position 0 is masked. SAME has probability 1/symbols,
/// so chance (always DIFFERENT) is (symbols−1)/symbols per token. Needs local relative position
/// (the previous token). Vocab: symbols 0 ..< symbols, SAME = symbols, DIFFERENT = symbols+1.
public struct AdjacentRepeatTask: RegisteredTask {
    public static let registryName = "adjacent-repeat"
    public static let summary = "target i = SAME if input[i] == input[i-1] else DIFFERENT, position 0 masked (local relative)"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var same: Int { symbols }
    public var different: Int { symbols + 1 }
    public var vocabSize: Int { symbols + 2 }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { 2 }

    public init(symbols: Int = 3) {
        precondition(symbols >= 2, "adjacent-repeat needs at least 2 symbols")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> AdjacentRepeatTask {
        AdjacentRepeatTask(symbols: try arguments.int("symbols", default: 3, in: 2...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        (0..<length).map { _ in rng.int(below: symbols) }
    }

    public func label(_ inputs: [Int]) -> Labels {
        let n = inputs.count
        var targets = [Int](repeating: 0, count: n), mask = [Float](repeating: 0, count: n)
        for i in 1..<max(n, 1) {
            targets[i] = inputs[i] == inputs[i - 1] ? same : different
            mask[i] = 1
        }
        return Labels(targets: targets, mask: mask)
    }
}
