import PosLabEngine
import Testing

@Suite struct AdamTests {
    /// One Adam step moves each weight by lr·sign(g) (bias-corrected moments: m̂ = g, v̂ = g²).
    @Test func firstStepIsSignedLearningRate() {
        let w = Tensor([1, -2, 3], shape: [3], requiresGrad: true)
        let opt = Adam(parameters: [w], learningRate: 0.1, epsilon: 0)
        sum(w * Tensor([2, -3, 0.5], shape: [3])).backward()
        opt.step()
        expectClose(w.values, [0.9, -1.9, 2.9], tolerance: 1e-6)
    }

    /// Two steps against the formulas of torch.optim.Adam, computed by hand in double precision.
    @Test func secondStepMatchesFormula() {
        let w = Tensor([0.5], shape: [1], requiresGrad: true)
        let opt = Adam(parameters: [w], learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var (p, m, v) = (0.5, 0.0, 0.0)
        for step in 1...2 {
            opt.zeroGrad()
            sum(w * w).backward()  // g = 2w
            opt.step()
            let g = 2 * p
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            let mhat = m / (1 - pow(0.9, Double(step))), vhat = v / (1 - pow(0.999, Double(step)))
            p -= 0.01 * mhat / (vhat.squareRoot() + 1e-8)
        }
        #expect(abs(Double(w.values[0]) - p) < 1e-6)
    }

    @Test func gradientNormSumsEveryElement() {
        // 21 and 3 elements: the eight-wide path twice plus a tail, and a tail alone.
        let values = (0..<21).map { Float($0) * 0.25 - 2 }, more: [Float] = [1.5, -0.5, 2]
        let a = Tensor(zeros: [21], requiresGrad: true), b = Tensor(zeros: [3], requiresGrad: true)
        (sum(a * Tensor(values, shape: [21])) + sum(b * Tensor(more, shape: [3]))).backward()
        let expected = (values + more).reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        let opt = Adam(parameters: [a, b])
        #expect(abs(opt.gradientNorm() - expected) < 1e-12)
        #expect(opt.step() == nil)  // no clipping: the norm is not needed
    }

    @Test func clippingBoundsTheGlobalNorm() {
        let a = Tensor([0, 0], shape: [2], requiresGrad: true), b = Tensor([0], shape: [1], requiresGrad: true)
        let opt = Adam(parameters: [a, b], learningRate: 1, clipNorm: 1)
        (sum(a * Tensor([3, 0], shape: [2])) + sum(b * Tensor([4], shape: [1]))).backward()  // grads (3, 0), (4): norm 5
        #expect(abs(opt.gradientNorm() - 5) < 1e-9)
        #expect(abs((opt.step() ?? 0) - 5) < 1e-9)
        // Clipping rescales gradients by 1/5 before the (scale-invariant) first Adam step.
        expectClose(a.values + b.values, [-1, 0, -1], tolerance: 1e-5)
    }

    @Test func adamWDecaysWeightsWithoutGradient() {
        let w = Tensor([2], shape: [1], requiresGrad: true)
        let opt = Adam(parameters: [w], learningRate: 0.1, weightDecay: 0.5, decoupled: true)
        sum(w * Tensor([0], shape: [1])).backward()  // zero gradient: only decay acts
        opt.step()
        expectClose(w.values, [2 * (1 - 0.1 * 0.5)], tolerance: 1e-7)
    }
}

import Foundation
