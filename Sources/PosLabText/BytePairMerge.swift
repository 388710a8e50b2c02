/// tiktoken's `byte_pair_merge`: split one pre-tokenised piece into tokens by repeatedly merging
/// the adjacent pair whose concatenation has the lowest rank (the leftmost on ties).
///
/// `starts` is scratch space, reused between calls so that a piece costs no allocation.
struct BytePairMerge {
    /// parts[k] = (byte offset where part k starts, rank of part k merged with part k + 1).
    private var starts: [Int] = []
    private var ranks: [Int32] = []

    /// Appends the ids of the `n` bytes at `p` (n ≥ 2) to `ids`.
    mutating func encode(_ p: UnsafePointer<UInt8>, _ n: Int, table: RankTable, into ids: inout [Int]) {
        let none = Int32.max
        starts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        for i in 0..<(n - 1) {
            starts.append(i)
            ranks.append(table.rank(p + i, 2) ?? none)
        }
        starts.append(n - 1); ranks.append(none)
        starts.append(n); ranks.append(none)

        // The rank of parts i, i + 1 and i + 2 joined: part i's pair rank once i + 1 (or, for i - 1, i + 2) has merged.
        func rank3(_ i: Int) -> Int32 {
            i + 3 < starts.count ? (table.rank(p + starts[i], starts[i + 3] - starts[i]) ?? none) : none
        }
        while true {
            var best = none, at = -1
            for k in 0..<(ranks.count - 1) where ranks[k] < best { best = ranks[k]; at = k }
            if at < 0 { break }
            if at > 0 { ranks[at - 1] = rank3(at - 1) }
            ranks[at] = rank3(at)
            starts.remove(at: at + 1)
            ranks.remove(at: at + 1)
        }
        for k in 0..<(starts.count - 1) {
            ids.append(Int(table.rank(p + starts[k], starts[k + 1] - starts[k])!))
        }
    }
}
