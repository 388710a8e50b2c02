/// The end-of-text marker's text, and where it occurs in UTF-8 bytes.
public enum EndOfText {
    /// `<|endoftext|>`.
    public static let text = "<|endoftext|>"
    static let bytes = Array(text.utf8)

    /// The byte offsets where `<|endoftext|>` starts in `utf8`, left to right, not overlapping.
    static func occurrences(in utf8: UnsafeBufferPointer<UInt8>) -> [Int] {
        var found: [Int] = []
        let n = bytes.count
        guard utf8.count >= n else { return found }
        var i = 0
        while i <= utf8.count - n {
            if utf8[i] == 0x3C /* < */ && utf8[i + 1] == 0x7C /* | */ {
                var k = 2
                while k < n && utf8[i + k] == bytes[k] { k += 1 }
                if k == n { found.append(i); i += n; continue }
            }
            i += 1
        }
        return found
    }
}
