import Foundation
import PosLabEngine
import Testing

/// Every op's gradient against central finite differences (see `checkGradients` for the bound).
@Suite struct GradientTests {
    @Test func addSameShape() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([3, 4], seed: 2)
        expectGradients([a, b]) { a + b }
    }

    @Test func addSuffixBroadcast() {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([3, 4], seed: 2), c = randomTensor([4], seed: 3)
        expectGradients([a, b, c]) { (a + b) + c }
        expectGradients([a, b]) { b + a }
    }

    @Test func addGeneralBroadcast() {
        let a = randomTensor([2, 1, 4], seed: 1), b = randomTensor([3, 1], seed: 2)
        #expect((a + b).shape == [2, 3, 4])
        expectGradients([a, b]) { a + b }
    }

    @Test func multiplyAndScale() {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([3, 1], seed: 2), c = randomTensor([2, 3, 4], seed: 3)
        expectGradients([a, b]) { a * b }
        expectGradients([a, c]) { (a * c) * 0.5 - c }
    }

    @Test func matmulWithSharedMatrix() {
        let a = randomTensor([2, 3, 5], seed: 1), b = randomTensor([5, 4], seed: 2), bt = randomTensor([4, 5], seed: 3)
        expectGradients([a, b]) { matmul(a, b) }
        expectGradients([a, bt]) { matmul(a, bt, transposeB: true) }
    }

    @Test func batchedMatmul() {
        let a = randomTensor([2, 3, 4, 5], seed: 1), b = randomTensor([2, 3, 5, 6], seed: 2)
        let bt = randomTensor([2, 3, 6, 5], seed: 3)
        expectGradients([a, b]) { matmul(a, b) }
        expectGradients([a, bt]) { matmul(a, bt, transposeB: true) }
    }

    @Test func linearLayer() {
        let x = randomTensor([2, 3, 5], seed: 1), w = randomTensor([5, 4], seed: 2), b = randomTensor([4], seed: 3)
        expectGradients([x, w, b]) { linear(x, w, b) }
        expectGradients([x, w]) { linear(x, w, nil) }
    }

    @Test func shapeOps() {
        let x = randomTensor([2, 3, 4, 2], seed: 1)
        expectGradients([x]) { x.reshaped([6, -1]) * x.reshaped([6, 8]) }
        expectGradients([x]) { x.transposed(1, 2) }
        expectGradients([x]) { x.permuted([3, 0, 2, 1]) }
        let y = randomTensor([2, 6], seed: 2)
        expectGradients([y]) { let p = y.split(3); return p[0] * p[2] + p[1] }
        let z = randomTensor([2, 3], seed: 3)
        expectGradients([y, z]) { concatLast([z, y, z]) }
    }

    @Test func embeddingScatterAdd() {
        let table = randomTensor([5, 3], seed: 1)
        expectGradients([table]) { embedding(table, ids: [4, 0, 4, 2, 4, 1], shape: [2, 3]) }
    }

    @Test func layerNormGelu() {
        let x = randomTensor([3, 6], seed: 1), g = randomTensor([6], seed: 2), b = randomTensor([6], seed: 3)
        expectGradients([x, g, b]) { layerNorm(x, gamma: g, beta: b) }
        expectGradients([x]) { gelu(x) }
        // Rows of 20: the eight-wide path twice, then a tail of four; x also reaches the output
        // directly, so the kernels' add-to-an-existing-gradient path runs too.
        let wide = randomTensor([3, 20], seed: 4), g20 = randomTensor([20], seed: 5), b20 = randomTensor([20], seed: 6)
        expectGradients([wide, g20, b20]) { layerNorm(wide, gamma: g20, beta: b20) }
        expectGradients([wide, g20, b20]) { layerNorm(wide, gamma: g20, beta: b20) + wide }
        expectGradients([wide]) { gelu(wide) + wide }
        // One tensor as input and gain: its gradient gets both parts.
        expectGradients([g20, b20]) { layerNorm(g20, gamma: g20, beta: b20) }
    }

    @Test func attentionSoftmaxVariants() {
        let s = randomTensor([2, 3, 4, 4], seed: 1), headBias = randomTensor([3, 4, 4], seed: 2)
        let shared = randomTensor([4, 4], seed: 3)
        expectGradients([s]) { attentionSoftmax(s, scale: 0.7) }
        expectGradients([s, headBias]) { attentionSoftmax(s, scale: 0.5, bias: headBias, causal: true) }
        expectGradients([s, shared]) { attentionSoftmax(s, bias: shared) }
    }

    @Test func crossEntropyAndReductions() {
        let logits = randomTensor([2, 3, 5], seed: 1)
        expectGradients([logits]) { crossEntropy(logits, targets: [0, 4, 2, 2, 1, 3], mask: [1, 0, 1, 1, 0, 1]) }
        expectGradients([logits]) { crossEntropy(logits, targets: [0, 4, 2, 2, 1, 3]) }
        expectGradients([logits]) { sum(logits * logits) }
        expectGradients([logits]) { mean(gelu(logits)) }
    }

    @Test func rotaryRotation() {
        let x = randomTensor([2, 3, 4, 6], seed: 1)
        let angles = (0..<12).map { Float($0) * 0.37 }
        let c = Tensor(angles.map { Foundation.cos($0) }, shape: [4, 3]), s = Tensor(angles.map { Foundation.sin($0) }, shape: [4, 3])
        expectGradients([x]) { rotaryRotate(x, cos: c, sin: s) }
    }

    @Test func fusedAttention() {
        let q = randomTensor([2, 3, 5, 4], seed: 1), k = randomTensor([2, 3, 5, 4], seed: 2), v = randomTensor([2, 3, 5, 4], seed: 3)
        let headBias = randomTensor([3, 5, 5], seed: 4), shared = randomTensor([5, 5], seed: 5)
        expectGradients([q, k, v]) { attention(q, k, v, scale: 0.5) }
        expectGradients([q, k, v, headBias]) { attention(q, k, v, scale: 0.5, bias: headBias, causal: true) }
        expectGradients([q, k, v, shared]) { attention(q, k, v, scale: 0.7, bias: shared) }
        let qkv = randomTensor([2, 5, 18], seed: 6)
        expectGradients([qkv]) { heads(of: qkv, part: 1, heads: 3) }
        // Heads of 12 (eight-wide copies plus a tail), and one tensor passed as q, k and v: its
        // gradient is assigned by the first product that writes it and added to by the others.
        let wideQKV = randomTensor([2, 5, 72], seed: 7)
        expectGradients([wideQKV]) { heads(of: wideQKV, part: 2, heads: 2) }
        let x = randomTensor([2, 2, 5, 12], seed: 8)
        expectGradients([x]) { attention(x, x, x, scale: 0.4) }
        expectGradients([q, k]) { attention(q, k, q, scale: 0.6, causal: true) }
        let fused = randomTensor([2, 5, 36], seed: 9)
        expectGradients([fused, headBias]) { attention(qkv: fused, heads: 3, scale: 0.5, bias: headBias, causal: true) }
    }

    /// The checker itself must fail on a wrong gradient, or the tests above prove nothing.
    @Test func checkerCatchesWrongGradient() {
        let x = randomTensor([4], seed: 1)
        let result = checkGradients(of: [x]) {
            // y = x², with a backward that forgets the factor 2.
            let out = Tensor(shape: x.shape, parents: [x]) { out in
                for i in 0..<x.count { x.grad[i] += out.grad[i] * x.data[i] }
            }
            for i in 0..<x.count { out.data[i] = x.data[i] * x.data[i] }
            return out
        }
        #expect(!result.passed)
        #expect(result.worstError > 0.3)
    }

    /// NaN or inf in the values or in the gradients fails the check (a NaN error once compared as
    /// "not worse" than 0 and passed with "worst relative error 0.0").
    @Test func checkerCatchesNaNAndInf() {
        let x = randomTensor([4], seed: 1)
        // A value NaN at one element (its gradient, 0 there, agrees with finite differences of NaN).
        let nanValue = checkGradients(of: [x]) {
            let out = Tensor(shape: x.shape, parents: [x]) { out in
                for i in 0..<x.count where i != 2 { x.grad[i] += out.grad[i] }
            }
            for i in 0..<x.count { out.data[i] = i == 2 ? .nan : x.data[i] }
            return out
        }
        #expect(!nanValue.passed && nanValue.worstError.isInfinite && nanValue.worstPlace.contains("output[2]"), "\(nanValue)")
        // Finite values with a NaN or an infinite gradient.
        for bad in [Float.nan, .infinity] {
            let badGradient = checkGradients(of: [x]) {
                let out = Tensor(shape: x.shape, parents: [x]) { out in
                    for i in 0..<x.count { x.grad[i] += i == 1 ? bad : out.grad[i] }
                }
                for i in 0..<x.count { out.data[i] = x.data[i] }
                return out
            }
            #expect(!badGradient.passed && badGradient.worstPlace.contains("[1]"), "\(badGradient)")
        }
        // Finite at the point, NaN a step away: log at 0.005 (the checker steps by 0.01).
        let near = Tensor([0.005, 1, 2], shape: [3], requiresGrad: true)
        let stepsIntoNaN = checkGradients(of: [near]) { log(near) }
        #expect(!stepsIntoNaN.passed && stepsIntoNaN.worstPlace.contains("[0]"), "\(stepsIntoNaN)")
    }
}
