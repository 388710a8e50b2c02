import Foundation

/// A `.tiktoken` merge-rank file read into memory: the bytes of token `r` and the rank of a byte
/// string, found by open addressing over one contiguous byte buffer (no allocation per lookup).
struct RankTable: Sendable {
    /// Every token's bytes, concatenated in rank order.
    private let bytes: [UInt8]
    /// Token `r` is `bytes[offsets[r]..<offsets[r + 1]]`.
    private let offsets: [Int32]
    /// Hash slots holding a rank, or -1 when empty; the count is a power of two.
    private let slots: [Int32]

    /// The number of ranks (0 ..< count).
    var count: Int { offsets.count - 1 }

    /// Reads lines `base64(token bytes) rank`, whose ranks must be 0, 1, 2, … in order.
    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var bytes: [UInt8] = [], offsets: [Int32] = [0]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let token = Data(base64Encoded: String(fields[0])), !token.isEmpty,
                  Int(fields[1]) == number
            else { throw RankTableError(url: url, line: number + 1, text: String(line)) }
            bytes += token
            offsets.append(Int32(bytes.count))
        }
        var capacity = 1
        while capacity < 2 * offsets.count { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        bytes.withUnsafeBufferPointer { b in
            for r in 0..<(offsets.count - 1) {
                let start = Int(offsets[r]), n = Int(offsets[r + 1]) - start
                var s = Int(truncatingIfNeeded: RankTable.hash(b.baseAddress! + start, n)) & (capacity - 1)
                while slots[s] >= 0 { s = (s + 1) & (capacity - 1) }
                slots[s] = Int32(r)
            }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
    }

    /// FNV-1a, 64 bits.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// The rank of the `n` bytes at `p`, or nil if they are not a token.
    @inline(__always)
    func rank(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: RankTable.hash(p, n)) & mask
        return bytes.withUnsafeBufferPointer { b in
            offsets.withUnsafeBufferPointer { o in
                slots.withUnsafeBufferPointer { slots in
                    while true {
                        let r = slots[s]
                        if r < 0 { return nil }
                        let start = Int(o[Int(r)])
                        if Int(o[Int(r) + 1]) - start == n && memcmp(b.baseAddress! + start, p, n) == 0 { return r }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    /// The bytes of token `rank`.
    func tokenBytes(_ rank: Int) -> ArraySlice<UInt8> {
        bytes[Int(offsets[rank])..<Int(offsets[rank + 1])]
    }
}
