import PosLabCore
import PosLabSupport

/// `before`: does marker A come before marker B?
///
/// Input: filler symbols drawn uniformly from 0 ..< symbols, except for one A and one B at two
/// distinct uniformly drawn positions (either may be last). Target at the last position: YES if A
/// occurs before B, else NO; every other position is masked (and all of them if A or B is
/// missing; with several, the first of each counts). Both orders are equally likely, so chance
/// is 1/2. Sequence-level; needs relative order.
/// Vocab: fillers 0 ..< symbols, A = symbols, B = symbols+1, YES = symbols+2, NO = symbols+3.
public struct BeforeTask: RegisteredTask {
    public static let registryName = "before"
    public static let summary = "markers A and B once each; target at the last position = YES if A before B else NO (relative)"
    public var arguments: String { "symbols=\(symbols)" }
    /// The number of filler symbols (ids 0 ..< symbols).
    public let symbols: Int
    public var markerA: Int { symbols }
    public var markerB: Int { symbols + 1 }
    public var yes: Int { symbols + 2 }
    public var no: Int { symbols + 3 }
    public var vocabSize: Int { symbols + 4 }
    public var positionInformation: PositionInformation { .relative }
    public var minimumLength: Int { 3 }

    public init(symbols: Int = 6) {
        precondition(symbols >= 1, "before needs at least 1 filler symbol")
        self.symbols = symbols
    }

    public static func make(_ arguments: inout SpecArguments) throws -> BeforeTask {
        BeforeTask(symbols: try arguments.int("symbols", default: 6, in: 1...4096))
    }

    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        var x = (0..<length).map { _ in rng.int(below: symbols) }
        guard length >= 2 else { return x }
        let places = rng.sortedSample(2, from: length)
        let aFirst = rng.int(below: 2) == 0
        x[places[0]] = aFirst ? markerA : markerB
        x[places[1]] = aFirst ? markerB : markerA
        return x
    }

    public func label(_ inputs: [Int]) -> Labels {
        let n = inputs.count
        var targets = [Int](repeating: 0, count: n), mask = [Float](repeating: 0, count: n)
        if let a = inputs.firstIndex(of: markerA), let b = inputs.firstIndex(of: markerB) {
            targets[n - 1] = a < b ? yes : no
            mask[n - 1] = 1
        }
        return Labels(targets: targets, mask: mask)
    }
}
