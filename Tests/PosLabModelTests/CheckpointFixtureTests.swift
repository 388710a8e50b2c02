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
/// to each tensor's largest value, as the parity test), for every built-in encoding and both modes.
@Suite struct CheckpointFixtureTests {
    /// The checkpoints the fixture was made from: stem, spec, seed.
    static let specs = [("none", "none"), ("learned", "learned"), ("sinusoidal", "sinusoidal"),
                        ("relative-bias", "relative-bias(buckets=8, max_distance=20)"), ("alibi", "alibi"), ("rope", "rope"),
                        ("randomized-learned", "randomized(learned, max_length=16)")]

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

    /// Every encoding the PyTorch reference model implements (those of the parity fixture), and the
    /// randomized wrapper, is checked through a checkpoint in both attention modes.
    @Test func everyEncodingOfTheReferenceIsCovered() {
        let covered = Set(CheckpointFixture.shared.cases.map { try! Spec(parsing: $0.encoding).name })
        let reference = Set(ParityFixture.shared.cases.map(\.encoding)).union(["randomized"])
        #expect(reference.isSubset(of: covered), "no checkpoint check for \(reference.subtracting(covered).sorted())")
        #expect(CheckpointFixture.shared.cases.count == 2 * Self.specs.count)
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
            for mode in AttentionMode.allCases {
                let model = try Transformer(config: smallConfig(mode), encoding: Spec(parsing: spec), seed: UInt64(17 + i))
                perturb(model, seed: UInt64(i))
                let url = folder.appendingPathComponent("\(stem)-\(mode.rawValue).safetensors")
                try model.saveCheckpoint(to: url, configuration: "Tests/PosLabModelTests/CheckpointFixtureTests.swift: \(spec), \(mode.rawValue)")
                #expect(try SafetensorsFile(contentsOf: url).tensors.count == model.parameters.count)
            }
        }
    }
}
