/// How held-out text is cut into scored windows at one evaluation length (the ALiBi paper's two).
public enum EvaluationProtocol: Sendable, Hashable {
    /// Disjoint windows of the evaluation length, every target in them scored; a tail shorter than a
    /// window is not scored.
    case nonoverlapping
    /// Windows every `stride` tokens; a window scores only its last `stride` targets (the first
    /// window scores all of its targets), so every scored target after the first window has at
    /// least length − stride + 1 tokens of context.
    case sliding(stride: Int)

    /// The name in results, e.g. `nonoverlapping` or `sliding(stride=1)`.
    public var name: String {
        switch self {
        case .nonoverlapping: "nonoverlapping"
        case .sliding(let stride): "sliding(stride=\(stride))"
        }
    }

    /// The windows of `windows(over:length:)`, and for `sliding`, when the last targets are left
    /// unscored (the stride does not divide what lies past the first window), one more window
    /// ending at the last target that scores only those. Over k·length + 1 tokens both protocols
    /// then score the same k·length targets, each once.
    public func windowsScoringEveryTarget(over tokens: [Int], length: Int) -> [ScoredWindow] {
        var result = windows(over: tokens, length: length)
        guard case .sliding = self, let last = result.last else { return result }
        let end = tokens.count - 1, scoredUpTo = last.start + length  // the last target, and the last one scored
        guard scoredUpTo < end else { return result }
        let start = end - length, left = end - scoredUpTo
        result.append(ScoredWindow(start: start, inputs: Array(tokens[start..<end]), targets: Array(tokens[(start + 1)...end]),
                                   mask: [Float](repeating: 0, count: length - left) + [Float](repeating: 1, count: left)))
        return result
    }

    /// The scored windows of `length` tokens over `tokens`, in order.
    public func windows(over tokens: [Int], length: Int) -> [ScoredWindow] {
        precondition(length >= 1, "evaluation length must be at least 1")
        let stride: Int
        switch self {
        case .nonoverlapping: stride = length
        case .sliding(let s):
            precondition(s >= 1 && s <= length, "sliding stride must be in 1...\(length), got \(s)")
            stride = s
        }
        var result: [ScoredWindow] = []
        var start = 0
        while start + length < tokens.count {  // the last target is tokens[start + length]
            let scored = start == 0 ? length : stride
            result.append(ScoredWindow(
                start: start,
                inputs: Array(tokens[start..<(start + length)]),
                targets: Array(tokens[(start + 1)...(start + length)]),
                mask: [Float](repeating: 0, count: length - scored) + [Float](repeating: 1, count: scored)))
            start += stride
        }
        return result
    }
}
