import Foundation

/// `gpt2`: GPT-2's byte-level BPE, the same ids as tiktoken's `gpt2` encoding: 50,256 merge ranks
/// (from the bundled `gpt2.tiktoken`) and `<|endoftext|>` = 50256.
///
/// Text is cut at `<|endoftext|>`, each part is pre-tokenised by `GPT2Pretokenizer`, and each
/// piece is one token if it is in the table, else merged by `BytePairMerge`.
public final class GPT2Tokenizer: Tokenizer {
    public let name = "gpt2"
    public var vocabularySize: Int { table.count + 1 }
    public var endOfTextID: Int { table.count }
    private let table: RankTable

    /// Reads the ranks from a `.tiktoken` file.
    public init(ranksFile: URL) throws {
        table = try RankTable(contentsOf: ranksFile)
    }

    /// The ranks shipped with PosLab (`Sources/PosLabText/Resources/gpt2.tiktoken`), read once.
    public static func bundled() throws -> GPT2Tokenizer {
        try bundledResult.get()
    }

    private static let bundledResult = Result<GPT2Tokenizer, Error> {
        guard let url = Bundle.module.url(forResource: "gpt2", withExtension: "tiktoken", subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "gpt2.tiktoken in \(Bundle.module.bundlePath)"])
        }
        return try GPT2Tokenizer(ranksFile: url)
    }

    public func encode(_ text: String) -> [Int] {
        var text = text
        return text.withUTF8 { utf8 in
            var ids: [Int] = []
            ids.reserveCapacity(utf8.count / 3)
            var merge = BytePairMerge()
            var start = 0
            for at in EndOfText.occurrences(in: utf8) {
                encodeOrdinary(utf8, start, at, merge: &merge, into: &ids)
                ids.append(endOfTextID)
                start = at + EndOfText.bytes.count
            }
            encodeOrdinary(utf8, start, utf8.count, merge: &merge, into: &ids)
            return ids
        }
    }

    /// The ids of bytes start..<end, which hold no `<|endoftext|>`.
    private func encodeOrdinary(_ utf8: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                merge: inout BytePairMerge, into ids: inout [Int]) {
        let pretokenizer = GPT2Pretokenizer(text: utf8)
        let base = utf8.baseAddress!
        var i = start
        while i < end {
            let j = pretokenizer.pieceEnd(from: i, to: end)
            if let rank = table.rank(base + i, j - i) {
                ids.append(Int(rank))
            } else {
                merge.encode(base + i, j - i, table: table, into: &ids)
            }
            i = j
        }
    }

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids {
            precondition(id >= 0 && id < vocabularySize, "gpt2: id \(id) outside 0..<\(vocabularySize)")
            if id == endOfTextID { bytes += EndOfText.bytes } else { bytes += table.tokenBytes(id) }
        }
        return bytes
    }
}
