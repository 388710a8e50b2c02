import Foundation
import PosLabModel
import Testing

/// The fixture written by `Scripts/make_checkpoint_fixture.py`: PyTorch's logits and attention
/// weights for PosLab checkpoints loaded with `safetensors.torch.load_file`.
struct CheckpointFixture: Decodable {
    struct Case: Decodable {
        var file: String, encoding: String, attention: String
        var batch: Int, length: Int
        var ids: [Int], positions: [Int]?
        var logits: [Float]
        var attention_maps: [[Float]]
    }
    var safetensors_version: String
    var cases: [Case]

    static let shared: CheckpointFixture = {
        try! JSONDecoder().decode(CheckpointFixture.self, from: Data(contentsOf: fixtureFile("checkpoint_logits.json")))
    }()
}

/// A file in the test bundle's Fixtures folder.
func fixtureFile(_ name: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// PosLab's checkpoints, loaded by PyTorch: the same logits and attention weights (1e-4, relative
/// to each tensor's largest value, as the parity test), for every built-in encoding in each attention
/// mode it supports, rope with each scaling among them.
@Suite struct CheckpointFixtureTests {
    /// The checkpoints the fixture was made from: stem and spec (the seed is 17 + the index), each in
    /// every attention mode its encoding supports. The first seven come first, so their checkpoints
    /// stay as they were. Scaled RoPE acts only beyond the training length, so the script evaluates
    /// those at 16 tokens (max_length 10); the other constants match Scripts/make_encoding_parity_fixture.py.
    static let specs = [("none", "none"), ("learned", "learned"), ("sinusoidal", "sinusoidal"),
                        ("relative-bias", "relative-bias(buckets=8, max_distance=20)"), ("alibi", "alibi"), ("rope", "rope"),
                        ("randomized-learned", "randomized(learned, max_length=16)"),
                        ("kerple", "kerple"), ("kerple-power", "kerple(kind=power)"), ("alibi-asym", "alibi-asym"),
                        ("fire", "fire(hidden=4, init_threshold=6)"), ("shaw", "shaw(max_distance=3)"),
                        ("xpos", "xpos(scale_base=4)"), ("cope", "cope(npos=6)"),
                        ("rope-pi", "rope(scaling=pi, factor=2)"), ("rope-ntk", "rope(scaling=ntk, factor=4)"),
                        ("rope-yarn", "rope(scaling=yarn, beta=3)"), ("abacus", "abacus(max_offset=4, size=12)")]

    /// The attention modes the encoding `spec` names supports, in `AttentionMode.allCases` order.
    static func modes(_ spec: String) throws -> [AttentionMode] {
        let encoding = try EncodingRegistry.shared.make(Spec(parsing: spec), context: EncodingContext(config: smallConfig(), seed: 0))
        return AttentionMode.allCases.filter(encoding.attentionModes.contains)
    }

    @Test(arguments: CheckpointFixture.shared.cases.indices)
    func pyTorchReadsPosLabCheckpoints(_ index: Int) throws {
        let c = CheckpointFixture.shared.cases[index]
        let model = try Transformer(checkpoint: fixtureFile(c.file))
        #expect(model.encoding.fullName == c.encoding && model.config.attention.rawValue == c.attention)
        let logits = try model.logits(ids: c.ids, batch: c.batch, length: c.length, positions: c.positions)
        let error = PyTorchParityTests.normwiseError(logits.values, c.logits)
        #expect(error < 1e-4, "\(c.file): logits off by \(error)")
        let maps = try model.attentionMaps(ids: c.ids, batch: c.batch, length: c.length, positions: c.positions)
        #expect(maps.count == c.attention_maps.count)
        for (layer, (ours, theirs)) in zip(maps, c.attention_maps).enumerated() {
            #expect(ours.shape == [c.batch, model.config.heads, c.length, c.length])
            let error = PyTorchParityTests.normwiseError(ours.values, theirs)
            #expect(error < 1e-4, "\(c.file): attention of layer \(layer) off by \(error)")
        }
    }

    /// Every built-in encoding is checked through a checkpoint, in every attention mode it supports
    /// (cope: causal only): kerple of both kinds, and rope plain and with each scaling, evaluated
    /// beyond its training length where the scaling acts. The fixture holds exactly the checkpoints
    /// `specs` makes, in order.
    @Test func everyBuiltinEncodingIsCovered() throws {
        let cases = CheckpointFixture.shared.cases
        let expected = try Self.specs.flatMap { stem, spec in try Self.modes(spec).map { "checkpoints/\(stem)-\($0.rawValue).safetensors" } }
        #expect(cases.map(\.file) == expected)
        #expect(expected.count == 35)
        let builtins = Set(EncodingRegistry.shared.all.filter { $0.origin == .builtIn }.map(\.name))
        var covered: [String: Set<String>] = [:], kinds = Set<String>(), scalings = Set<String>()
        for c in cases {
            let model = try Transformer(checkpoint: fixtureFile(c.file))
            covered[model.encoding.name, default: []].insert(c.attention)
            if let kerple = model.encoding as? KerpleEncoding { kinds.insert(kerple.kind.rawValue) }
            if let rope = model.encoding as? RotaryEncoding {
                scalings.insert(rope.scaling.rawValue)
                #expect(rope.scaling == .none || c.length > model.config.maxLength, "\(c.file) at \(c.length)")
            }
        }
        #expect(builtins.isSubset(of: Set(covered.keys)), "no checkpoint check for \(builtins.subtracting(covered.keys).sorted())")
        for (name, modes) in covered where name != "randomized" {
            #expect(modes == Set(try Self.modes(name).map(\.rawValue)), "\(name): \(modes.sorted())")
        }
        #expect(kinds == ["log", "power"] && scalings == ["none", "pi", "ntk", "yarn"])
    }

    /// A file written by the `safetensors` package itself is read exactly: names, shapes, metadata
    /// and every value's bits (-0, subnormals, infinities and NaN included).
    @Test func readsWhatTheSafetensorsPackageWrites() throws {
        struct Expected: Decodable {
            struct Tensor: Decodable { var shape: [Int]; var bits: [UInt32] }
            var metadata: [String: String]
            var tensors: [String: Tensor]
        }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtureFile("python_written.json")))
        let file = try SafetensorsFile(contentsOf: fixtureFile("python_written.safetensors"))
        #expect(file.metadata == expected.metadata)
        #expect(Set(file.tensors.map(\.name)) == Set(expected.tensors.keys) && file.tensors.count == expected.tensors.count)
        for (name, tensor) in expected.tensors {
            let ours = try #require(file[name])
            #expect(ours.shape == tensor.shape, "\(name)")
            #expect(ours.values.map(\.bitPattern) == tensor.bits, "\(name)")
        }
    }

    /// Writes Fixtures/checkpoints/ (then run Scripts/make_checkpoint_fixture.py): only when asked,
    /// with POSLAB_WRITE_CHECKPOINT_FIXTURES=1.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["POSLAB_WRITE_CHECKPOINT_FIXTURES"] == "1"))
    func writeCheckpointFixtures() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/checkpoints")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (i, (stem, spec)) in Self.specs.enumerated() {
            for mode in try Self.modes(spec) {
                let model = try Transformer(config: smallConfig(mode), encoding: Spec(parsing: spec), seed: UInt64(17 + i))
                perturb(model, seed: UInt64(i))
                let url = folder.appendingPathComponent("\(stem)-\(mode.rawValue).safetensors")
                try model.saveCheckpoint(to: url, configuration: "Tests/PosLabModelTests/CheckpointFixtureTests.swift: \(spec), \(mode.rawValue)")
                #expect(try SafetensorsFile(contentsOf: url).tensors.count == model.parameters.count)
            }
        }
    }
}
