/// GPT-2's pre-tokenisation, written out by hand over UTF-8 bytes:
///
///     '(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// The regex tries its alternatives left to right at each position; so does `pieceEnd`.
struct GPT2Pretokenizer {
    let text: UnsafeBufferPointer<UInt8>

    /// The scalar starting at byte `i` (valid UTF-8) and its length in bytes.
    @inline(__always)
    func scalar(at i: Int) -> (value: UInt32, length: Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12 | UInt32(text[i + 2] & 0x3F) << 6
                | UInt32(text[i + 3] & 0x3F), 4)
    }

    @inline(__always)
    func classAndLength(at i: Int) -> (CharacterClass, Int) {
        let (value, length) = scalar(at: i)
        return (CharacterClass.of(value), length)
    }

    /// The end of the run of `kind` scalars starting at `i`.
    @inline(__always)
    func runEnd(of kind: CharacterClass, from i: Int, to end: Int) -> Int {
        var j = i
        while j < end {
            let (c, n) = classAndLength(at: j)
            if c != kind { break }
            j += n
        }
        return j
    }

    /// The end of the piece that starts at byte `i` (< `end`).
    func pieceEnd(from i: Int, to end: Int) -> Int {
        let apostrophe = UInt8(ascii: "'"), space = UInt8(ascii: " ")
        // '(?:[sdmt]|ll|ve|re)
        if text[i] == apostrophe && i + 1 < end {
            let b1 = text[i + 1]
            if b1 == UInt8(ascii: "s") || b1 == UInt8(ascii: "d") || b1 == UInt8(ascii: "m") || b1 == UInt8(ascii: "t") {
                return i + 2
            }
            if i + 2 < end {
                let b2 = text[i + 2]
                if (b1 == UInt8(ascii: "l") && b2 == UInt8(ascii: "l")) || (b1 == UInt8(ascii: "v") && b2 == UInt8(ascii: "e"))
                    || (b1 == UInt8(ascii: "r") && b2 == UInt8(ascii: "e")) {
                    return i + 3
                }
            }
        }
        //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+   (a space joins the run that follows it)
        var (kind, length) = classAndLength(at: i)
        if text[i] == space && i + 1 < end {
            let (next, _) = classAndLength(at: i + 1)
            if next != .whitespace { return runEnd(of: next, from: i + 1, to: end) }
        }
        if kind != .whitespace { return runEnd(of: kind, from: i + length, to: end) }
        // \s+(?!\S) | \s+ : a whitespace run, less its last scalar when a non-space follows it
        var last = i, j = i + length
        while j < end {
            (kind, length) = classAndLength(at: j)
            if kind != .whitespace { break }
            last = j
            j += length
        }
        return j < end && last > i ? last : j
    }
}
