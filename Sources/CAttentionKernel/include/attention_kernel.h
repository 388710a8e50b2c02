#ifndef POSLAB_ATTENTION_KERNEL_H
#define POSLAB_ATTENTION_KERNEL_H
// One block of queries of blocked attention, in AVX2 and FMA (see attention_kernel.c).

/// Whether `poslab_attention_block` runs for heads of width `head_size` on this CPU: the CPU has
/// AVX2 and FMA, and the width is a multiple of 8 (at most 256). Otherwise the caller keeps its
/// own path (sgemm per block). `allow` = 0 answers 0, so that a caller can force its own path.
int poslab_attention_block_available(int head_size, int allow);

/// Floats of scratch `poslab_attention_block` needs for `rows` queries, key blocks of `key_block`
/// and heads of width `head_size`.
long poslab_attention_block_scratch(int rows, int key_block, int head_size);

/// The row stride of transposed keys for `key_count` keys: `key_count` rounded up to a multiple of 16.
long poslab_attention_keys_stride(int key_count);

/// kt[x·kt_stride + j] = k[j·k_stride + x] for the `key_count` keys j of one head of width
/// `head_size` (d, kt_stride), and zeros from `key_count` to `poslab_attention_keys_stride(key_count)`:
/// the layout in which `poslab_attention_block` reads keys, made once per head for all query blocks.
void poslab_attention_transpose_keys(const float *k, long k_stride, int key_count, int head_size,
                                     float *kt, long kt_stride);

/// Attention of `rows` queries against keys 0 ..< `key_end`, `key_block` keys at a time, with an
/// online softmax, for one sequence and one head of width d = `head_size`:
///
///     S = scale·Q·K[j0..<j1]ᵀ + term[:, j0..<j1]        (rows, Bk)
///     m′ = max(m, max_j S);  α = e^(m − m′);  P = e^(S − m′)
///     ℓ ← α·ℓ + Σ_j P;  O ← α·O + P·V[j0..<j1]           (rows, d)
///     out = O / ℓ
///
/// Row i of q, v, term and out starts at pointer + i·stride; the keys are `kt`, transposed by
/// `poslab_attention_transpose_keys` (d, kt_stride). `term` (rows, key_end) may be NULL.
/// `causal`: query r is query `first_query` + r of the sequence, and sees keys 0 ... first_query + r.
/// `scratch`: `poslab_attention_block_scratch(rows, key_block, head_size)` floats. Call only when
/// `poslab_attention_block_available(head_size, 1)`.
void poslab_attention_block(const float *q, long q_stride, const float *kt, long kt_stride,
                            const float *v, long v_stride, const float *term, long term_stride,
                            float *out, long out_stride, int rows, int key_end, int head_size,
                            int key_block, float scale, int causal, int first_query, float *scratch);

#endif
