import Foundation

/// A text file read for tokenizing, with the checks a corpus needs: it exists, it is UTF-8 when
/// the tokenizer reads text (every one but `bytes`), and it has enough tokens.
public struct TextFile: Sendable {
    /// The path as given.
    public let path: String
    /// The file's bytes.
    public let bytes: [UInt8]

    /// Reads `path`; a missing file, a folder or an unreadable file is an error naming it.
    public init(path: String) throws(TextFileError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TextFileError(path: path, problem: "no such file")
        }
        guard !isDirectory.boolValue else { throw TextFileError(path: path, problem: "is a folder, not a text file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextFileError(path: path, problem: "cannot be read")
        }
        self.path = path
        bytes = [UInt8](data)
    }

    /// The file as text, or an error giving the offset of the first byte that is not UTF-8.
    public func text(for tokenizer: String) throws(TextFileError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var iterator = bytes.makeIterator(), decoder = UTF8(), offset = 0
            while case .scalarValue(let scalar) = decoder.decode(&iterator) { offset += UTF8.width(scalar) }
            throw TextFileError(path: path, problem: "is not UTF-8 (first invalid byte at offset \(offset)); the \(tokenizer) tokenizer reads UTF-8 text, bytes reads any file")
        }
        return text
    }

    /// The ids of the file under `tokenizer`; fewer than `minimum` is an error giving the count needed.
    public func tokens(_ tokenizer: any Tokenizer, atLeast minimum: Int = 0) throws(TextFileError) -> [Int] {
        let ids: [Int]
        if let byteTokenizer = tokenizer as? ByteTokenizer {
            ids = bytes.withUnsafeBufferPointer { byteTokenizer.encode(bytes: $0) }
        } else {
            ids = tokenizer.encode(try text(for: tokenizer.name))
        }
        guard ids.count >= minimum else {
            let problem = bytes.isEmpty
                ? "is empty; at least \(minimum) \(tokenizer.name) tokens are needed"
                : "has \(ids.count) \(tokenizer.name) tokens; at least \(minimum) are needed"
            throw TextFileError(path: path, problem: problem)
        }
        return ids
    }
}
