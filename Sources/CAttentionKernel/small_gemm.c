// Small matrix products without OpenBLAS's packing and dispatch, in AVX2 and FMA.
//
// Training attention multiplies, per sequence and head, matrices of (T, T) and (T, D): at PosLab's
// standard size 32×32×16, 1,536 calls to sgemm per step whose packing, dispatch and zeroing cost
// more than their arithmetic (OpenBLAS reaches 30–50 GFLOP/s on them, against 80–90 on the
// model's linear layers). Here A is read in place, op(B) in place when it is B with whole 8-lane
// rows, else laid out once as (k, n) rows padded to 8 lanes, and a tile of 4 rows × 16 columns of
// C is accumulated in registers.
//
// Each element of C is summed over k in order, one fused multiply-add per term starting from +0,
// and the sum is then added to C (or to +0). OpenBLAS orders its sums otherwise (on its Zen kernel
// about 70% of elements agree to the bit for k ≥ 8), so results differ from sgemm's in the last
// bits; HeadProductsTests checks them against a double-precision product.
#include "small_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define KERNEL __attribute__((target("avx2,fma")))
#define KERNEL_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

int poslab_small_gemm_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
int poslab_small_gemm_available(void) { return 0; }
#endif

static long round8(int n) { return ((long)n + 7) / 8 * 8; }

long poslab_small_gemm_scratch(int n, int k) { return (long)k * round8(n); }

#if defined(__x86_64__)

/// C[r, j0 ..< j0 + 8·nv] (+)= Σ_p A[r, p]·B[p, j0 ...] for `nr` (1 … 4) rows: A(r, p) at
/// a + r·a_row + p·a_col, B's rows `ldb` apart (8·nv valid floats each from j0). `width`: how many
/// of the 8·nv columns are C's (the rest are padding, not stored).
KERNEL_INLINE void tile(const float *a, long a_row, long a_col, const float *b, long ldb, int k,
                        float *c, long ldc, int nr, int nv, int width, int accumulate) {
    __m256 acc[4][2];
    for (int r = 0; r < nr; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int p = 0; p < k; p++) {
        __m256 b0 = _mm256_loadu_ps(b + p * ldb), b1 = nv > 1 ? _mm256_loadu_ps(b + p * ldb + 8) : b0;
        for (int r = 0; r < nr; r++) {
            __m256 x = _mm256_broadcast_ss(a + r * a_row + p * a_col);
            acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
            if (nv > 1) acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < nr; r++) {
        for (int u = 0; u < nv; u++) {
            float *out = c + r * ldc + 8 * u;
            const int lanes = width - 8 * u < 8 ? width - 8 * u : 8;
            if (lanes == 8) {
                __m256 base = accumulate ? _mm256_loadu_ps(out) : _mm256_setzero_ps();
                _mm256_storeu_ps(out, _mm256_add_ps(acc[r][u], base));
            } else if (lanes > 0) {
                float sum[8];
                _mm256_storeu_ps(sum, acc[r][u]);
                for (int l = 0; l < lanes; l++) out[l] = sum[l] + (accumulate ? out[l] : 0.0f);
            }
        }
    }
}

/// The full tile of `tile`, 4 rows × 16 columns, with its eight accumulators named (so that they
/// stay in registers along k).
KERNEL_INLINE void full_tile(const float *a, long a_row, long a_col, const float *b, long ldb, int k,
                             float *c, long ldc, int accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    const float *a0 = a, *a1 = a + a_row, *a2 = a + 2 * a_row, *a3 = a + 3 * a_row;
    for (int p = 0; p < k; p++) {
        const __m256 b0 = _mm256_loadu_ps(b + p * ldb), b1 = _mm256_loadu_ps(b + p * ldb + 8);
        const long o = p * a_col;
        __m256 x = _mm256_broadcast_ss(a0 + o);
        c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a1 + o);
        c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a2 + o);
        c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a3 + o);
        c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
    }
    const __m256 sums[8] = {c00, c01, c10, c11, c20, c21, c30, c31};
    for (int r = 0; r < 4; r++) {
        for (int u = 0; u < 2; u++) {
            float *out = c + r * ldc + 8 * u;
            const __m256 base = accumulate ? _mm256_loadu_ps(out) : _mm256_setzero_ps();
            _mm256_storeu_ps(out, _mm256_add_ps(sums[2 * r + u], base));
        }
    }
}

KERNEL void poslab_small_gemm(int transpose_a, int transpose_b, int m, int n, int k,
                              const float *a, long lda, const float *b, long ldb,
                              float *c, long ldc, int accumulate, float *scratch) {
    // op(B) as (k, n) rows: read in place when B is (k, n) with whole vectors, else copied
    // (k, ⌈n/8⌉·8) with zeros past column n.
    const float *rows = b;
    long row_stride = ldb;
    if (transpose_b || n % 8 != 0) {
        const long pad = round8(n);
        for (int p = 0; p < k; p++) {
            float *out = scratch + p * pad;
            for (int j = 0; j < n; j++) out[j] = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
            for (long j = n; j < pad; j++) out[j] = 0;
        }
        rows = scratch;
        row_stride = pad;
    }
    const long a_row = transpose_a ? 1 : lda, a_col = transpose_a ? lda : 1;
    for (int i = 0; i < m; i += 4) {
        const int nr = m - i < 4 ? m - i : 4;
        for (int j = 0; j < n; j += 16) {
            const int width = n - j < 16 ? n - j : 16;
            const float *ai = a + i * a_row, *bj = rows + j;
            float *cij = c + i * ldc + j;
            // Full tiles with constant extents, so that the accumulators stay in registers.
            if (nr == 4 && width == 16) full_tile(ai, a_row, a_col, bj, row_stride, k, cij, ldc, accumulate);
            else tile(ai, a_row, a_col, bj, row_stride, k, cij, ldc, nr, width > 8 ? 2 : 1, width, accumulate);
        }
    }
}

#else
void poslab_small_gemm(int transpose_a, int transpose_b, int m, int n, int k, const float *a, long lda,
                       const float *b, long ldb, float *c, long ldc, int accumulate, float *scratch) {
    (void)transpose_a; (void)transpose_b; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb;
    (void)c; (void)ldc; (void)accumulate; (void)scratch;
}
#endif
