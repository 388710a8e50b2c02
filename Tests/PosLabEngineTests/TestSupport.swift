import PosLabEngine
import PosLabSupport
import Testing

/// A trainable tensor of N(0, std²) values from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1, label: String = "") -> Tensor {
    .gaussian(shape, std: std, rng: RandomGenerator(seed: seed), label: label)
}

/// Asserts that autodiff matches finite differences for `inputs`.
func expectGradients(_ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                     _ forward: () -> Tensor) {
    let result = checkGradients(of: inputs, forward: forward)
    #expect(result.checked > 0, sourceLocation: sourceLocation)
    #expect(result.passed, "\(result)", sourceLocation: sourceLocation)
}

/// Asserts two float arrays agree elementwise within `tolerance` (absolute + relative).
func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "counts differ: \(a.count) vs \(b.count)", sourceLocation: sourceLocation)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > tolerance * max(1, abs(y)) {
        Issue.record("element \(i): \(x) vs \(y)", sourceLocation: sourceLocation)
        return
    }
}
