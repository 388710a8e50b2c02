import PosLabCore
import PosLabStatistics

/// `majority`: the order-insensitive control — every position answers the most frequent symbol.
///
/// Input: `n` symbols drawn uniformly from 0 ..< symbols. Target at every position: the symbol
/// occurring most often in the whole sequence (ties go to the smallest id); every position is
/// scored. The labels permute with the inputs, so a position-blind model can solve it; chance
/// (guessing) is 1/symbols. Needs no position information. Vocab: the symbols only.
public struct MajorityTask: RegisteredTask {
    public static let registryName = "majority"
    public static let summary = "control: every target = the most frequent symbol (ties: smallest id); needs no positions"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var vocabSize: Int { symbols }
    public var positionInformation: PositionInformation { .none }

    public init(symbols: Int = 4) {
        precondition(symbols >= 2, "majority needs at least 2 symbols")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> MajorityTask {
        MajorityTask(symbols: try arguments.int("symbols", default: 4, in: 2...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        (0..<length).map { _ in rng.int(below: symbols) }
    }

    /// The most frequent id in `inputs` (ties: the smallest); 0 for an empty sequence.
    public func majority(_ inputs: [Int]) -> Int {
        var counts: [Int: Int] = [:]
        for x in inputs { counts[x, default: 0] += 1 }
        return counts.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }?.key ?? 0
    }

    public func label(_ inputs: [Int]) -> Labels {
        Labels(targets: [Int](repeating: majority(inputs), count: inputs.count),
               mask: [Float](repeating: 1, count: inputs.count))
    }
}
