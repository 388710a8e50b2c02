import COpenBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`, row-major.
public enum BLAS {
    /// C = alpha · op(A) · op(B) + beta · C, with op(A) of shape (m, k) and op(B) of shape (k, n).
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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
