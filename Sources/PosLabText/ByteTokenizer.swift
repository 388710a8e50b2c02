/// `bytes`: one id per UTF-8 byte (0–255), and 256 for `<|endoftext|>`.
public struct ByteTokenizer: Tokenizer {
    public let name = "bytes"
    public let vocabularySize = 257
    public let endOfTextID = 256

    public init() {}

    public func encode(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { encode(bytes: $0) }
    }

    /// The ids of any bytes, UTF-8 or not.
    public func encode(bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(bytes.count)
        var start = 0
        for at in EndOfText.occurrences(in: bytes) {
            for b in bytes[start..<at] { ids.append(Int(b)) }
            ids.append(endOfTextID)
            start = at + EndOfText.bytes.count
        }
        for b in bytes[start...] { ids.append(Int(b)) }
        return ids
    }

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count)
        for id in ids {
            precondition(id >= 0 && id < vocabularySize, "bytes: id \(id) outside 0..<\(vocabularySize)")
            if id == endOfTextID { bytes += EndOfText.bytes } else { bytes.append(UInt8(id)) }
        }
        return bytes
    }
}
