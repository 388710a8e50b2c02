import Foundation
import PosLabCore
import PosLabSupport
import PosLabTasks
import PosLabText
import Testing

/// A text file in a fresh temporary folder; returns its path.
func textFile(_ contents: String, name: String = "corpus.txt") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-text-task-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(contents.utf8).write(to: url)
    return url.path
}

/// 4,000 characters of a text in which order matters.
let sampleText = String((0..<400).map { "line \($0 % 37) ab\n" }.joined().prefix(4000))

/// `text(file=…)`: causal language modelling on a file, its training batches and its two protocols.
@Suite struct TextTaskTests {
    func text(_ arguments: String) throws -> TextTask {
        try #require(try task("text(\(arguments))") as? TextTask)
    }

    /// Results name the file by its name and the SHA-256 of its bytes, not by where it lies.
    @Test func argumentsNameTheContentNotThePath() throws {
        let path = try textFile(sampleText)
        let t = try text("file=\(path)")
        let sha = SHA256.hex(Array(sampleText.utf8))
        #expect(t.arguments == "eval_tokens=16384;file=corpus.txt;sha256=\(sha.prefix(16));split=0.9;stride=0.25;tokenizer=bytes")
        #expect(t.vocabSize == 257 && t.requiredAttention == .causal)
        #expect(try text("file=\(path), tokenizer=gpt2").vocabSize == 50_257)
        // The same bytes elsewhere are the same task; sha256= insists on them.
        #expect(try text("file=\(textFile(sampleText, name: "corpus.txt"))").arguments == t.arguments)
        #expect(try text("file=\(path), sha256=\(sha.prefix(12))").arguments == t.arguments)
        let changed = configurationError { _ = try text("file=\(path), sha256=0123456789abcdef") }
        #expect(changed?.description.contains("has SHA-256 \(sha.prefix(16))…, not 0123456789abcdef (the file changed)") == true)
    }

