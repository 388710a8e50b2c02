import Foundation
import PosLabEngine
import Testing

/// `sin` and `cos` of a tensor (the sinusoids of real-valued positions, docs/plugins.md): values
/// against float64 sin and cos, gradients against central finite differences.
@Suite struct TrigonometryTests {
    static let x: [Float] = [-7.5, -2.5, -0.3, 0, 0.4, 1.1, 3.0, 40.25]

    @Test func valuesMatchFloat64() {
        let t = Tensor.constant(Self.x, shape: [2, 4])
        expectClose(PosLabEngine.sin(t).values, Self.x.map { Float(Foundation.sin(Double($0))) }, tolerance: 1e-6)
        expectClose(PosLabEngine.cos(t).values, Self.x.map { Float(Foundation.cos(Double($0))) }, tolerance: 1e-6)
    }

    @Test func gradientsMatchFiniteDifferences() {
        // Within a few radians of 0: the check's step grows with |x|, and its error with the step squared.
        let t = Tensor(Array(Self.x.dropLast()), shape: [7], requiresGrad: true, label: "x")
        expectGradients([t]) { PosLabEngine.sin(t) }
        expectGradients([t]) { PosLabEngine.cos(t) }
        expectGradients([t]) { PosLabEngine.sin(t) * PosLabEngine.cos(t * 3) }
    }
}
