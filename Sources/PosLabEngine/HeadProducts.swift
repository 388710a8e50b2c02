import CAttentionKernel

// MARK: - The per-head products of training attention

/// How training attention multiplies its per-head matrices: (T, T) scores and weights against
/// (T, D) queries, keys and values, six products per sequence and head in a training step.
///
/// These are too small for OpenBLAS: at PosLab's standard size (T 32, D 16) its packing, dispatch
/// and zeroing cost more than the arithmetic. The AVX2 and FMA kernel (`poslab_small_gemm` in
/// CAttentionKernel) reads them in place and keeps a 4 × 16 tile of the result in registers:
/// 1.28–1.64× OpenBLAS's speed on heads 16 and 32 wide for T from 8 to 512, 1.08–1.13× on heads
/// 64 wide (AMD EPYC, OpenBLAS's Zen kernel; docs/speed.md). Each element is a sum over k in
/// order, one fused multiply-add per term; OpenBLAS orders its sums otherwise, so the two differ
/// in the last bits. `sgemm` (OpenBLAS) is the plain path, used on a CPU without AVX2 and FMA,
/// and the reference the kernel is tested against.
public enum HeadProducts: Sendable, Equatable {
    /// The AVX2 and FMA kernel where the CPU has them, else OpenBLAS.
    case kernel
    /// OpenBLAS's `sgemm`, always.
    case sgemm

    /// Whether the kernel runs on this CPU.
    public static let kernelRuns = poslab_small_gemm_available() != 0

    /// Whether this choice runs the kernel on this CPU.
    public var runsKernel: Bool { self == .kernel && Self.kernelRuns }

    /// Floats of scratch `gemm` needs for a product whose op(B) is (k, n): k rows of n rounded up to 8.
    public static func scratchCount(n: Int, k: Int) -> Int { Int(poslab_small_gemm_scratch(Int32(n), Int32(k))) }

    /// Floats of scratch for attention's six products of (T, T) and (T, D) matrices: T·D or so,
    /// never T² (op(B) is (D, T) for the scores, (T, D) otherwise).
    public static func scratchCount(length t: Int, headSize d: Int) -> Int { max(scratchCount(n: t, k: d), scratchCount(n: d, k: t)) }

    /// C = op(A)·op(B), or C += op(A)·op(B) with `accumulate`, row-major (as `BLAS.gemm` with beta 0
    /// or 1). `scratch`: `scratchCount(n:k:)` floats, used by the kernel only.
    @inline(__always)
    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutablePointer<Float>) {
        if runsKernel {
            poslab_small_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), a, lda, b, ldb,
                              c, ldc, accumulate ? 1 : 0, scratch)
        } else {
            BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                      beta: accumulate ? 1 : 0, c: c, ldc: ldc)
        }
    }
}
