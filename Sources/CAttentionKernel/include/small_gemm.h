#ifndef POSLAB_SMALL_GEMM_H
#define POSLAB_SMALL_GEMM_H
// Small matrix products in AVX2 and FMA (see small_gemm.c).

/// Whether `poslab_small_gemm` runs on this CPU (AVX2 and FMA).
int poslab_small_gemm_available(void);

/// Floats of scratch `poslab_small_gemm` needs for op(B) of shape (k, n).
long poslab_small_gemm_scratch(int n, int k);

/// C = op(A)·op(B), or C += op(A)·op(B) when `accumulate`, row-major: op(A) (m, k), op(B) (k, n),
/// C (m, n) with rows `ldc` apart; op(X) = Xᵀ when `transpose_x` (X then stored (k, m) or (n, k)
/// with leading dimension ldx). Each element is summed over k in order with one fused
/// multiply-add per term, then added to C (or to +0). `scratch`: `poslab_small_gemm_scratch(n, k)`
/// floats. Call only when `poslab_small_gemm_available()`.
void poslab_small_gemm(int transpose_a, int transpose_b, int m, int n, int k,
                       const float *a, long lda, const float *b, long ldb,
                       float *c, long ldc, int accumulate, float *scratch);

#endif
