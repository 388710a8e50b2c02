import Foundation
import PosLabCore
import PosLabSupport
import PosLabText

/// `text(file=…, tokenizer=bytes|gpt2, split=0.9)`: causal language modelling on a text file — the
/// seed chapter's pipeline (tokenize, cut windows, predict each next token).
///
/// The file is tokenized whole and cut at `split` into a training part and a held-out part
/// (`TextSplit`: no window of one reaches into the other). A training batch is `batch_size`
/// windows of the training length at uniformly random starts in the training part, each target
/// the window shifted one token (the chapter's `GPTDatasetV1`, with random starts drawn from the
/// run's seed instead of an epoch order). Evaluation scores the first ⌊eval_tokens / L⌋·L targets of
/// the held-out part (a whole number of windows) at every evaluation length L under two protocols
/// (`EvaluationProtocol`):
/// `nonoverlapping` windows, and `sliding(stride=0.25L)` windows every S = ⌈stride · L⌉ tokens at
/// length L (`stride` 0.25 by default) that score only their last S targets, so every scored token
/// after the first window has at least L − S + 1 tokens of context. Both score the same targets,
/// each once: where S does not divide what lies past the first window, `sliding` ends with one
/// window that scores only the targets the others left.
///
/// `file` is resolved relative to the suite file. The run's identity holds the file's name and
/// the SHA-256 of its bytes, not its path: the same corpus anywhere is the same task, an edited
/// file is another. `sha256=` may be given to insist on one file's contents.
public struct TextTask: RegisteredTask, CorpusTask {
    public static let registryName = "text"
    public static let summary = "language modelling on a text file, causal: text(file=path, tokenizer=bytes|gpt2, split=0.9)"
    public var arguments: String {
        "eval_tokens=\(evalTokens);file=\(URL(fileURLWithPath: path).lastPathComponent);sha256=\(corpus.sha256.prefix(16));"
            + "split=\(split);stride=\(stride);tokenizer=\(corpus.tokenizer.name)"
    }
    /// The file, as resolved.
    public let path: String
    /// The fraction of tokens that train (the rest are held out).
    public let split: Double
    /// The sliding protocol's stride, as a fraction of the evaluation length.
    public let stride: Double
    /// Held-out targets scored per length and protocol (at most).
    public let evalTokens: Int
    /// The tokenized file, shared by every task made from it.
    let corpus: Corpus

    public var vocabSize: Int { corpus.tokenizer.vocabularySize }
    /// Next-token prediction needs to know which tokens came just before: mostly relative.
    public var positionInformation: PositionInformation { .relative }
    /// Each token is predicted from the ones before it only.
    public var requiredAttention: AttentionMode? { .causal }
    /// The longest window (with its next token) that both parts hold.
    public var maximumLength: Int? { min(corpus.split.train.count, corpus.split.heldOut.count) - 1 }

    public static func make(_ arguments: inout SpecArguments) throws -> TextTask {
        guard let path = arguments.string("file") else {
            throw arguments.error("file", "name the text file, e.g. text(file=Data/tinyshakespeare.txt); a relative path is relative to the suite file")
        }
        let tokenizerName = arguments.string("tokenizer") ?? "bytes"
        guard BuiltinTokenizers.names.contains(tokenizerName) else {
            throw arguments.error("tokenizer", "must be one of \(BuiltinTokenizers.names.joined(separator: ", ")) (got '\(tokenizerName)')")
        }
        let split = try arguments.double("split", default: 0.9, in: 0.01...0.99)
        let stride = try arguments.double("stride", default: 0.25, in: 0.001...1)
        let evalTokens = try arguments.int("eval_tokens", default: 16_384, in: 1...100_000_000)
        let expected = arguments.string("sha256")
        let corpus: Corpus
        do { corpus = try Corpus.load(path: path, tokenizer: tokenizerName, split: split) } catch let error as TextFileError {
            throw arguments.error("file", error.description)
        }
        if let expected, !corpus.sha256.hasPrefix(expected.lowercased()) || expected.count < 8 {
            throw arguments.error("sha256", "\(path) has SHA-256 \(corpus.sha256.prefix(16))…, not \(expected) (the file changed)")
        }
        return TextTask(path: path, split: split, stride: stride, evalTokens: evalTokens, corpus: corpus)
    }

    /// A window of the held-out part (for checks that sample sequences, and `inspect --attention`).
    public func sample(length: Int, rng: RandomGenerator) -> [Int] {
        let tokens = corpus.split.heldOut
        let start = rng.int(below: max(1, tokens.count - length + 1))
        return Array(tokens[start..<min(tokens.count, start + length)])
    }

