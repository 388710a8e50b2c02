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
}
