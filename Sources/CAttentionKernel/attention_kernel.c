// Blocked attention for one block of queries, one sequence and one head, in AVX2 and FMA.
//
// The Swift kernel (Ops+BlockedAttention.swift) calls OpenBLAS twice per block of keys: for small
// heads (PosLab's standard model has width 16) each call is tiny (64×256×16) and its packing and
// dispatch cost as much as its arithmetic, and the online softmax runs in SSE. Here the same steps
// run in registers: a 4×16 tile of scores per step of the head width, the softmax row with an
// 8-lane exp (the Cephes polynomial of VectorMath.swift's `vectorExp`, with FMA), and a 4×16 tile of
// O += P·V kept in registers along the block's keys. Keys are packed once per head in panels of
// 16, each transposed (d, 16), so that a tile of scores reads one contiguous panel (a plain
// transpose, T floats per row, put the 16 rows a tile reads 4 KiB apart at T = 1,024: one cache
// set). Results equal the sgemm path's up to the order of floating-point operations (and FMA's
// single rounding).
//
// Functions carry `target("avx2,fma")`, so the file builds for any x86-64 and the caller asks
// `poslab_attention_block_available` (the CPU's flags, read once by the compiler's runtime) first.
#include "attention_kernel.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KERNEL __attribute__((target("avx2,fma")))
#define KERNEL_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

