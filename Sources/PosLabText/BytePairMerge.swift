import HeapModule

/// tiktoken's `byte_pair_merge`: split one pre-tokenised piece into tokens by repeatedly merging
/// the adjacent pair whose concatenation has the lowest rank (the leftmost on ties).
///
/// Short pieces scan for the lowest pair, as tiktoken does. Pieces longer than `longPiece` bytes
/// (a run of thousands of letters, say) would make that scan quadratic; they keep their parts in a
/// linked list and the candidate pairs in a heap ordered by (rank, start), which picks the same
/// pair at every step. The arrays are scratch space reused between calls.
struct BytePairMerge {
    /// Pieces longer than this many bytes take the heap.
    static let longPiece = 256
    private static let none = Int32.max

    // The scan: part k starts at starts[k]; ranks[k] is the rank of part k joined with part k + 1.
    private var starts: [Int] = []
    private var ranks: [Int32] = []
    // The heap: parts named by their start byte; next[s] is where the following part starts.
    private var next: [Int] = []
    private var previous: [Int] = []
    private var pairRank: [Int32] = []

    /// Appends the ids of the `n` bytes at `p` (n ≥ 2) to `ids`.
    mutating func encode(_ p: UnsafePointer<UInt8>, _ n: Int, table: RankTable, into ids: inout [Int]) {
        if n > Self.longPiece { encodeLong(p, n, table: table, into: &ids); return }
        let none = Self.none
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

    /// A candidate merge: the part starting at `start` with the part after it.
    private struct Candidate: Comparable {
        let rank: Int32, start: Int
        static func < (a: Candidate, b: Candidate) -> Bool { (a.rank, a.start) < (b.rank, b.start) }
    }

    /// The same merges as the scan, in O(n log n).
    private mutating func encodeLong(_ p: UnsafePointer<UInt8>, _ n: Int, table: RankTable, into ids: inout [Int]) {
        let none = Self.none
        next = Array(1...n)
        previous = Array(-1..<(n - 1))
        pairRank = (0..<n).map { s in s + 1 < n ? (table.rank(p + s, 2) ?? none) : none }
        var heap = Heap((0..<n).compactMap { s in pairRank[s] == none ? nil : Candidate(rank: pairRank[s], start: s) })
        // The rank of the bytes from part s up to (not including) part end, pushed as a candidate for s.
        func update(_ s: Int, through end: Int) {
            pairRank[s] = end <= n ? (table.rank(p + s, end - s) ?? none) : none
            if pairRank[s] != none { heap.insert(Candidate(rank: pairRank[s], start: s)) }
        }
        while let c = heap.popMin() {
            let s = c.start
            guard pairRank[s] == c.rank else { continue }  // stale: s merged since, or was merged away
            let t = next[s], u = next[t]  // t joins s; u is the part after them
            next[s] = u
            if u < n { previous[u] = s }
            pairRank[t] = none
            update(s, through: u < n ? next[u] : n + 1)
            if previous[s] >= 0 { update(previous[s], through: u) }
        }
        var s = 0
        while s < n {
            ids.append(Int(table.rank(p + s, next[s] - s)!))
            s = next[s]
        }
    }
}
