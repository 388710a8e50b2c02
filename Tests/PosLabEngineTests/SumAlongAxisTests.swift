import PosLabEngine
import Testing

/// `sum(_:axis:keepDims:)` and `mean(_:axis:keepDims:)` (issue 24, item 4): values and shapes
/// against explicit loops for every axis, negative or not, with and without `keepDims`; gradients
/// against central finite differences.
@Suite struct SumAlongAxisTests {
    static let shape = [2, 3, 4]

    /// The sum along `axis` of a (2, 3, 4) tensor by explicit loops: (values, shape without the axis).
    static func reference(_ x: Tensor, axis: Int) -> (values: [Float], shape: [Int]) {
        var shape = x.shape
        shape.remove(at: axis)
        var values: [Float] = []
        for i in 0..<shape[0] {
            for j in 0..<shape[1] {
                var s: Double = 0
                for t in 0..<x.shape[axis] {
                    let index = axis == 0 ? [t, i, j] : axis == 1 ? [i, t, j] : [i, j, t]
                    s += Double(x.data[(index[0] * 3 + index[1]) * 4 + index[2]])
                }
                values.append(Float(s))
            }
        }
        return (values, shape)
    }

    @Test(arguments: [0, 1, 2, -1, -2, -3], [false, true])
    func valuesAndShapesMatchExplicitLoops(_ axis: Int, _ keepDims: Bool) {
        let x = randomTensor(Self.shape, seed: 11)
        let positive = axis < 0 ? axis + 3 : axis
        let expected = Self.reference(x, axis: positive)
        var kept = Self.shape
        kept[positive] = 1
        let s = sum(x, axis: axis, keepDims: keepDims)
        #expect(s.shape == (keepDims ? kept : expected.shape))
        expectClose(s.values, expected.values, tolerance: 1e-6)
        let m = mean(x, axis: axis, keepDims: keepDims)
        #expect(m.shape == s.shape)
        expectClose(m.values, expected.values.map { $0 / Float(Self.shape[positive]) }, tolerance: 1e-6)
    }

    @Test(arguments: [0, 1, 2, -1], [false, true])
    func gradientsMatchFiniteDifferences(_ axis: Int, _ keepDims: Bool) {
        let x = randomTensor(Self.shape, seed: 12, label: "x")
        expectGradients([x]) { sum(x, axis: axis, keepDims: keepDims) }
        // Through a product, so that each output's gradient differs: the gradient must reach every element of its row.
        let y = randomTensor(Self.shape, seed: 13, label: "y")
        expectGradients([x, y]) { mean(x * y, axis: axis, keepDims: keepDims) }
    }

    /// keepDims keeps the axis so the result broadcasts against the input: x − mean(x) along the last axis sums to 0.
    @Test func keepDimsBroadcastsBack() {
        let x = randomTensor([3, 5], seed: 14)
        let centred = x - mean(x, axis: -1, keepDims: true)  // (3, 5) − (3, 1)
        #expect(centred.shape == [3, 5])
        expectClose(sum(centred, axis: 1).values, [0, 0, 0], tolerance: 1e-6)
    }
}