    /// A missing, empty, too short or (for gpt2) non-UTF-8 file is an error naming it.
    @Test func badFilesAreNamed() throws {
        let missing = configurationError { _ = try text("file=/nonexistent/corpus.txt") }
        #expect(missing?.description == "text.file: /nonexistent/corpus.txt: no such file")
        let empty = try textFile("")
        #expect(configurationError { _ = try text("file=\(empty)") }?.description
                == "text.file: \(empty) is empty; at least 11 bytes tokens are needed")
        let short = try textFile("tiny")
        #expect(configurationError { _ = try text("file=\(short)") }?.description
                == "text.file: \(short) has 4 bytes tokens; at least 11 are needed")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-latin1-\(UUID().uuidString).txt")
        try Data([0x63, 0x61, 0x66, 0xE9] + Array(sampleText.utf8)).write(to: dir)
        #expect(configurationError { _ = try text("file=\(dir.path), tokenizer=gpt2") }?.description.contains(
            "is not UTF-8 (first invalid byte at offset 3)") == true)
        #expect(configurationError { _ = try text("file=\(dir.path), tokenizer=chars") }?.description
                == "text.tokenizer: must be one of bytes, gpt2 (got 'chars')")
        #expect(configurationError { _ = try text("tokenizer=bytes") }?.description.hasPrefix("text.file: name the text file") == true)
    }

    /// Training windows lie in the training part, each target the window shifted by one token,
    /// at starts drawn from the generator: the same seed gives the same batches.
    @Test func trainingBatchesAreShiftedWindowsOfTheTrainingPart() throws {
        let t = try text("file=\(try textFile(sampleText)), split=0.5")
        let ids = Array(sampleText.utf8).map(Int.init)
        let train = Array(ids[..<2000])
        let batch = t.trainingBatch(size: 64, length: 16, rng: RandomGenerator(seed: 3, stream: "t"))
        #expect(batch.size == 64 && batch.length == 16 && batch.mask.allSatisfy { $0 == 1 })
        for r in 0..<64 {
            let input = Array(batch.inputs[(r * 16)..<((r + 1) * 16)]), target = Array(batch.targets[(r * 16)..<((r + 1) * 16)])
            let starts = (0..<(train.count - 16)).filter { Array(train[$0..<($0 + 16)]) == input && Array(train[($0 + 1)...($0 + 16)]) == target }
            #expect(!starts.isEmpty, "row \(r) is not a window of the training part with its shifted target")
        }
        let again = t.trainingBatch(size: 64, length: 16, rng: RandomGenerator(seed: 3, stream: "t"))
        #expect(again.inputs == batch.inputs)
        #expect(t.trainingBatch(size: 64, length: 16, rng: RandomGenerator(seed: 4, stream: "t")).inputs != batch.inputs)
    }

    /// Both protocols score the same first `eval_tokens` targets of the held-out part, each once;
    /// `sliding` gives every window after the first three quarters of its length as context.
    @Test func protocolsScoreTheSameHeldOutTargets() throws {
        let t = try text("file=\(try textFile(sampleText)), split=0.5, eval_tokens=512")
        let heldOut = Array(Array(sampleText.utf8).map(Int.init)[2000...])
        #expect(t.evaluationProtocols(length: 32) == ["nonoverlapping", "sliding(stride=0.25L)"])
        for name in t.evaluationProtocols(length: 32) {
            let batches = t.evaluationBatches(length: 32, protocol: name, maxRows: 5)
            #expect(batches.allSatisfy { $0.size <= 5 && $0.length == 32 })
            var scored: [Int] = []
            var position = 0
            for batch in batches {
                for r in 0..<batch.size {
                    let input = Array(batch.inputs[(r * 32)..<((r + 1) * 32)])
                    let start = try #require((0...(heldOut.count - 33)).first { Array(heldOut[$0..<($0 + 32)]) == input && $0 >= position })
                    position = start
                    for i in 0..<32 where batch.mask[r * 32 + i] == 1 {
                        #expect(batch.targets[r * 32 + i] == heldOut[start + i + 1])
                        scored.append(start + i + 1)
                    }
                    if name != "nonoverlapping" && start > 0 { #expect(batch.mask[(r * 32)..<(r * 32 + 24)].allSatisfy { $0 == 0 }) }
                }
            }
            let once = scored == Array(1...512)  // a Bool: a failure would print 512 numbers
            #expect(once, "\(name) scores \(scored.count) targets, from \(scored.first ?? 0) to \(scored.last ?? 0)")
        }
    }

    /// "Both protocols score the same targets" was false when the length does not divide
    /// `eval_tokens` (16,300 against 16,375 at length 100): both now score the first
    /// ⌊eval_tokens / L⌋·L held-out targets, each once, `sliding` ending with a window that scores
    /// only the targets the others left.
    @Test func protocolsScoreTheSameTargetsWhenTheLengthDoesNotDivideEvalTokens() throws {
        let t = try text("file=\(try textFile(sampleText)), split=0.5, eval_tokens=1000")
        let heldOut = Array(Array(sampleText.utf8).map(Int.init)[2000...])
        let length = 50, stride = 13  // ⌈0.25·50⌉; 13 divides neither 1000 − 50 nor 50
        var scoredBy: [String: [Int]] = [:]
        for name in t.evaluationProtocols(length: length) {
            var scored: [Int] = [], position = 0
            for batch in t.evaluationBatches(length: length, protocol: name, maxRows: 7) {
                for r in 0..<batch.size {
                    let input = Array(batch.inputs[(r * length)..<((r + 1) * length)])
                    let start = try #require((position...(heldOut.count - length - 1)).first { Array(heldOut[$0..<($0 + length)]) == input })
                    position = start
                    for i in 0..<length where batch.mask[r * length + i] == 1 {
                        #expect(batch.targets[r * length + i] == heldOut[start + i + 1])
                        scored.append(start + i + 1)
                    }
                    if name != "nonoverlapping" && start > 0 {
                        #expect(batch.mask[(r * length)..<(r * length + length - stride)].allSatisfy { $0 == 0 }, "context of at least L − stride + 1")
                    }
                }
            }
            scoredBy[name] = scored
        }
        let expected = Array(1...(1000 / length * length))
        for (name, scored) in scoredBy {
            let same = scored == expected  // a Bool: a failure would print 1,000 numbers
            #expect(same, "\(name) scores \(scored.count) targets, from \(scored.first ?? 0) to \(scored.last ?? 0)")
        }
    }

    /// bits per byte needs each token's bytes: one for `bytes`, the token's UTF-8 for `gpt2`.
    @Test func byteCounts() throws {
        let path = try textFile(sampleText)
        let bytes = try text("file=\(path)")
        #expect((0..<256).allSatisfy { bytes.byteCount(of: $0) == 1 })
        let gpt2 = try text("file=\(path), tokenizer=gpt2")
        let tokenizer = try #require(try BuiltinTokenizers.make("gpt2"))
        let ids = tokenizer.encode("Hello, do you like tea? In the sunlit terraces")
        #expect(ids.map(gpt2.byteCount).reduce(0, +) == "Hello, do you like tea? In the sunlit terraces".utf8.count)
    }
}
