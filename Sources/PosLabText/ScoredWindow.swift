/// One evaluation window: `inputs`, the next-token `targets`, and which targets are scored.
public struct ScoredWindow: Sendable, Equatable {
    /// Where the window starts in the token stream.
    public let start: Int
    /// tokens[start ..< start + length].
    public let inputs: [Int]
    /// tokens[start + 1 ... start + length].
    public let targets: [Int]
    /// 1 where the target is scored, else 0.
    public let mask: [Float]
}
