import Foundation
import PosLabModel
import Testing

/// kerple, alibi-asym, fire, shaw, xpos and cope against their PyTorch forms in the reference model
/// (`Scripts/make_encoding_parity_fixture.py`, PyTorch 2.13, float32): the same weights and inputs
/// give the same logits, loss and gradients, to 1e-4 of each tensor's largest value as in
/// `PyTorchParityTests`.
@Suite struct EncodingParityTests {
    static let cases: [ParityFixture.Case] = {
        struct File: Decodable { var cases: [ParityFixture.Case] }
        let url = Bundle.module.url(forResource: "encoding_parity", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    @Test func everyNewEncodingInBothModes() {
        let covered = Set(Self.cases.map { "\($0.spec) \($0.attention)" })
        for spec in ["kerple", "kerple(kind=power)", "alibi-asym", "fire(hidden=4, init_threshold=6)", "shaw(max_distance=3)",
                     "xpos(scale_base=4)", "cope(npos=6)"] {
            for mode in AttentionMode.allCases where mode == .causal || !spec.hasPrefix("cope") {  // cope: causal only
                #expect(covered.contains("\(spec) \(mode.rawValue)"), "\(spec) \(mode)")
            }
        }
    }

    /// One test case per case of the fixture, however many it holds (a fixed count of 13 silently
    /// skipped any case added after them).
    @Test(arguments: cases.indices)
    func matchesPyTorch(_ index: Int) throws {
        let c = Self.cases[index]
        let model = try c.modelWithFixtureWeights()
        let parameters = model.parameters
        let what = "\(c.spec) \(c.attention)"
        let logits = try model.logits(ids: c.ids, batch: c.batch, length: c.length)
        let loss = crossEntropy(logits, targets: c.targets, mask: c.mask)
        loss.backward()
        #expect(PyTorchParityTests.normwiseError(logits.values, c.logits) < 1e-4, "\(what): logits")
        #expect(abs(loss.scalar - c.loss) < 1e-4 * abs(c.loss), "\(what): loss \(loss.scalar) vs \(c.loss)")
        for p in parameters {
            let reference = c.gradients[p.label]!
            if reference.allSatisfy({ abs($0) < 1e-6 }) {
                // Zero in exact arithmetic, PyTorch's ~1e-8 is rounding: fire's output bias b2 shifts
                // a head's whole row of scores, which softmax ignores. Ours must be as small.
                #expect(p.gradValues.allSatisfy { abs($0) < 1e-6 }, "\(what): gradient of \(p.label) \(p.gradValues), not ~0")
                continue
            }
            let err = PyTorchParityTests.normwiseError(p.gradValues, reference)
            #expect(err < 1e-4, "\(what): gradient of \(p.label) off by \(err)")
        }
    }
}
