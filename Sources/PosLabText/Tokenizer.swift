/// Turns text into token ids and ids back into bytes.
///
/// Both built-in tokenizers read the text `<|endoftext|>` as the end-of-text token (tiktoken's
/// `encode(text, allowed_special={"<|endoftext|>"})`, as the seed chapter calls it).
public protocol Tokenizer: Sendable {
    /// The name a suite file or the command line uses, e.g. `gpt2`.
    var name: String { get }
    /// The number of ids, the end-of-text id included.
    var vocabularySize: Int { get }
    /// The id of `<|endoftext|>`.
    var endOfTextID: Int { get }
    /// The ids of `text`.
    func encode(_ text: String) -> [Int]
    /// The bytes that `ids` stand for (`<|endoftext|>` for the end-of-text id).
    func decodeBytes(_ ids: [Int]) -> [UInt8]
}

extension Tokenizer {
    /// The text that `ids` stand for; bytes that are not UTF-8 become U+FFFD (tiktoken's
    /// `errors="replace"`), so `decode(encode(s)) == s` for every string `s`.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }
}
