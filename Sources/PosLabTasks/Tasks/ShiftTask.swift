import PosLabCore
import PosLabSupport

/// `shift`: copy the token `k` positions back.
///
/// Input: `n` symbols drawn uniformly from 0 ..< symbols. Target at position i ≥ k: the input at
/// position i−k; positions i < k are masked. Chance: 1/symbols per token.
/// Needs relative position (a fixed offset). Vocab: the symbols only. Minimum length k+1.
public struct ShiftTask: RegisteredTask {
    public static let registryName = "shift"
    public static let summary = "target i = input[i-k] for i >= k, i < k masked (relative)"
    public var arguments: String { "k=\(k);symbols=\(symbols)" }
    /// The offset.
    public let k: Int
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var vocabSize: Int { symbols }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { k + 1 }

    public init(k: Int = 1, symbols: Int = 8) {
        precondition(k >= 1 && symbols >= 2, "shift needs k ≥ 1 and at least 2 symbols")
        self.k = k
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> ShiftTask {
        let k = try arguments.int("k", default: 1, in: 1...4096)
        let symbols = try arguments.int("symbols", default: 8, in: 2...4096)
        return ShiftTask(k: k, symbols: symbols)
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        (0..<length).map { _ in rng.int(below: symbols) }
    }

    public func label(_ inputs: [Int]) -> Labels {
        let n = inputs.count
        var targets = [Int](repeating: 0, count: n), mask = [Float](repeating: 0, count: n)
        for i in min(k, n)..<n {
            targets[i] = inputs[i - k]
            mask[i] = 1
        }
        return Labels(targets: targets, mask: mask)
    }
}
