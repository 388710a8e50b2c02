import PosLabSupport

/// The seed chapter's `GPTDatasetV1` with its `DataLoader`: windows of `maxLength` tokens every
/// `stride` tokens, each with the same window shifted one token right as its target.
///
/// Window k starts at token k·stride, for every start i < tokens.count − maxLength (Python's
/// `range(0, len(token_ids) - max_length, stride)`): input `tokens[i ..< i + maxLength]`,
/// target `tokens[i + 1 ... i + maxLength]`.
public struct SlidingWindowDataset: Sendable {
    /// The token stream the windows are cut from.
    public let tokens: [Int]
    /// Tokens per window (`max_length`).
    public let maxLength: Int
    /// Tokens between window starts (`stride`).
    public let stride: Int

    public init(tokens: [Int], maxLength: Int, stride: Int) {
        precondition(maxLength >= 1 && stride >= 1, "max_length and stride must be at least 1")
        self.tokens = tokens
        self.maxLength = maxLength
        self.stride = stride
    }

    /// The number of windows.
    public var count: Int {
        let starts = tokens.count - maxLength
        return starts <= 0 ? 0 : (starts - 1) / stride + 1
    }

    /// Where window `k` starts in `tokens`; its target ends one token after its input.
    public func start(of k: Int) -> Int { k * stride }

    /// Window `k`: its input and its target (the input shifted by one token).
    public func window(_ k: Int) -> (input: ArraySlice<Int>, target: ArraySlice<Int>) {
        precondition(k >= 0 && k < count, "window \(k) outside 0..<\(count)")
        let i = start(of: k)
        return (tokens[i..<(i + maxLength)], tokens[(i + 1)...(i + maxLength)])
    }

    /// The batches of one pass (`epoch`), as the chapter's `DataLoader(dataset, batch_size, shuffle,
    /// drop_last)`: windows in order, or, when `shuffle` is true, in a permutation drawn from `seed`
    /// and `epoch`; a last batch smaller than `batchSize` is dropped when `dropLast` is true.
    public func batches(batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, epoch: Int = 0,
                        dropLast: Bool = true) -> [TextBatch] {
        precondition(batchSize >= 1, "batch_size must be at least 1")
        let order = shuffle
            ? RandomGenerator(seed: seed, stream: "sliding-window/epoch \(epoch)").permutation(count)
            : Array(0..<count)
        var result: [TextBatch] = []
        var first = 0
        while first < order.count {
            let rows = order[first..<min(first + batchSize, order.count)]
            if rows.count < batchSize && dropLast { break }
            var inputs: [Int] = [], targets: [Int] = []
            inputs.reserveCapacity(rows.count * maxLength)
            targets.reserveCapacity(rows.count * maxLength)
            for k in rows {
                let w = window(k)
                inputs += w.input
                targets += w.target
            }
            result.append(TextBatch(inputs: inputs, targets: targets, size: rows.count, length: maxLength))
            first += batchSize
        }
        return result
    }
}
