import Foundation
import PosLabEngine
import Testing

/// Forward values against hand computations and the seed chapter's examples.
@Suite struct ForwardTests {
    @Test func seedChapterEmbeddingLookup() {
        // nn.Embedding(6, 3): looking up index 3 returns row 3.
        let table = randomTensor([6, 3], seed: 123)
        let row = embedding(table, ids: [3], shape: [1])
        #expect(row.shape == [1, 3])
        #expect(row.values == Array(table.values[9..<12]))
    }

    @Test func seedChapterShapes() {
        // Token ids (8, 4) with d_model 256 → (8, 4, 256); a (4, 256) table broadcasts onto them.
        let tokens = randomTensor([50257, 256], seed: 1, std: 1)
        let ids = (0..<32).map { $0 * 97 % 50257 }
        let x = embedding(tokens, ids: ids, shape: [8, 4])
        #expect(x.shape == [8, 4, 256])
        let positions = embedding(randomTensor([4, 256], seed: 2), ids: [0, 1, 2, 3], shape: [4])
        #expect(positions.shape == [4, 256])
        let sum = x + positions
        #expect(sum.shape == [8, 4, 256])
        // Element (b, t, c) is token (b, t, c) + position (t, c).
        #expect(sum.values[(5 * 4 + 2) * 256 + 7] == x.values[(5 * 4 + 2) * 256 + 7] + positions.values[2 * 256 + 7])
    }

    @Test func seedChapterAddition() {
        let a = Tensor([0.5, -0.2, 0.1], shape: [3]), b = Tensor([0.1, 0.3, -0.1], shape: [3])
        expectClose((a + b).values, [0.6, 0.1, 0.0], tolerance: 1e-7)
    }

    @Test func matmulValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), b = Tensor([7, 8, 9, 10, 11, 12], shape: [3, 2])
        #expect(matmul(a, b).values == [58, 64, 139, 154])
        #expect(matmul(a, a, transposeB: true).values == [14, 32, 32, 77])
        let w = Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2]), bias = Tensor([10, 20], shape: [2])
        #expect(linear(a, w, bias).values == [14, 25, 20, 31])
    }

    @Test func broadcastValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), col = Tensor([10, 20], shape: [2, 1])
        #expect((a + col).values == [11, 12, 13, 24, 25, 26])
        #expect((a * Tensor([1, 0, -1], shape: [3])).values == [1, 0, -3, 4, 0, -6])
    }

    @Test func permuteValues() {
        let x = Tensor((0..<6).map(Float.init), shape: [2, 3])
        #expect(x.transposed(0, 1).values == [0, 3, 1, 4, 2, 5])
        let y = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let p = y.permuted([2, 0, 1])  // p[k, i, j] = y[i, j, k]
        #expect(p.shape == [4, 2, 3])
        #expect(p.values[(3 * 2 + 1) * 3 + 2] == y.values[(1 * 3 + 2) * 4 + 3])
    }

    @Test func layerNormValues() {
        let x = Tensor([1, 2, 3, 4], shape: [1, 4])
        let y = layerNorm(x, gamma: Tensor([1, 1, 1, 1], shape: [4]), beta: Tensor([0, 0, 0, 0], shape: [4]), epsilon: 0)
        let sd = Float(1.25).squareRoot()
        expectClose(y.values, [-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd])
    }

    @Test func geluValues() {
        // x·Φ(x): Φ(1) = 0.8413447460685429, Φ(−2) = 0.022750131948179195.
        expectClose(gelu(Tensor([0, 1, -2], shape: [3])).values, [0, 0.8413447460685429, -2 * 0.022750131948179195])
    }

    @Test func causalSoftmaxMasksTheFuture() {
        let s = Tensor([1, 2, 3, 1, 2, 3, 1, 2, 3], shape: [3, 3])
        let p = attentionSoftmax(s, causal: true).values
        #expect(p[0] == 1 && p[1] == 0 && p[2] == 0)
        expectClose(Array(p[3..<6]), [Float(1 / (1 + M_E)), Float(M_E / (1 + M_E)), 0])
        let bias = Tensor([0, 0, 0, 0, 0, 0, -1000, 0, 0], shape: [3, 3])
        expectClose(Array(attentionSoftmax(s, bias: bias).values[6..<9]), [0, Float(1 / (1 + M_E)), Float(M_E / (1 + M_E))])
    }

    /// The fused attention (its per-head products through OpenBLAS) equals its unfused composition, bit for bit.
    @Test func fusedAttentionMatchesComposition() {
        let q = randomTensor([2, 3, 6, 4], seed: 1), k = randomTensor([2, 3, 6, 4], seed: 2), v = randomTensor([2, 3, 6, 4], seed: 3)
        let bias = randomTensor([3, 6, 6], seed: 4)
        for causal in [false, true] {
            let fused = attention(q, k, v, scale: 0.5, bias: bias, causal: causal, products: .sgemm)
            let weights = attentionSoftmax(matmul(q, k, transposeB: true), scale: 0.5, bias: bias, causal: causal)
            let reference = matmul(weights, v).transposed(1, 2).reshaped([2, 6, 12])
            #expect(fused.shape == [2, 6, 12])
            #expect(fused.values == reference.values)
        }
        let qkv = Tensor((0..<(2 * 3 * 12)).map(Float.init), shape: [2, 3, 12])
        let keys = heads(of: qkv, part: 1, heads: 2)  // (2, 2, 3, 2): columns 4..<8 split in two heads
        #expect(keys.shape == [2, 2, 3, 2] && Array(keys.values.prefix(4)) == [4, 5, 16, 17])
    }

    /// Reading q, k, v in place from the fused projection gives the same values and the same
    /// gradient as splitting the heads out first.
    @Test func attentionFromFusedProjectionMatchesSplitHeads() {
        let bias = randomTensor([6, 6], seed: 5), weight = randomTensor([2, 6, 12], seed: 6)
        for causal in [false, true] {
            let viaViews = randomTensor([2, 6, 36], seed: 7)
            let viaCopies = Tensor(viaViews.values, shape: [2, 6, 36], requiresGrad: true)
            let direct = attention(qkv: viaViews, heads: 3, scale: 0.4, bias: bias, causal: causal)
            let split = attention(heads(of: viaCopies, part: 0, heads: 3), heads(of: viaCopies, part: 1, heads: 3),
                                  heads(of: viaCopies, part: 2, heads: 3), scale: 0.4, bias: bias, causal: causal)
            #expect(direct.values == split.values)
            sum(direct * weight).backward()
            sum(split * weight).backward()
            #expect(viaViews.gradValues == viaCopies.gradValues)
        }
    }

    @Test func withoutGradientsRecordsNoTape() {
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        let recorded = w * w
        #expect(recorded.requiresGrad)
        let plain = Tensor.withoutGradients { w * w }
        #expect(!plain.requiresGrad && plain.values == recorded.values)
        #expect((w * w).requiresGrad)  // recording is back on afterwards
    }

    @Test func crossEntropyValue() {
        let logits = Tensor([0, 0, 0, 2, 0, 0], shape: [2, 3])
        let loss = crossEntropy(logits, targets: [1, 0], mask: [1, 1])
        let expected = (log(3.0) + (log(exp(2.0) + 2) - 2)) / 2
        #expect(abs(Double(loss.scalar) - expected) < 1e-6)
        #expect(abs(Double(crossEntropy(logits, targets: [1, 0], mask: [0, 1]).scalar) - (log(exp(2.0) + 2) - 2)) < 1e-6)
        #expect(crossEntropy(logits, targets: [1, 0], mask: [0, 0]).scalar == 0)
    }
}
