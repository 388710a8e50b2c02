/// A batch of windows: `size` rows of `length` token ids, row-major, and their targets.
public struct TextBatch: Sendable, Equatable {
    /// The input ids, (size, length) row-major.
    public let inputs: [Int]
    /// The target ids, (size, length) row-major: each input row shifted by one token.
    public let targets: [Int]
    /// Rows.
    public let size: Int
    /// Tokens per row.
    public let length: Int

    /// Row `r` of the inputs.
    public func inputRow(_ r: Int) -> ArraySlice<Int> { inputs[(r * length)..<((r + 1) * length)] }
    /// Row `r` of the targets.
    public func targetRow(_ r: Int) -> ArraySlice<Int> { targets[(r * length)..<((r + 1) * length)] }
}
