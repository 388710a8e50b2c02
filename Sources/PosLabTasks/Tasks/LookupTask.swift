import PosLabCore
import PosLabSupport

/// `lookup`: position 0 names a position; answer with the token found there.
///
/// Input: position 0 holds a pointer token for a position p (id symbols + p − 1, p drawn
/// uniformly from 1 ..< min(n, pointers + 1)); positions 1 ..< n hold symbols drawn uniformly from
/// 0 ..< symbols. Target at position 0: the input at position p; every other position is masked
/// (if position 0 holds no pointer to a position inside the sequence, nothing is scored).
/// Chance: 1/symbols. Needs absolute position. Vocab: symbols, then `pointers` pointer tokens.
public struct LookupTask: RegisteredTask {
    public static let registryName = "lookup"
    public static let summary = "position 0 points at position p; target at 0 = input[p], rest masked (absolute)"
    public var arguments: String { "pointers=\(pointers);symbols=\(symbols)" }
    /// The number of distinct symbols (ids 0 ..< symbols).
    public let symbols: Int
    /// The number of pointer tokens: positions 1 ... pointers can be named.
    public let pointers: Int
    public var vocabSize: Int { symbols + pointers }
    public var positionInformation: PositionInformation { .absolute }
    public var minimumLength: Int { 2 }

    public init(symbols: Int = 8, pointers: Int = 64) {
        precondition(symbols >= 2 && pointers >= 1, "lookup needs at least 2 symbols and 1 pointer")
        self.symbols = symbols
        self.pointers = pointers
    }

    public static func make(_ arguments: inout SpecArguments) throws -> LookupTask {
        let symbols = try arguments.int("symbols", default: 8, in: 2...4096)
        let pointers = try arguments.int("pointers", default: 64, in: 1...4096)
        return LookupTask(symbols: symbols, pointers: pointers)
    }

    /// The id of the pointer token naming position `p` (1 ... pointers).
    public func pointerToken(_ p: Int) -> Int { symbols + p - 1 }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        guard length >= 2 else { return (0..<length).map { _ in rng.int(below: symbols) } }
        let p = rng.int(in: 1...min(length - 1, pointers))
        return [pointerToken(p)] + (1..<length).map { _ in rng.int(below: symbols) }
    }

    public func label(_ inputs: [Int]) -> Labels {
        let n = inputs.count
        var targets = [Int](repeating: 0, count: n), mask = [Float](repeating: 0, count: n)
        if let first = inputs.first, (symbols..<symbols + pointers).contains(first) {
            let p = first - symbols + 1
            if p < n {
                targets[0] = inputs[p]
                mask[0] = 1
            }
        }
        return Labels(targets: targets, mask: mask)
    }
}
