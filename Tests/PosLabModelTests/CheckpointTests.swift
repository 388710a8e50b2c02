import Foundation
import PosLabModel
import Testing

/// Saving and loading checkpoints: bit-for-bit round trips, names and layout, and damaged files.
@Suite struct CheckpointTests {
    static let specs = ["none", "learned", "sinusoidal", "relative-bias(buckets=8, max_distance=20)", "alibi", "rope",
                        "randomized(learned, max_length=16)"]

    func temporaryURL(_ name: String = "model") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("poslab-checkpoint-\(UUID().uuidString)-\(name).safetensors")
    }

    /// Loading a checkpoint into a freshly built model reproduces the saved model's logits bit for
    /// bit, and its metadata: config, encoding, seed, the caller's configuration and keys.
    @Test(arguments: specs, AttentionMode.allCases)
    func roundTripIsBitForBit(_ spec: String, _ mode: AttentionMode) throws {
        let config = smallConfig(mode)
        let saved = try Transformer(config: config, encoding: Spec(parsing: spec), seed: 5)
        perturb(saved, seed: 11)
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try saved.saveCheckpoint(to: url, configuration: "steps: 300\nlr: 0.003", metadata: ["run_id": "shift|\(spec)|5"])

        let checkpoint = try Checkpoint(contentsOf: url)
        #expect(checkpoint.config == config && checkpoint.seed == 5 && checkpoint.encoding == saved.encoding.fullName)
        #expect(checkpoint.configuration == "steps: 300\nlr: 0.003" && checkpoint.extraMetadata == ["run_id": "shift|\(spec)|5"])

        let ids = (0..<30).map { ($0 * 5 + 3) % config.vocabSize }
        let positions = spec.hasPrefix("randomized") ? [0, 1, 3, 4, 6, 8, 9, 11, 12, 15] : nil
        let expected = try saved.logits(ids: ids, batch: 3, length: 10, positions: positions).values.map(\.bitPattern)
        let loaded = try Transformer(checkpoint: url)
        #expect(loaded.seed == 5)
        #expect(try loaded.logits(ids: ids, batch: 3, length: 10, positions: positions).values.map(\.bitPattern) == expected)
        // The same into a model built from another seed (other initial weights).
        let other = try Transformer(config: config, encoding: Spec(parsing: spec), seed: 99)
        try other.loadWeights(from: checkpoint)
        #expect(try other.logits(ids: ids, batch: 3, length: 10, positions: positions).values.map(\.bitPattern) == expected)
    }

    /// Every registered built-in encoding (with its default arguments) survives the round trip bit for bit.
    @Test func everyBuiltinEncodingRoundTrips() throws {
        let names = EncodingRegistry.shared.all.filter { $0.origin == .builtIn }.map(\.name)
        #expect(names.count >= 7)
        for name in names {
            let spec = name == "randomized" ? "randomized(learned, max_length=16)" : name
            for mode in AttentionMode.allCases {
                let declared = try EncodingRegistry.shared.make(Spec(parsing: spec), context: EncodingContext(config: smallConfig(mode), seed: 6))
                guard declared.attentionModes.contains(mode) else { continue }  // e.g. cope: causal only
                let saved = try Transformer(config: smallConfig(mode), encoding: Spec(parsing: spec), seed: 6)
                perturb(saved, seed: 12)
                let file = try saved.checkpointContents()
                #expect(file.tensors.count == saved.parameters.count && Set(file.tensors.map(\.name)).count == file.tensors.count)
                let loaded = try Transformer(checkpoint: Checkpoint(contents: SafetensorsFile(decoding: file.encoded(), file: name), file: name))
                let ids = (0..<20).map { ($0 * 3 + 1) % 7 }, positions = Array(0..<10)
                let a = try saved.logits(ids: ids, batch: 2, length: 10, positions: positions).values.map(\.bitPattern)
                let b = try loaded.logits(ids: ids, batch: 2, length: 10, positions: positions).values.map(\.bitPattern)
                #expect(a == b, "\(spec) \(mode)")
            }
        }
    }

    /// Names follow the model and PyTorch's conventions; linear weights are stored (out, in).
    @Test func namesAndLayout() throws {
        let model = try Transformer(config: smallConfig(), encoding: Spec(parsing: "learned(size=12)"), seed: 1)
        let file = try model.checkpointContents()
        let names = file.tensors.map(\.name)
        let first: [String] = ["token_embedding.weight", "blocks.0.ln1.weight", "blocks.0.ln1.bias", "blocks.0.attn.qkv.weight",
                               "blocks.0.attn.qkv.bias", "blocks.0.attn.out.weight", "blocks.0.attn.out.bias",
                               "blocks.0.ln2.weight", "blocks.0.ln2.bias"]
        let last: [String] = ["ln_final.weight", "ln_final.bias", "head.weight", "head.bias", "encoding.table"]
        #expect(Array(names.prefix(9)) == first)
        #expect(Array(names.suffix(5)) == last)
        #expect(file["blocks.1.mlp.fc1.weight"]?.shape == [32, 8] && file["blocks.1.mlp.fc2.weight"]?.shape == [8, 32])
        #expect(file["head.weight"]?.shape == [7, 8] && file["encoding.table"]?.shape == [12, 8])
        // (out, in): row j of the stored head is column j of PosLab's (in, out) matrix.
        let head = model.headWeight.values, stored = file["head.weight"]!.values
        var transposed = true
        for i in 0..<8 { for j in 0..<7 where stored[j * 8 + i] != head[i * 7 + j] { transposed = false } }
        #expect(transposed)
        #expect(file.metadata["poslab.linear_layout"] == "out_in" && file.metadata["format"] == "pt")
        #expect(file.tensors.count == model.parameters.count)
        #expect(throws: ConfigurationError.self) { try model.checkpointContents(metadata: ["poslab.seed": "3"]) }
    }

    /// Encoded files follow the specification's layout: header length, padding, data alignment.
    @Test func encodedLayout() throws {
        let values: [Float] = [-0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, .nan, 1]
        let file = SafetensorsFile(tensors: [.init(name: "a", shape: [2, 3], values: values), .init(name: "b", shape: [], values: [7]),
                                             .init(name: "c", shape: [0, 4], values: [])],
                                   metadata: ["note": "ü \"quoted\" / slash"])
        let bytes = try file.encoded()
        let n = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        #expect(n % 8 == 0 && bytes.count == 8 + n + 4 * 7)
        let header = try #require(String(data: bytes.subdata(in: 8..<8 + n), encoding: .utf8))
        #expect(header.hasPrefix("{") && header.contains(#""a":{"data_offsets":[0,24],"dtype":"F32","shape":[2,3]}"#))
        let back = try SafetensorsFile(decoding: bytes, file: "memory")
        #expect(back.tensors.map(\.name) == ["a", "b", "c"])  // data order; c is empty, at the end
        #expect(back["a"]!.values.map(\.bitPattern) == values.map(\.bitPattern) && back["b"]!.values == [7])
        #expect(back["c"]!.shape == [0, 4] && back.metadata == file.metadata)
        #expect(throws: CheckpointError.self) {
            try SafetensorsFile(tensors: [.init(name: "a", shape: [2], values: [1, 2, 3])]).encoded()
        }
        // Whatever the header's length, it is padded with spaces so that the data starts at a multiple of 8.
        for extra in 0..<8 {
            let bytes = try SafetensorsFile(tensors: [.init(name: "a", shape: [1], values: [1])],
                                            metadata: ["k": String(repeating: "x", count: extra)]).encoded()
            let n = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
            #expect(n % 8 == 0 && bytes.count == 8 + n + 4 && bytes[8 + n - 1] != 0, "header of \(n) bytes")
            #expect(try SafetensorsFile(decoding: bytes, file: "memory").metadata["k"]?.count == extra)
        }
    }

    // MARK: - Damaged files

    /// A file of `header` (JSON text, padded) and `data` bytes.
    func raw(_ header: String, data: Int) -> Data {
        var json = Data(header.utf8)
        json.append(contentsOf: [UInt8](repeating: 32, count: (8 - json.count % 8) % 8))
        var bytes = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + json + Data(count: data)
    }

    func problem(_ bytes: Data) -> String? {
        do {
            _ = try SafetensorsFile(decoding: bytes, file: "/tmp/x.safetensors")
            return nil
        } catch let error as CheckpointError {
            #expect(error.file == "/tmp/x.safetensors" && !error.problem.contains("\n"))
            return error.problem
        } catch {
            Issue.record("not a CheckpointError: \(error)")
            return "\(error)"
        }
    }

    /// Each rule of the format broken once: the error names the problem.
    @Test func malformedFilesAreRefusedWithTheReason() throws {
        let t = #""dtype":"F32","shape":[2]"#
        let cases: [(Data, String)] = [
            (Data([1, 2, 3]), "truncated: 3 bytes"),
            (raw("{}", data: 0).prefix(12), "truncated: the header is 8 bytes"),
            (Data([255, 255, 255, 255, 255, 255, 255, 255]) + Data(count: 8), "exceeds the 100000000-byte limit"),
            (raw("[1, 2]", data: 0), "not a JSON object"),
            (raw("{\"a\": {", data: 0), "bad header: not valid JSON"),
            (raw(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: 8), "missing 'data_offsets'"),
            (raw(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}"#, data: 8), "3 data_offsets, not 2"),
            (raw(#"{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}"#, data: 8), "expected an integer"),
            (raw(#"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: 4), "has dtype F16; PosLab reads F32 only"),
            (raw(#"{"a":{\#(t),"data_offsets":[8,0]}}"#, data: 8), "not an increasing pair"),
            (raw(#"{"a":{\#(t),"data_offsets":[0,12]}}"#, data: 12), "needs 8 bytes, data_offsets [0, 12] hold 12"),
            (raw(#"{"a":{\#(t),"data_offsets":[0,8]},"b":{\#(t),"data_offsets":[4,12]}}"#, data: 12), "overlaps 'a'"),
            (raw(#"{"a":{\#(t),"data_offsets":[0,8]},"b":{\#(t),"data_offsets":[12,20]}}"#, data: 20), "leaving bytes 8..<12 undescribed"),
            (raw(#"{"a":{\#(t),"data_offsets":[0,8]}}"#, data: 7), "truncated: tensor 'a' ends at data byte 8, the file holds 7"),
            (raw(#"{"a":{\#(t),"data_offsets":[0,8]}}"#, data: 9), "1 bytes after the last tensor"),
            (raw(#"{"a":{"dtype":"F32","shape":[-1,-8],"data_offsets":[0,32]}}"#, data: 32), "negative dimension"),
            (raw(#"{"__metadata__":{"k":1}}"#, data: 0), "__metadata__.k: expected a string"),
        ]
        for (bytes, expected) in cases {
            let got = problem(bytes)
            #expect(got?.contains(expected) == true, "expected '\(expected)', got \(got ?? "no error")")
        }
        #expect(problem(raw(#"{"a":{\#(t),"data_offsets":[0,8]},"__metadata__":{"k":"v"}}"#, data: 8)) == nil)
    }

    /// Every truncation of a real checkpoint, and every single-byte change to its header, is
    /// refused with a CheckpointError or read as a valid file: never a crash.
    @Test func everyTruncationIsAnError() throws {
        let model = try Transformer(config: smallConfig(dModel: 4, layers: 1), encoding: Spec(parsing: "relative-bias(buckets=4, max_distance=8)"), seed: 2)
        let bytes = try model.checkpointContents(configuration: "x").encoded()
        for length in 0..<bytes.count {
            #expect(problem(bytes.prefix(length)) != nil, "a file cut to \(length) of \(bytes.count) bytes was read")
        }
        let n = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        for i in 0..<8 + n {
            var damaged = bytes
            damaged[i] ^= 0x5A
            _ = problem(damaged)  // an error or a valid file; a crash fails the whole test run
        }
    }

    /// Checkpoint-level problems: not PosLab's, another model, missing or extra tensors, a file that is not there.
    @Test func checkpointsThatDoNotFitAreRefused() throws {
        let model = try Transformer(config: smallConfig(), encoding: Spec(parsing: "learned"), seed: 3)
        let good = try model.checkpointContents()
        func refusal(_ edit: (inout SafetensorsFile) -> Void) -> String {
            var contents = good
            edit(&contents)
            let url = temporaryURL()
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                try contents.write(to: url)
                _ = try Transformer(checkpoint: url)
                return "loaded"
            } catch let error as CheckpointError {
                #expect(error.file == url.path)
                return error.problem
            } catch { return "not a CheckpointError: \(error)" }
        }
        #expect(refusal { $0.metadata = [:] }.contains("metadata lacks 'poslab.format': not a PosLab checkpoint"))
        #expect(refusal { $0.metadata["poslab.heads"] = "3" }.contains("impossible model"))
        #expect(refusal { $0.metadata["poslab.encoding"] = "nope" }.contains("cannot rebuild encoding 'nope'"))
        #expect(refusal { $0.metadata["poslab.linear_layout"] = "in_out" }.contains("PosLab writes and reads out_in"))
        #expect(refusal { $0.tensors.removeLast() } == "lacks tensor 'encoding.table'")
        #expect(refusal { $0.tensors.append(.init(name: "extra", shape: [1], values: [0])) } == "holds tensor 'extra', which this model does not have")
        #expect(refusal { $0.tensors[3] = .init(name: "blocks.0.attn.qkv.weight", shape: [8, 24], values: .init(repeating: 0, count: 192)) }
                == "tensor 'blocks.0.attn.qkv.weight' has shape [8, 24], the model needs [24, 8]")
        #expect(refusal { _ in } == "loaded")
        let missing = temporaryURL("missing")
        #expect(throws: CheckpointError(file: missing.path, problem: "no such file")) { try Checkpoint(contentsOf: missing) }
        let other = try Transformer(config: smallConfig(.causal), encoding: Spec(parsing: "learned"), seed: 3)
        #expect(throws: CheckpointError.self) { try other.loadWeights(from: Checkpoint(contents: good, file: "m")) }
    }
}

/// The checkpoint of the standard config (vocab 16, d_model 64, 2 layers, 4 heads, max_length 32):
/// its size is the parameters' bytes plus a small header; prints the median save and load times.
@Suite struct CheckpointSizeTests {
    @Test(arguments: ["none", "learned"])
    func standardConfigCheckpoint(_ spec: String) throws {
        let model = try Transformer(config: ModelConfig(vocabSize: 16), encoding: Spec(parsing: spec), seed: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-standard-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        var save: [Double] = [], load: [Double] = []
        for _ in 0..<21 {
            save.append(try seconds { try model.saveCheckpoint(to: url, configuration: "standard") })
            load.append(try seconds { _ = try Transformer(checkpoint: url) })
        }
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        let bytes = try Data(contentsOf: url)
        let header = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        #expect(size == 8 + header + 4 * model.parameterCount && header < 4096)
        #expect(model.parameterCount == (spec == "none" ? 102_160 : 102_160 + 32 * 64))
        print(String(format: "standard config, %@: %d parameters, checkpoint %d bytes (header %d); median of 21: save %.2f ms, load (read, check, build, assign) %.2f ms",
                     spec, model.parameterCount, size, header, save.sorted()[10] * 1e3, load.sorted()[10] * 1e3))
    }
}

/// Adds N(0, 0.3²) noise to every parameter, so no weight keeps its initial 0 or 1.
func perturb(_ model: Transformer, seed: UInt64) {
    let rng = RandomGenerator(seed: seed, stream: "checkpoint-test-noise")
    for p in model.parameters { p.assign(p.values.map { $0 + Float(rng.gaussian(sigma: 0.3)) }) }
}
