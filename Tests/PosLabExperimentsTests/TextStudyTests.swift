import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabStudy
import Testing

/// Language modelling on a text file as a suite's task: the seed chapter's pipeline in a study.
@Suite struct TextStudyTests {
    /// A folder holding `corpus.txt` (the first 20,000 characters of Data/tinyshakespeare.txt) and
    /// a suite file `text.yaml` next to it naming it by a relative path.
    func study(encodings: String = "[none, learned, alibi]", attention: String = "causal", task: String = "text(file=corpus.txt, eval_tokens=1024)",
               lengths: String = "[16, 32]")
        throws -> URL {
        let dir = temporaryDirectory()
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try Data(contentsOf: repository.appendingPathComponent("Data/tinyshakespeare.txt")).prefix(20_000)
        try text.write(to: dir.appendingPathComponent("corpus.txt"))
        try """
            name: text
            encodings: \(encodings)
            tasks: ["\(task)"]
            seeds: [1]
            model: {d_model: 16, layers: 1, heads: 2, attention: \(attention)}
            training: {steps: 30, batch_size: 8, length: 16}
            evaluation: {lengths: \(lengths)}
            """.write(to: dir.appendingPathComponent("text.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Rows per length and protocol with loss, perplexity and bits per byte; for the `bytes`
    /// tokenizer every scored token is one byte, so bits per byte is the loss in bits.
    @Test func textTaskRowsCarryPerplexityAndBitsPerByte() throws {
        let dir = try study()
        let suite = try Suite.load(path: dir.appendingPathComponent("text.yaml").path)
        let store = try runStudy(suite, in: dir.appendingPathComponent("results")).store
        let c = Dictionary(uniqueKeysWithValues: ResultsStore.runColumns.enumerated().map { ($1, $0) })
        let rows = store.runRows
        #expect(rows.count == 3 * 2 * 2)  // encodings × lengths × protocols
        #expect(Set(rows.map { $0[c["eval_protocol"]!] }) == ["nonoverlapping", "sliding(stride=0.25L)"])
        for row in rows {
            let status = row[c["status"]!]
            if row[c["encoding"]!] == "learned" && row[c["eval_length"]!] == "32" {
                #expect(status == "unsupported" && row[c["perplexity"]!].isEmpty)
                continue
            }
            #expect(status == "ok")
            let loss = try #require(Double(row[c["eval_loss"]!])), ppl = try #require(Double(row[c["perplexity"]!]))
            let bpb = try #require(Double(row[c["bits_per_byte"]!]))
            #expect(abs(ppl - exp(loss)) <= 1e-12 * ppl && abs(bpb - loss / log(2)) <= 1e-12 * bpb)
            #expect(loss > 1 && loss < log(257) + 0.5 && row[c["sequence_accuracy"]!].isEmpty)
        }
        // The task is named by its file's name and content, not its path.
        let sha = SHA256.hex(try Data(contentsOf: dir.appendingPathComponent("corpus.txt")))
        #expect(rows[0][c["task_args"]!] == "eval_tokens=1024;file=corpus.txt;sha256=\(sha.prefix(16));split=0.9;stride=0.25;tokenizer=bytes")
        // Protocols are settings: never averaged or paired together.
        let records = try RunRow.load(directory: dir.appendingPathComponent("results"))
        #expect(Set(records.map(\.setting)) == ["eval_protocol=nonoverlapping", "eval_protocol=sliding(stride=0.25L)"])
    }

    /// The same corpus in another folder is the same run; an edited corpus is another.
    @Test func identityFollowsTheFilesContent() throws {
        let a = try study(), b = try study()
        let ids = { (dir: URL) in
            let suite = try Suite.load(path: dir.appendingPathComponent("text.yaml").path)
            return try Trainer(suite: suite).resolve(suite.runs).map(\.id)
        }
        #expect(try ids(a) == ids(b))
        try Data("edited".utf8).write(to: b.appendingPathComponent("corpus.txt"), options: .atomic)
        try (try Data(contentsOf: a.appendingPathComponent("corpus.txt")) + Data("!".utf8)).write(to: b.appendingPathComponent("corpus.txt"))
        #expect(try Set(ids(a)).isDisjoint(with: ids(b)))
    }

    /// Next-token prediction under bidirectional attention would see its answer: refused, as are
    /// a missing file and lengths the held-out part cannot hold, each naming the key.
    @Test func badTextSuitesAreNamed() throws {
        let bidirectional = try study(attention: "bidirectional")
        #expect {
            try Suite.load(path: bidirectional.appendingPathComponent("text.yaml").path)
        } throws: { "\($0)".hasSuffix("text.yaml:5: model.attention: text needs causal attention (got bidirectional)") }
        let missing = try study(task: "text(file=nothing.txt)")
        #expect {
            try Suite.load(path: missing.appendingPathComponent("text.yaml").path)
        } throws: { "\($0)".hasSuffix("text.yaml:3: tasks[0]: \(missing.path)/nothing.txt: no such file (in 'text(file=\(missing.path)/nothing.txt)')") }
        let long = try study(task: "text(file=corpus.txt, split=0.99)", lengths: "[16, 256]")
        #expect {
            try Suite.load(path: long.appendingPathComponent("text.yaml").path)
        } throws: { "\($0)".contains("evaluation.lengths: text(") && "\($0)".hasSuffix("is defined up to length 199; got 256") }
    }
}