int poslab_attention_block_available(int head_size, int allow) {
    __builtin_cpu_init();
    return allow && head_size > 0 && head_size % 8 == 0 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
int poslab_attention_block_available(int head_size, int allow) { (void)head_size; (void)allow; return 0; }
#endif

/// Keys per block rounded up to the score tile's 16 columns.
static long padded(int key_block) { return ((long)key_block + 15) / 16 * 16; }

long poslab_attention_block_scratch(int rows, int key_block, int head_size) {
    return (long)rows * padded(key_block) + (long)rows * head_size + 2L * rows;  // S, O, m, ℓ
}

long poslab_attention_packed_keys_size(int key_count, int head_size) { return padded(key_count) * head_size; }

void poslab_attention_pack_keys(const float *k, long k_stride, int key_count, int head_size, float *packed) {
    for (long j0 = 0; j0 < padded(key_count); j0 += 16) {
        float *panel = packed + j0 * head_size;  // (d, 16)
        for (int c = 0; c < 16; c++) {
            const long j = j0 + c;
            for (int x = 0; x < head_size; x++) panel[x * 16 + c] = j < key_count ? k[j * k_stride + x] : 0;
        }
    }
}

#if defined(__x86_64__)

/// e^x for x ≤ 0, eight lanes: VectorMath.swift's `vectorExpNonPositive` (clamped below at −87.3).
KERNEL_INLINE __m256 exp_nonpositive(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);  // 1.5·2²³: adding it rounds to an integer
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 r2 = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
    __m256i integer = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(integer, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

KERNEL_INLINE float exp_scalar(float x) { return _mm256_cvtss_f32(exp_nonpositive(_mm256_set1_ps(x))); }

KERNEL_INLINE float horizontal_max(__m256 x) {
    __m128 four = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    __m128 two = _mm_max_ps(four, _mm_movehl_ps(four, four));
    return fmaxf(_mm_cvtss_f32(two), _mm_cvtss_f32(_mm_shuffle_ps(two, two, 1)));
}

KERNEL_INLINE float horizontal_sum(__m256 x) {
    __m128 four = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    return _mm_cvtss_f32(two) + _mm_cvtss_f32(_mm_shuffle_ps(two, two, 1));
}

/// S[r, 0..<16] = Σ_x q[r, x]·Kᵀ[x, 0..<16] for `nr` (1 … 4) query rows: (nr, 16), in registers
/// along the head width. `panel`: the tile's 16 keys, packed (d, 16); `s`: the tile's first score,
/// rows `pad` apart.
KERNEL_INLINE void score_tile(const float *q, long q_stride, const float *panel, int d, float *s, long pad, int nr) {
    __m256 acc[4][2];
    for (int r = 0; r < nr; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int x = 0; x < d; x++) {
        __m256 k0 = _mm256_loadu_ps(panel + x * 16), k1 = _mm256_loadu_ps(panel + x * 16 + 8);
        for (int r = 0; r < nr; r++) {
            __m256 qb = _mm256_broadcast_ss(q + r * q_stride + x);
            acc[r][0] = _mm256_fmadd_ps(qb, k0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(qb, k1, acc[r][1]);
        }
    }
    for (int r = 0; r < nr; r++) {
        _mm256_storeu_ps(s + r * pad, acc[r][0]);
        _mm256_storeu_ps(s + r * pad + 8, acc[r][1]);
    }
}

/// O[r, 0..<8·nv] += Σ_j P[r, j]·V[j, 0..<8·nv] over the block's `cols` keys, for `nr` (1 … 4)
/// rows and `nv` (1 or 2) vectors of the head width: (nr, 8·nv) kept in registers along the keys.
KERNEL_INLINE void value_tile(const float *p, long pad, const float *v, long v_stride, int cols, float *o, int d,
                              int nr, int nv) {
    __m256 acc[4][2];
    for (int r = 0; r < nr; r++)
        for (int u = 0; u < nv; u++) acc[r][u] = _mm256_loadu_ps(o + r * d + 8 * u);
    for (int j = 0; j < cols; j++) {
        __m256 values[2];
        for (int u = 0; u < nv; u++) values[u] = _mm256_loadu_ps(v + j * v_stride + 8 * u);
        for (int r = 0; r < nr; r++) {
            __m256 pb = _mm256_broadcast_ss(p + r * pad + j);
            for (int u = 0; u < nv; u++) acc[r][u] = _mm256_fmadd_ps(pb, values[u], acc[r][u]);
        }
    }
    for (int r = 0; r < nr; r++)
        for (int u = 0; u < nv; u++) _mm256_storeu_ps(o + r * d + 8 * u, acc[r][u]);
}

/// One row of scores in place, as `onlineSoftmaxRow` in Ops+BlockedAttention.swift: z = scale·s +
/// term over the first `visible` of `cols` entries, then e^(z − m′) (zeros after `visible`), with m′
/// the running maximum updated by this block; ℓ ← α·ℓ + Σ e^(z − m′). Returns α = e^(m − m′) (0 for
/// the first block, 1 when the maximum stays).
KERNEL_INLINE float softmax_row(float *row, const float *term, int cols, int visible, float scale,
                                float *running_max, float *total) {
    const int end = visible - visible % 8;
    const __m256 scale8 = _mm256_set1_ps(scale);
    __m256 max8 = _mm256_set1_ps(-INFINITY);
    int j = 0;
    for (; j < end; j += 8) {
        __m256 z = term ? _mm256_fmadd_ps(scale8, _mm256_loadu_ps(row + j), _mm256_loadu_ps(term + j))
                        : _mm256_mul_ps(scale8, _mm256_loadu_ps(row + j));
        _mm256_storeu_ps(row + j, z);
        max8 = _mm256_max_ps(max8, z);
    }
    float mx = horizontal_max(max8);
    for (; j < visible; j++) {
        float z = term ? fmaf(scale, row[j], term[j]) : scale * row[j];
        row[j] = z;
        mx = fmaxf(mx, z);
    }
    const float new_max = fmaxf(*running_max, mx);
    const float alpha = *running_max == -INFINITY ? 0 : *running_max == new_max ? 1 : exp_scalar(*running_max - new_max);
    const __m256 max_b = _mm256_set1_ps(new_max);
    __m256 sum8 = _mm256_setzero_ps();
    for (j = 0; j < end; j += 8) {
        __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(row + j), max_b));
        _mm256_storeu_ps(row + j, e);
        sum8 = _mm256_add_ps(sum8, e);
    }
    float block_total = horizontal_sum(sum8);
    for (; j < visible; j++) {
        float e = exp_scalar(row[j] - new_max);
        row[j] = e;
        block_total += e;
    }
    for (; j < cols; j++) row[j] = 0;
    *total = *total * alpha + block_total;
    *running_max = new_max;
    return alpha;
}

KERNEL void poslab_attention_block(const float *q, long q_stride, const float *packed,
                                   const float *v, long v_stride, const float *term, long term_stride,
                                   float *out, long out_stride, int rows, int key_end, int d,
                                   int key_block, float scale, int causal, int first_query, float *scratch) {
    key_block = (int)padded(key_block);  // whole panels of 16 keys
    const long pad = key_block;
    float *s = scratch;                  // (rows, pad): scores, then weights
    float *o = s + rows * pad;           // (rows, d): O, the running weighted sum of values
    float *row_max = o + rows * d, *row_total = row_max + rows;
    for (int r = 0; r < rows; r++) row_max[r] = -INFINITY, row_total[r] = 0;
    memset(o, 0, sizeof(float) * rows * d);
    for (int j0 = 0; j0 < key_end; j0 += key_block) {
        const int cols = key_end - j0 < key_block ? key_end - j0 : key_block;
        const int tiles = (cols + 15) / 16;  // the last tile's columns past `cols` are scored and ignored
        const float *panels = packed + (long)j0 * d;  // the block's first panel (j0 is a multiple of 16)
        // S = Q·Kᵀ, (rows, 16·tiles)
        int r = 0;
        for (; r + 4 <= rows; r += 4)
            for (int t = 0; t < tiles; t++)
                score_tile(q + r * q_stride, q_stride, panels + 16L * d * t, d, s + r * pad + 16 * t, pad, 4);
        for (; r < rows; r++)
            for (int t = 0; t < tiles; t++)
                score_tile(q + r * q_stride, q_stride, panels + 16L * d * t, d, s + r * pad + 16 * t, pad, 1);
        // P = e^(scale·S + term − m′) row by row, and the earlier sums scaled by α.
        for (r = 0; r < rows; r++) {
            float *row = s + r * pad;
            const int visible = causal ? (cols < first_query + r - j0 + 1 ? cols : first_query + r - j0 + 1) : cols;
            if (visible <= 0) {  // every key of the block is after the query
                memset(row, 0, sizeof(float) * cols);
                continue;
            }
            const float alpha = softmax_row(row, term ? term + r * term_stride + j0 : 0, cols, visible, scale,
                                            row_max + r, row_total + r);
            if (alpha != 1) {
                const __m256 a = _mm256_set1_ps(alpha);
                for (int x = 0; x < d; x += 8) _mm256_storeu_ps(o + r * d + x, _mm256_mul_ps(a, _mm256_loadu_ps(o + r * d + x)));
            }
        }
        // O += P·V[j0..<j0+cols], (rows, d)
        const float *vb = v + (long)j0 * v_stride;
        for (r = 0; r + 4 <= rows; r += 4) {
            int x = 0;
            for (; x + 16 <= d; x += 16) value_tile(s + r * pad, pad, vb + x, v_stride, cols, o + r * d + x, d, 4, 2);
            if (x < d) value_tile(s + r * pad, pad, vb + x, v_stride, cols, o + r * d + x, d, 4, 1);
        }
        for (; r < rows; r++) {
            int x = 0;
            for (; x + 16 <= d; x += 16) value_tile(s + r * pad, pad, vb + x, v_stride, cols, o + r * d + x, d, 1, 2);
            if (x < d) value_tile(s + r * pad, pad, vb + x, v_stride, cols, o + r * d + x, d, 1, 1);
        }
    }
    for (int r = 0; r < rows; r++) {
        const __m256 inverse = _mm256_set1_ps(1 / row_total[r]);
        for (int x = 0; x < d; x += 8)
            _mm256_storeu_ps(out + r * out_stride + x, _mm256_mul_ps(inverse, _mm256_loadu_ps(o + r * d + x)));
    }
}

#else

void poslab_attention_block(const float *q, long q_stride, const float *packed,
                            const float *v, long v_stride, const float *term, long term_stride,
                            float *out, long out_stride, int rows, int key_end, int head_size,
                            int key_block, float scale, int causal, int first_query, float *scratch) {
    (void)q; (void)q_stride; (void)packed; (void)v; (void)v_stride; (void)term; (void)term_stride;
    (void)out; (void)out_stride; (void)rows; (void)key_end; (void)head_size; (void)key_block; (void)scale;
    (void)causal; (void)first_query; (void)scratch;
    __builtin_trap();  // never available off x86-64
}

#endif
