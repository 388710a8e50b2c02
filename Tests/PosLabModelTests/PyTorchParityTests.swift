import Foundation
import PosLabModel
import Testing

/// The fixture written by `Scripts/make_parity_fixture.py` (PyTorch 2.13, float32).
struct ParityFixture: Decodable {
    struct Case: Decodable {
        struct Config: Decodable {
            var vocab_size: Int, d_model: Int, layers: Int, heads: Int, max_length: Int
        }
        struct Parameter: Decodable { var shape: [Int]; var values: [Float] }
        var encoding: String, spec: String, attention: String
        var config: Config
        var batch: Int, length: Int
        var ids: [Int], targets: [Int], mask: [Float]
        var parameters: [String: Parameter]
        var logits: [Float], loss: Float
        var gradients: [String: [Float]]
    }
    struct Buckets: Decodable {
        var bidirectional: Bool, buckets: Int, max_distance: Int
        var relative: [Int], bucket: [Int]
    }
    var cases: [Case]
    var t5_buckets: [Buckets]
    var alibi_slopes: [String: [Double]]

    static let shared: ParityFixture = {
        let url = Bundle.module.url(forResource: "parity", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(ParityFixture.self, from: Data(contentsOf: url))
    }()
}

/// The same model, weights and inputs in PosLab and in PyTorch give the same logits, loss and
/// gradients. Tolerance: 1e-4 relative to the largest magnitude in each compared tensor (float32
/// kernels sum in different orders; the fixture's own float32-vs-float64 error is ~1e-6).
@Suite struct PyTorchParityTests {
    static func normwiseError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(b.map(abs).max() ?? 0, 1e-6)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    @Test(arguments: ParityFixture.shared.cases.indices)
    func matchesPyTorch(_ index: Int) throws {
        let c = ParityFixture.shared.cases[index]
        let model = try c.modelWithFixtureWeights()
        let parameters = model.parameters
        let logits = try model.logits(ids: c.ids, batch: c.batch, length: c.length)
        let loss = crossEntropy(logits, targets: c.targets, mask: c.mask)
        loss.backward()
        let what = "\(c.spec) \(c.attention)"
        #expect(Self.normwiseError(logits.values, c.logits) < 1e-4, "\(what): logits")
        #expect(abs(loss.scalar - c.loss) < 1e-4 * abs(c.loss), "\(what): loss \(loss.scalar) vs \(c.loss)")
        for p in parameters {
            let err = Self.normwiseError(p.gradValues, c.gradients[p.label]!)
            #expect(err < 1e-4, "\(what): gradient of \(p.label) off by \(err)")
        }
    }

    @Test func alibiSlopesMatchTheReferenceFormula() {
        for (heads, slopes) in ParityFixture.shared.alibi_slopes {
            let ours = ALiBiEncoding.slopes(heads: Int(heads)!)
            #expect(ours.count == slopes.count)
            for (a, b) in zip(ours, slopes) { #expect(abs(a - b) <= 4e-15 * b, "\(heads) heads: \(a) vs \(b)") }
        }
    }

    @Test func t5BucketsMatchPyTorch() {
        for table in ParityFixture.shared.t5_buckets {
            let ours = table.relative.map {
                RelativeBiasEncoding.bucket($0, bidirectional: table.bidirectional, buckets: table.buckets,
                                            maxDistance: table.max_distance)
            }
            #expect(ours == table.bucket, "buckets=\(table.buckets) max=\(table.max_distance) bidirectional=\(table.bidirectional)")
        }
    }
}

extension ParityFixture.Case {
    /// The case's model with the fixture's weights, after checking that both have the same tensors and shapes.
    func modelWithFixtureWeights() throws -> Transformer {
        let shape = ModelConfig(vocabSize: config.vocab_size, dModel: config.d_model, layers: config.layers,
                                heads: config.heads, maxLength: config.max_length,
                                attention: AttentionMode(rawValue: attention)!)
        let model = try Transformer(config: shape, encoding: Spec(parsing: spec), seed: 0)
        #expect(Set(model.parameters.map(\.label)) == Set(parameters.keys), "\(spec) \(attention): parameter sets differ")
        for p in model.parameters {
            let given = try #require(parameters[p.label], "fixture lacks \(p.label)")
            #expect(given.shape == p.shape, "\(p.label): \(given.shape) vs \(p.shape)")
            p.assign(given.values)
        }
        return model
    }
}
