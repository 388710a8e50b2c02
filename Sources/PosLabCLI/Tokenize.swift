import ArgumentParser
import Foundation
import PosLabText

extension PosLab {
    /// `poslab tokenize FILE`: a corpus's token ids, or their count, to check it before training.
    struct Tokenize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tokenize a text file: print its token ids (one line, space-separated) or their count.",
            discussion: """
                gpt2 is GPT-2's byte-level BPE (the same ids as tiktoken's gpt2 encoding, vocabulary 50,257); \
                bytes gives one id per byte (vocabulary 257). Both read the text <|endoftext|> as the \
                end-of-text token (50256, or 256). gpt2 needs UTF-8; bytes reads any file.

                Example:
                  poslab tokenize the-verdict.txt --tokenizer gpt2 --count    # 5145
                  poslab tokenize notes.txt --tokenizer bytes --ids
                """)

        enum Output: String, EnumerableFlag {
            case ids, count
            static func help(for value: Output) -> ArgumentHelp? {
                value == .ids ? "Print the ids on one line, separated by spaces." : "Print how many tokens there are."
            }
        }

        @Argument(help: "A text file.")
        var file: String

        @Option(help: ArgumentHelp("The tokenizer: \(BuiltinTokenizers.names.joined(separator: " or ")).", valueName: "name"))
        var tokenizer: String = "gpt2"

        @Flag(exclusivity: .exclusive)
        var output: Output = .ids

        @Flag(help: "Also print the encoding speed to standard error (median of 5 encodings, file read and ranks loaded excluded).")
        var time = false

        func validate() throws {
            guard BuiltinTokenizers.names.contains(tokenizer) else {
                throw ValidationError("unknown tokenizer '\(tokenizer)'; choose \(BuiltinTokenizers.names.joined(separator: " or "))")
            }
        }

        func run() throws {
            let tok = try BuiltinTokenizers.make(tokenizer)!
            do throws(TextFileError) {
                let source = try TextFile(path: file)
                let ids = try source.tokens(tok)
                switch output {
                case .ids: print(ids.map(String.init).joined(separator: " "))
                case .count: print(ids.count)
                }
                guard time else { return }
                if tok is ByteTokenizer {
                    reportSpeed(bytes: source.bytes.count, tokens: ids.count) { (try? source.tokens(tok)) ?? [] }
                } else {
                    let text = try source.text(for: tok.name)
                    reportSpeed(bytes: source.bytes.count, tokens: ids.count) { tok.encode(text) }
                }
            } catch {
                PosLab.fail(error.description)
            }
        }

        /// Times `encode` five times and prints the median's MB/s (10⁶ bytes per second) to standard error.
        func reportSpeed(bytes: Int, tokens: Int, _ encode: () -> [Int]) {
            var seconds: [Double] = []
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = encode()
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let median = seconds.sorted()[2]
            let line = String(format: "%@: %d bytes, %d tokens, median encode %.4f s of 5: %.2f MB/s\n",
                              tokenizer, bytes, tokens, median, Double(bytes) / median / 1e6)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
