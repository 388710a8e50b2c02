/// A token stream cut at one token into a training part and a held-out part: every window of the
/// one (targets included) lies before the cut, every window of the other after it, so none overlap.
public struct TextSplit: Sendable {
    /// Tokens 0 ..< boundary.
    public let train: [Int]
    /// Tokens boundary ..< count.
    public let heldOut: [Int]
    /// The index of the first held-out token in the whole stream.
    public let boundary: Int

    /// The first ⌊trainFraction · count⌋ tokens train; the rest are held out.
    public init(tokens: [Int], trainFraction: Double) {
        precondition(trainFraction > 0 && trainFraction < 1, "the training fraction must be in (0, 1), got \(trainFraction)")
        boundary = Self.boundary(count: tokens.count, trainFraction: trainFraction)
        train = Array(tokens[..<boundary])
        heldOut = Array(tokens[boundary...])
    }

    /// Where a stream of `count` tokens is cut: ⌊trainFraction · count⌋.
    public static func boundary(count: Int, trainFraction: Double) -> Int {
        Int((Double(count) * trainFraction).rounded(.down))
    }

    /// The training part's windows.
    public func trainingWindows(maxLength: Int, stride: Int) -> SlidingWindowDataset {
        SlidingWindowDataset(tokens: train, maxLength: maxLength, stride: stride)
    }

    /// The held-out part's windows.
    public func heldOutWindows(maxLength: Int, stride: Int) -> SlidingWindowDataset {
        SlidingWindowDataset(tokens: heldOut, maxLength: maxLength, stride: stride)
    }
}
