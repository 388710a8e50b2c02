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

/// Floats of `key_count` keys of width `head_size` packed by `poslab_attention_pack_keys`.
long poslab_attention_packed_keys_size(int key_count, int head_size);

/// Packs the `key_count` keys of one head (row j at k + j·k_stride, `head_size` wide) in panels of
/// 16 keys, each transposed, (⌈key_count/16⌉, d, 16), zeros past the last key:
/// packed[(j / 16)·16·d + x·16 + j % 16] = k[j·k_stride + x]. The layout in which
/// `poslab_attention_block` reads keys (one contiguous 16·d panel per tile of scores), made once
/// per head for all blocks of queries.
void poslab_attention_pack_keys(const float *k, long k_stride, int key_count, int head_size, float *packed);

/// Attention of `rows` queries against keys 0 ..< `key_end`, `key_block` (rounded up to a multiple
/// of 16) keys at a time, with an
/// online softmax, for one sequence and one head of width d = `head_size`:
///
///     S = scale·Q·K[j0..<j1]ᵀ + term[:, j0..<j1]        (rows, Bk)
///     m′ = max(m, max_j S);  α = e^(m − m′);  P = e^(S − m′)
///     ℓ ← α·ℓ + Σ_j P;  O ← α·O + P·V[j0..<j1]           (rows, d)
///     out = O / ℓ
///
/// Row i of q, v, term and out starts at pointer + i·stride; the keys are `packed` by
/// `poslab_attention_pack_keys` (at least `key_end` of them). `term` (rows, key_end) may be NULL.
/// `causal`: query r is query `first_query` + r of the sequence, and sees keys 0 ... first_query + r.
/// `scratch`: `poslab_attention_block_scratch(rows, key_block, head_size)` floats. Call only when
/// `poslab_attention_block_available(head_size, 1)`.
void poslab_attention_block(const float *q, long q_stride, const float *packed,
                            const float *v, long v_stride, const float *term, long term_stride,
                            float *out, long out_stride, int rows, int key_end, int head_size,
                            int key_block, float scale, int causal, int first_query, float *scratch);

#endif
