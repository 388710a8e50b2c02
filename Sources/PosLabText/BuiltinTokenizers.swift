/// The tokenizers a suite file or `poslab tokenize` can name.
public enum BuiltinTokenizers {
    /// Their names, e.g. for a help text.
    public static let names = ["bytes", "gpt2"]

    /// The tokenizer called `name`, or nil if there is none.
    public static func make(_ name: String) throws -> (any Tokenizer)? {
        switch name {
        case "bytes": ByteTokenizer()
        case "gpt2": try GPT2Tokenizer.bundled()
        default: nil
        }
    }
}
