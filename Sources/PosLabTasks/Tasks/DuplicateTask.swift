import PosLabCore
import PosLabSupport

/// `duplicate`: write the first half again in the second half (Chomsky-hierarchy "duplicate
/// string", with the output slots given as blanks in the input).
///
/// Input: the first h = ⌊n/2⌋ positions hold a string w of symbols drawn uniformly from
/// 0 ..< symbols; the remaining positions hold BLANK. Target at position h+i (i < h): w[i], that
/// is the input at position i. The first half is masked, and so is the last position when n is
/// odd (there is no w[h] to copy). Chance: 1/symbols per token. Needs relative position (offset h).
/// Vocab: symbols 0 ..< symbols, BLANK = symbols.
public struct DuplicateTask: RegisteredTask {
    public static let registryName = "duplicate"
    public static let summary = "first half w, second half blanks; target at h+i = w[i], first half masked (relative)"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var blank: Int { symbols }
    public var vocabSize: Int { symbols + 1 }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { 2 }

    public init(symbols: Int = 8) {
        precondition(symbols >= 2, "duplicate needs at least 2 symbols")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> DuplicateTask {
        DuplicateTask(symbols: try arguments.int("symbols", default: 8, in: 2...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        let h = length / 2
        return (0..<h).map { _ in rng.int(below: symbols) } + [Int](repeating: blank, count: length - h)
    }

    public func label(_ inputs: [Int]) -> Labels {
        let n = inputs.count, h = n / 2
        var targets = [Int](repeating: 0, count: n), mask = [Float](repeating: 0, count: n)
        for i in 0..<h {
            targets[h + i] = inputs[i]
            mask[h + i] = 1
        }
        return Labels(targets: targets, mask: mask)
    }
}
