import Foundation
import PosLabTestSupport
import PosLabModel
import Testing

/// `poslab inspect`, run as a user runs it.
@Suite struct InspectCommandTests {
    /// Runs the `poslab` built next to the test bundle; returns (status, stdout, stderr).
    func poslab(_ arguments: [String], in directory: URL? = nil) throws -> (Int32, String, String) {
        try runProcess(Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("poslab"), arguments, in: directory)
    }

    /// A saved model (learned table, causal) with head.bias = 1…7; removed by the caller.
    func savedModel(_ attention: AttentionMode = .causal) throws -> (Transformer, String) {
        let model = try Transformer(config: smallConfig(attention), encoding: Spec(parsing: "learned"), seed: 4)
        perturb(model, seed: 8)
        model.headBias.assign([1, 2, 3, 4, 5, 6, 7])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-inspect-\(UUID().uuidString).safetensors")
        try model.saveCheckpoint(to: url, configuration: "task: reverse\nsteps: 300", metadata: ["run_id": "reverse|learned|4"])
        return (model, url.path)
    }

    @Test func summaryListsConfigurationAndTensors() throws {
        let (model, path) = try savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, out, err) = try poslab(["inspect", path])
        #expect(status == 0 && err.isEmpty)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.contains("model          vocab_size 7, d_model 8, layers 2, heads 2, max_length 10, causal"))
        #expect(lines.contains("encoding       learned(size=10)") && lines.contains("seed           4"))
        #expect(lines.contains("  task: reverse") && lines.contains("  steps: 300") && lines.contains("  run_id = reverse|learned|4"))
        // name, shape, mean, sd (n−1), min, max
        let head = try #require(lines.first { $0.hasPrefix("head.bias ") }).split(separator: " ")
        #expect(head == ["head.bias", "[7]", "4", "2.16", "1", "7"])
        let table = try #require(lines.first { $0.hasPrefix("encoding.table ") }).split(separator: " ")
        let values = model.encoding.parameters[0].values.map(Double.init)
        #expect(table.prefix(3) == ["encoding.table", "[10,", "8]"])
        #expect(table[5] == String(format: "%.4g", values.min()!) && table[6] == String(format: "%.4g", values.max()!))
        #expect(lines.filter { $0.hasPrefix("blocks.") }.count == 24)
    }

    @Test func oneTensorAsCSV() throws {
        let (model, path) = try savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, out, _) = try poslab(["inspect", path, "--tensor", "head.weight", "--csv"])
        #expect(status == 0)
        let rows = out.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.first == ["row", "column", "value"] && rows.count == 1 + 56)
        let w = model.headWeight.values  // (in 8, out 7); the checkpoint holds (out, in)
        var exact = true
        for row in rows.dropFirst() {
            let (j, i) = (Int(row[0])!, Int(row[1])!)
            if Float(row[2])!.bitPattern != w[i * 7 + j].bitPattern { exact = false }
        }
        #expect(exact)
        let (s2, o2, e2) = try poslab(["inspect", path, "--tensor", "head.wieght"])
        #expect(s2 == 2 && o2.isEmpty && e2 == "error: \(path): has no tensor 'head.wieght'; did you mean 'head.weight'? (`poslab inspect \(path)` lists them)\n")
    }

    /// The CSV holds the model's attention weights exactly, rows summing to 1, nothing after the query (causal).
    @Test func attentionMapsAsCSV() throws {
        let (_, path) = try savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ids = [3, 1, 4, 1, 5, 6, 2, 0]
        let (status, out, err) = try poslab(["inspect", path, "--attention", "--ids", ids.map(String.init).joined(separator: " ")])
        #expect(status == 0 && err.isEmpty)
        let rows = out.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.first == ["layer", "head", "query", "key", "query_position", "key_position", "query_token", "key_token", "weight"])
        #expect(rows.count == 1 + 2 * 2 * 8 * 8)
        let maps = try Transformer(checkpoint: URL(fileURLWithPath: path)).attentionMaps(ids: ids, batch: 1, length: 8)
        var exact = true, rowSums: [String: Float] = [:]
        for r in rows.dropFirst() {
            let (layer, head, i, j) = (Int(r[0])!, Int(r[1])!, Int(r[2])!, Int(r[3])!)
            let w = Float(r[8])!
            if w.bitPattern != maps[layer].values[(head * 8 + i) * 8 + j].bitPattern || Int(r[6])! != ids[i] || Int(r[7])! != ids[j] { exact = false }
            if j > i && w != 0 { exact = false }
            rowSums["\(layer) \(head) \(i)", default: 0] += w
        }
        #expect(exact)
        #expect(rowSums.count == 32 && rowSums.values.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    /// --task draws example K of the evaluation set as `poslab run` does (seed 2024, one stream per task and length).
    @Test func attentionForAnEvaluationExample() throws {
        let (_, path) = try savedModel(.bidirectional)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, out, _) = try poslab(["inspect", path, "--attention", "--task", "reverse(symbols=7)", "--length", "6", "--example", "2"])
        #expect(status == 0)
        let rng = RandomGenerator(seed: 2024, stream: "eval/reverse(symbols=7)/6")
        let examples = (0..<3).map { _ in (0..<6).map { _ in rng.int(below: 7) } }
        let tokens = out.split(separator: "\n").dropFirst().prefix(36).map { Int($0.split(separator: ",")[7])! }
        #expect(tokens == Array((0..<6).map { _ in examples[2] }.joined()))
        // The task and evaluation seed saved in the checkpoint's metadata are the defaults.
        let model = try Transformer(checkpoint: URL(fileURLWithPath: path))
        let named = path + ".task.safetensors"
        defer { try? FileManager.default.removeItem(atPath: named) }
        try model.saveCheckpoint(to: URL(fileURLWithPath: named), metadata: ["task": "reverse(symbols=7)", "evaluation_seed": "7"])
        let (s1, o1, _) = try poslab(["inspect", named, "--attention", "--length", "6", "--example", "2"])
        let own = RandomGenerator(seed: 7, stream: "eval/reverse(symbols=7)/6")
        let ownExamples = (0..<3).map { _ in (0..<6).map { _ in own.int(below: 7) } }
        #expect(s1 == 0 && o1.split(separator: "\n").dropFirst().prefix(6).map { Int($0.split(separator: ",")[7])! } == ownExamples[2])
        #expect(try poslab(["inspect", named, "--attention", "--length", "6", "--example", "2", "--eval-seed", "2024"]).1 == out)
        let (s4, _, e4) = try poslab(["inspect", path, "--attention"])
        #expect(s4 == 2 && e4.contains("--attention needs --task SPEC or --ids"))
        let (s2, _, e2) = try poslab(["inspect", path, "--attention", "--task", "reverse(symbols=8)"])
        #expect(s2 == 2 && e2.contains("has vocabulary 8, the model 7"))
        let (s3, _, e3) = try poslab(["inspect", path, "--attention", "--ids", "1 2 3 4 5 6 0 1 2 3 4"])
        #expect(s3 == 2 && e3 == "error: \(path): learned(size=10) cannot represent length 11 (at most 10)\n")
    }

    /// A damaged, truncated or missing file: one line naming it, exit status 2.
    @Test func damagedFilesExit2NamingTheFile() throws {
        let (_, path) = try savedModel()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = path + ".truncated"
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: truncated))
        defer { try? FileManager.default.removeItem(atPath: truncated) }
        for arguments in [[truncated], [truncated, "--attention", "--ids", "1 2"], [truncated, "--tensor", "head.bias", "--csv"]] {
            let (status, out, err) = try poslab(["inspect"] + arguments)
            #expect(status == 2 && out.isEmpty)
            #expect(err.hasPrefix("error: \(truncated): truncated: tensor 'encoding.table' ends at data byte") && err.filter { $0 == "\n" }.count == 1, "\(err)")
        }
        var garbled = bytes
        garbled[8] = UInt8(ascii: "[")
        try garbled.write(to: URL(fileURLWithPath: truncated))
        #expect(try poslab(["inspect", truncated]) == (2, "", "error: \(truncated): the header is not a JSON object (it must start with '{')\n"))
        let missing = path + ".missing"
        #expect(try poslab(["inspect", missing]) == (2, "", "error: \(missing): no such file\n"))
        // Named as the user wrote it; a device is not read at all.
        let folder = URL(fileURLWithPath: truncated).deletingLastPathComponent(), name = URL(fileURLWithPath: truncated).lastPathComponent
        #expect(try poslab(["inspect", name], in: folder) == (2, "", "error: \(name): the header is not a JSON object (it must start with '{')\n"))
        #expect(try poslab(["inspect", "/dev/null"]) == (2, "", "error: /dev/null: is not a regular file\n"))
    }
}
