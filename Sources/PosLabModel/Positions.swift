/// The position of every token in a batch: one row shared by every sequence (T), or one row per
/// sequence (B, T) when a task supplies its own position ids (index hints, coupled positions).
public struct Positions: Equatable, Sendable {
    /// Row-major ids: T of them when shared, B·T when per sequence.
    public let ids: [Int]
    /// The number of rows: 1 when shared, B when per sequence.
    public let rows: Int

    /// One row for every sequence of the batch.
    public init(shared row: [Int]) {
        ids = row
        rows = 1
    }

    /// One row per sequence: `ids` (B·T, row-major) for `rows` sequences.
    public init(perSequence ids: [Int], rows: Int) {
        precondition(rows > 0 && ids.count % rows == 0, "\(ids.count) position ids do not fill \(rows) rows")
        self.ids = ids
        self.rows = rows
    }

    /// T, the length of a row.
    public var length: Int { ids.count / rows }
    /// Whether one row serves every sequence.
    public var isShared: Bool { rows == 1 }
    /// The shared row, or nil when positions are per sequence.
    public var shared: [Int]? { rows == 1 ? ids : nil }
    /// Row `r` (0 ..< rows).
    public func row(_ r: Int) -> [Int] { Array(ids[(r * length)..<((r + 1) * length)]) }
    /// Every row.
    public var allRows: [[Int]] { (0..<rows).map(row) }
    /// The largest id (nil when empty).
    public var max: Int? { ids.max() }
}
