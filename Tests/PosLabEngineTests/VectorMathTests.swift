import Foundation
import PosLabEngine
import Testing

@Suite struct VectorMathTests {
    /// The vector exp against libm's expf over the range the kernels use.
    @Test func vectorExpMatchesLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let v = vectorExp(Float8(repeating: x))[0]
            let ref = Foundation.exp(x)
            worst = max(worst, abs(v - ref) / ref)
            x += 0.0137
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
    }

    @Test func geluAgainstErf() {
        let xs: [Float] = (-60...60).map { Float($0) / 7 } + [0.3, -0.3, 13, -13]
        let y = gelu(Tensor(xs, shape: [xs.count])).values
        for (x, v) in zip(xs, y) {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            #expect(abs(Double(v) - exact) <= 2e-7 * max(1, abs(Double(x))), "gelu(\(x)) = \(v), exact \(exact)")
        }
    }

    /// An element gets the same value and slope whichever path computes it: 16 lanes, 8 lanes, or
    /// the zero-padded tail (29 = 16 + 8 + 5; one element alone always takes the tail).
    @Test func geluIsTheSameInEveryLaneWidth() {
        let xs: [Float] = (0..<29).map { Float($0) * 0.37 - 5 }
        let together = Tensor(xs, shape: [29], requiresGrad: true)
        let y = gelu(together)
        sum(y).backward()
        for (i, x) in xs.enumerated() {
            let alone = Tensor([x], shape: [1], requiresGrad: true)
            let yi = gelu(alone)
            sum(yi).backward()
            #expect(y.values[i].bitPattern == yi.values[0].bitPattern, "gelu(\(x))")
            #expect(together.gradValues[i].bitPattern == alone.gradValues[0].bitPattern, "gelu'(\(x))")
        }
    }

    /// `addColumnSums` (32 and 8 columns in registers, then single columns) gives the bits of the
    /// plain reference, `addRow` of each row in turn, for widths that use each path (53 = 32 + 16 +
    /// 5) and sums that start non-zero, as a parameter's gradient does after its first batch.
    @Test func columnSumsAreTheRowByRowSums() {
        for (rows, width) in [(37, 53), (5, 8), (3, 3), (1, 96), (0, 40)] {
            let matrix = randomTensor([max(rows, 1), width], seed: 7)
            let start = randomTensor([width], seed: 8).values, values = matrix.values
            var reference = start  // sums[j] += row[j], one row after another
            for r in 0..<rows { for j in 0..<width { reference[j] += values[r * width + j] } }
            var sums = start
            sums.withUnsafeMutableBufferPointer {
                addColumnSums(of: matrix.data, rowCount: rows, width: width, into: $0.baseAddress!)
            }
            #expect(sums.map(\.bitPattern) == reference.map(\.bitPattern), "\(rows) × \(width)")
        }
    }
}
