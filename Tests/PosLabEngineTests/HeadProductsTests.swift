import PosLabEngine
import Testing

/// Training attention's per-head products: the AVX2 kernel against a plain product in double
/// precision, and attention through the kernel against attention through OpenBLAS.
@Suite struct HeadProductsTests {
    /// Every transpose, with and without accumulating, at widths that are and are not multiples of
    /// the kernel's 8 lanes and 4 × 16 tiles, with leading dimensions wider than the matrices:
    /// each element within float rounding of the exact sum, and the columns between rows untouched.
    @Test(.enabled(if: HeadProducts.kernelRuns, "the kernel needs AVX2 and FMA"))
    func kernelMatchesAPlainProduct() {
        let sizes = [1, 3, 7, 8, 12, 16, 17, 31, 33]
        var checked = 0
        for transposeA in [false, true] { for transposeB in [false, true] { for accumulate in [false, true] {
            for m in sizes { for n in sizes { for k in [1, 5, 16, 33] {
                let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 2, ldc = n + 5
                let a = randomTensor([(transposeA ? k : m) * lda], seed: UInt64(m * 100 + k)).values
                let b = randomTensor([(transposeB ? n : k) * ldb], seed: UInt64(n * 100 + k + 7)).values
                let start = randomTensor([m * ldc], seed: UInt64(m + n + k)).values
                var c = start
                let needed = HeadProducts.scratchCount(n: n, k: k)
                var scratch = [Float](repeating: .nan, count: needed + 8)  // 8 past the end, to see them untouched
                c.withUnsafeMutableBufferPointer { cp in scratch.withUnsafeMutableBufferPointer { sp in
                    HeadProducts.kernel.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                             a: a, lda: lda, b: b, ldb: ldb, accumulate: accumulate,
                                             c: cp.baseAddress!, ldc: ldc, scratch: sp.baseAddress!)
                } }
                #expect(scratch[needed...].allSatisfy { $0.isNaN }, "m \(m) n \(n) k \(k): scratch written past its \(needed) floats")
                for i in 0..<m {
                    for j in 0..<ldc {
                        guard j < n else {
                            #expect(c[i * ldc + j] == start[i * ldc + j], "m \(m) n \(n) k \(k): wrote past column \(n)")
                            continue
                        }
                        var exact = accumulate ? Double(start[i * ldc + j]) : 0
                        for p in 0..<k {
                            exact += Double(transposeA ? a[p * lda + i] : a[i * lda + p]) * Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                        }
                        if abs(Double(c[i * ldc + j]) - exact) > 1e-5 * max(1, abs(exact)) {
                            Issue.record("transposes \(transposeA) \(transposeB), accumulate \(accumulate), m \(m) n \(n) k \(k), C[\(i), \(j)]: \(c[i * ldc + j]) vs \(exact)")
                            return
                        }
                        checked += 1
                    }
                }
            } } }
        } } }
        #expect(checked > 100_000)
    }

    /// Attention through the kernel and through OpenBLAS: the same values and gradients up to the
    /// order of sums, for lengths that are not multiples of the tiles, heads of 4 to 16, both
    /// attention modes, with and without a bias, from split heads and from a fused projection.
    @Test(.enabled(if: HeadProducts.kernelRuns, "without AVX2 and FMA both paths are OpenBLAS"))
    func attentionThroughTheKernelMatchesOpenBLAS() {
        for (t, d) in [(1, 4), (5, 8), (16, 16), (17, 12), (33, 16), (40, 8)] {
            for causal in [false, true] {
                let h = 2, b = 2
                let bias = randomTensor([h, t, t], seed: UInt64(t))
                let weight = randomTensor([b, t, h * d], seed: 3)
                for withBias in [false, true] {
                    var results: [[[Float]]] = []
                    for products in [HeadProducts.kernel, .sgemm] {
                        let q = randomTensor([b, h, t, d], seed: 1), k = randomTensor([b, h, t, d], seed: 2)
                        let v = randomTensor([b, h, t, d], seed: 4), qkv = randomTensor([b, t, 3 * h * d], seed: 5)
                        let termBias = withBias ? Tensor(bias.values, shape: bias.shape, requiresGrad: true) : nil
                        let split = attention(q, k, v, scale: 0.5, bias: termBias, causal: causal, products: products)
                        let fused = attention(qkv: qkv, heads: h, scale: 0.5, bias: termBias, causal: causal, products: products)
                        // One tensor as queries, keys and values: its later gradient products add to the first's.
                        let x = randomTensor([b, h, t, d], seed: 6)
                        let selfAttention = attention(x, x, x, scale: 0.5, causal: causal, products: products)
                        sum((split + fused + selfAttention) * weight).backward()
                        results.append([split.values, fused.values, selfAttention.values, q.gradValues, k.gradValues, v.gradValues,
                                        qkv.gradValues, x.gradValues] + (termBias.map { [$0.gradValues] } ?? []))
                    }
                    for (kernel, openBLAS) in zip(results[0], results[1]) { expectClose(kernel, openBLAS, tolerance: 2e-5) }
                }
            }
        }
    }
}