    /// Each position's target is the next token of the sequence; the last has none and is masked.
    public func label(_ inputs: [Int]) -> Labels {
        Labels(targets: Array(inputs.dropFirst()) + [0], mask: [Float](repeating: 1, count: max(0, inputs.count - 1)) + (inputs.isEmpty ? [] : [0]))
    }

    public func trainingBatch(size: Int, length: Int, rng: RandomGenerator) -> Batch {
        let tokens = corpus.split.train
        var inputs = [Int](), targets = [Int]()
        inputs.reserveCapacity(size * length)
        targets.reserveCapacity(size * length)
        for _ in 0..<size {
            let start = rng.int(below: tokens.count - length)  // the last target is tokens[start + length]
            inputs += tokens[start..<(start + length)]
            targets += tokens[(start + 1)...(start + length)]
        }
        return Batch(size: size, length: length, inputs: inputs, targets: targets,
                     mask: [Float](repeating: 1, count: size * length))
    }

    public func evaluationProtocols(length: Int) -> [String] {
        protocols(length: length).map(\.name)
    }

    public func evaluationBatches(length: Int, protocol name: String, maxRows: Int) -> [Batch] {
        guard let chosen = protocols(length: length).first(where: { $0.name == name })?.protocol else { return [] }
        // A whole number of windows' targets, so that nonoverlapping windows score every one; sliding ones then score the same.
        let targets = min(evalTokens, corpus.split.heldOut.count - 1) / length * length
        let scored = corpus.split.heldOut.prefix(targets + 1)
        let windows = chosen.windowsScoringEveryTarget(over: Array(scored), length: length)
        return Swift.stride(from: 0, to: windows.count, by: maxRows).map { first in
            let rows = windows[first..<min(windows.count, first + maxRows)]
            return Batch(size: rows.count, length: length, inputs: rows.flatMap(\.inputs), targets: rows.flatMap(\.targets),
                         mask: rows.flatMap(\.mask))
        }
    }

    public func byteCount(of id: Int) -> Int { corpus.byteCounts[id] }

    /// The two protocols at `length`, by their names in results (the same at every length, so
    /// that a protocol's results line up across lengths): `nonoverlapping`, `sliding(stride=0.25L)`.
    func protocols(length: Int) -> [(name: String, protocol: EvaluationProtocol)] {
        [("nonoverlapping", .nonoverlapping),
         ("sliding(stride=\(stride)L)", .sliding(stride: max(1, min(length, Int((stride * Double(length)).rounded(.up))))))]
    }
}

/// A text file tokenized and split once per process (every run of a suite shares it).
final class Corpus: Sendable {
    let tokenizer: any Tokenizer
    let split: TextSplit
    /// SHA-256 of the file's bytes, 64 hex digits.
    let sha256: String
    /// The UTF-8 bytes each id stands for.
    let byteCounts: [Int]

    private init(tokenizer: any Tokenizer, split: TextSplit, sha256: String, byteCounts: [Int]) {
        self.tokenizer = tokenizer
        self.split = split
        self.sha256 = sha256
        self.byteCounts = byteCounts
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Corpus] = [:]

    /// The corpus of `path` under `tokenizer`, cut at `split`; checked: a missing, empty,
    /// non-UTF-8 (for gpt2) or too short file is an error naming it.
    static func load(path: String, tokenizer name: String, split fraction: Double) throws -> Corpus {
        let file = try TextFile(path: path)
        let sha = SHA256.hex(file.bytes)
        let key = "\(sha)|\(name)|\(fraction)"
        if let cached = lock.withLock({ cache[key] }) { return cached }
        let tokenizer = try BuiltinTokenizers.make(name)!  // the name was checked by `make`
        // Both parts must hold a window of one token and its target: two tokens each.
        var minimum = 4
        while TextSplit.boundary(count: minimum, trainFraction: fraction) < 2
                || minimum - TextSplit.boundary(count: minimum, trainFraction: fraction) < 2 { minimum += 1 }
        let tokens = try file.tokens(tokenizer, atLeast: minimum)
        let counts = (0..<tokenizer.vocabularySize).map { tokenizer.decodeBytes([$0]).count }
        let corpus = Corpus(tokenizer: tokenizer, split: TextSplit(tokens: tokens, trainFraction: fraction), sha256: sha, byteCounts: counts)
        lock.withLock { cache[key] = corpus }
        return corpus
    }
}
