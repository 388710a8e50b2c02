import PosLabEngine
import Testing

@Suite struct BLASTests {
    /// GSL must be linked without gslcblas: OpenBLAS answers cblas_sgemm.
    @Test func sgemmComesFromOpenBLAS() {
        let provider = BLAS.sgemmProvider
        #expect(provider.contains("openblas"), "cblas_sgemm is served by \(provider)")
        #expect(!provider.contains("gslcblas"))
        #expect(BLAS.configuration.contains("OpenBLAS"))
    }

    @Test func gemmMatchesNaiveProduct() {
        let (m, n, k) = (7, 5, 9)
        let a = randomTensor([m, k], seed: 1), b = randomTensor([k, n], seed: 2)
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a.values[i * k + p] * b.values[p * n + j] } } }
        expectClose(matmul(a, b).values, expected, tolerance: 1e-5)
    }

    /// With beta 0, C is written, never read (PosLab zeroes it and has OpenBLAS add to it): NaN in
    /// C does not leak into the product, and the columns between rows (ldc > n) are left alone.
    @Test func betaZeroIgnoresWhatCHeld() {
        let (m, n, k, ldc) = (5, 3, 4, 7)
        let a = randomTensor([m, k], seed: 3).values, b = randomTensor([k, n], seed: 4).values
        var c = [Float](repeating: .nan, count: m * ldc)
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 0, c: cp.baseAddress!, ldc: ldc)
        }
        for i in 0..<m {
            var expected = [Float](repeating: 0, count: n)
            for j in 0..<n { for p in 0..<k { expected[j] += a[i * k + p] * b[p * n + j] } }
            let row = Array(c[(i * ldc)..<(i * ldc + n)])
            #expect(row.allSatisfy { $0.isFinite }, "row \(i): \(row)")
            expectClose(row, expected, tolerance: 1e-5)
            #expect(c[(i * ldc + n)..<(i * ldc + ldc)].allSatisfy { $0.isNaN }, "row \(i): columns past n were written")
        }
    }
}
