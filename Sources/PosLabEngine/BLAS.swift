import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`, row-major.
public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C, with op(A) of shape (m, k) and op(B) of shape (k, n).
    ///
    /// With `beta` 0, C is not read (it may hold anything). C is then zeroed here and OpenBLAS is
    /// asked to add to it: OpenBLAS does the same (its `sgemm_beta` kernel zeroes C, then the
    /// product is added), so the result is the same bits, but its zeroing kernel is slower than
    /// `memset`: 0.41 ms of a 12.4 ms training step at the standard size on an AMD EPYC (Zen kernel).
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var beta = beta
        if beta == 0 {
            zero(rows: m, columns: n, c, ldc: ldc)
            beta = 1
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets the (rows, columns) matrix at `c`, rows `ldc` apart, to +0.
    @usableFromInline
    static func zero(rows: Int, columns: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if ldc == columns {
            c.update(repeating: 0, count: rows * columns)
        } else {
            for r in 0..<rows { (c + r * ldc).update(repeating: 0, count: columns) }
        }
    }

    /// Sets the number of threads OpenBLAS uses for one call (PosLab runs one thread per run).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// The number of threads OpenBLAS uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// OpenBLAS's build description (version, kernel, options).
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The kernel OpenBLAS runs and who chose it (see `BLASKernel`).
    public static var kernel: BLASKernel { .current }

    /// The path of the shared object that answers `cblas_sgemm` at run time.
    public static var sgemmProvider: String { String(cString: poslab_sgemm_provider()) }
}
