import PosLabEngine
import Testing

/// The tape's bookkeeping: which gradients survive `backward()`, and gradient buffers handed from
/// an op's output to its input.
@Suite struct BackwardTests {
    /// Leaves keep their gradient; an op result's is released once passed on.
    @Test func onlyLeavesKeepTheirGradient() {
        let w = Tensor([1, -2, 3], shape: [3], requiresGrad: true)
        let hidden = w * w
        let loss = sum(hidden * 0.5)
        loss.backward()
        #expect(w.gradValues == [1, -2, 3])  // d(½w²)/dw = w
        #expect(!hidden.hasGrad)
        #expect(loss.hasGrad)  // the root keeps its seed
    }

    /// `adoptGrad` moves a complete buffer only to a tensor without a gradient, of the same size.
    @Test func adoptGradTakesOnlyAFreshBufferOfTheSameSize() {
        let source = Tensor([1, 2], shape: [2], requiresGrad: true)
        let result = source * 3
        result.grad[0] = 5
        let taker = Tensor(zeros: [2], requiresGrad: true)
        #expect(taker.adoptGrad(of: result))
        #expect(taker.gradValues == [5, 0] && !result.hasGrad)

        let other = source * 2
        other.grad[1] = 7
        #expect(!taker.adoptGrad(of: other))  // taker has a gradient already
        #expect(!Tensor(zeros: [3], requiresGrad: true).adoptGrad(of: other))  // sizes differ
        #expect(!other.adoptGrad(of: other))
        #expect(other.gradValues == [0, 7])  // left as it was
    }

    /// A residual sum hands its buffer to its first input and copies it to the second; each of
    /// them still gets every other contribution, whichever of the two is reached first.
    @Test func residualSumsKeepEveryContribution() {
        let a = randomTensor([3, 5], seed: 1), c = randomTensor([3, 5], seed: 2)
        expectGradients([a]) { a + a }
        expectGradients([a, c]) { a + a * c }
        expectGradients([a, c]) { (a * c) + a }
        expectGradients([a, c]) { gelu(a + c) + a }
        expectGradients([a]) { gelu(gelu(a) + a) }
    }
}
