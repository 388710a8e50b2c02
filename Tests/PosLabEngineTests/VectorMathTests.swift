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
}
