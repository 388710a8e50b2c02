import CAttentionKernel

// MARK: - Attention in blocks, in memory linear in T (forward only)

/// The block sizes of `blockedAttention`: queries are taken `queries` rows at a time, and each
/// query block meets the keys `keys` columns at a time.
public struct AttentionBlocks: Sendable, Equatable {
    /// Rows of queries per block, and keys per block.
    public var queries: Int, keys: Int
    /// Whether a block may run in the AVX2 kernel (CAttentionKernel) when the CPU has AVX2 and FMA
    /// and the head width is a multiple of 8; false: always two sgemm calls per block of keys.
    public var vectorKernel: Bool

    public init(queries: Int = 64, keys: Int = 256, vectorKernel: Bool = true) {
        precondition(queries >= 1 && keys >= 1, "attention blocks must hold at least one query and one key")
        self.queries = queries
        self.keys = keys
        self.vectorKernel = vectorKernel
    }

    /// Whether blocks of heads `headSize` wide run in the AVX2 kernel on this CPU (with `vectorKernel`).
    public static func vectorKernelRuns(headSize: Int) -> Bool {
        poslab_attention_block_available(Int32(clamping: headSize), 1) != 0
    }
}

/// The additive score term of one block of queries against a range of keys, asked for by
/// `blockedAttention`: (Tq, Tk), (H, Tq, Tk) or (B′, H′, Tq, Tk) with B′ ∈ {1, B}, H′ ∈ {1, H},
/// for Tq = |queries| and Tk = |keys|; nil for none.
public typealias BlockTerm = (_ queries: Range<Int>, _ keys: Range<Int>) -> Tensor?

/// `attention(q, k, v, …)` computed in blocks with an online softmax: the same values up to the
/// order of floating-point operations, in memory linear in T — one (Bq, Bk) block of scores and a
/// (Bq, D) accumulator at a time instead of the (B, H, T, T) weights (and, for the AVX2 kernel, a
/// copy of the keys and one of the values, each the size of k). Forward only: the result
/// records no gradient (evaluation, inference). `q`, `k`, `v`: (B, H, T, D); returns (B, T, H·D).
///
/// `term(queries, keys)` gives the additive score term (after scaling) of each query block, asked
/// once per block of `blocks.queries` queries against all the keys it sees (0 ..< T, or up to the
/// block's last query when causal), so its memory is linear in T too.
public func blockedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float, causal: Bool = false,
                             blocks: AttentionBlocks = AttentionBlocks(), term: BlockTerm? = nil) -> Tensor {
    precondition(q.shape.count == 4 && q.shape == k.shape && q.shape == v.shape, "attention needs q, k, v of one (B, H, T, D) shape")
    let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
    return blockedAttentionKernel(HeadView(split: q), HeadView(split: k), HeadView(split: v), batch: b, heads: h, length: t,
                                  headSize: d, scale: scale, causal: causal, blocks: blocks, term: term)
}

/// The same, reading queries, keys and values straight from a fused projection `qkv` (B, T, 3C).
public func blockedAttention(qkv: Tensor, heads h: Int, scale: Float, causal: Bool = false,
                             blocks: AttentionBlocks = AttentionBlocks(), term: BlockTerm? = nil) -> Tensor {
    precondition(qkv.shape.count == 3 && qkv.shape[2] % (3 * h) == 0, "attention(qkv:) needs (B, T, 3·C) with C divisible by \(h) heads, got \(qkv.shape)")
    let (b, t, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / (3 * h))
    return blockedAttentionKernel(HeadView(fused: qkv, part: 0, heads: h), HeadView(fused: qkv, part: 1, heads: h),
                                  HeadView(fused: qkv, part: 2, heads: h), batch: b, heads: h, length: t, headSize: d,
                                  scale: scale, causal: causal, blocks: blocks, term: term)
}

/// The kernel behind both entry points. For each query block i0 ..< i1 (Bq rows) the term is asked
/// for once; then, per sequence and head, the key blocks j0 ..< j1 (Bk columns) are visited in order,
/// keeping per query row the running maximum m, the running sum ℓ of exp(z − m), and the running
/// weighted sum of values O (Bq, D):
///
///     S = scale·Q[i0..<i1]·K[j0..<j1]ᵀ + term          (Bq, Bk)  one sgemm
///     m′ = max(m, max_j S);  α = e^(m − m′);  P = e^(S − m′)   (causal: keys after the query get 0)
///     ℓ ← α·ℓ + Σ_j P;  O ← α·O + P·V[j0..<j1]         (Bq, D)   one sgemm
///
/// and at the end row i of the output is O / ℓ. Causal attention skips the key blocks that lie
/// wholly after the query block. When the CPU and the head width allow (`AttentionBlocks.vectorKernel`),
/// each (query block, sequence, head) runs these same steps in `poslab_attention_block` (C, AVX2 and
/// FMA, scores and P·V in register tiles) instead of two sgemm calls per key block.
private func blockedAttentionKernel(_ q: HeadView, _ k: HeadView, _ v: HeadView, batch b: Int, heads h: Int, length t: Int,
                                    headSize d: Int, scale: Float, causal: Bool, blocks: AttentionBlocks,
                                    term: BlockTerm?) -> Tensor {
    let c = h * d
    let out = Tensor(zeros: [b, t, c])                                       // (B, T, H·D), no parents: forward only
    let bq = min(blocks.queries, max(t, 1)), bk = min(blocks.keys, max(t, 1))
    let scores = Storage(uninitializedCount: bq * bk)                       // (Bq, Bk): scores, then weights
    let sum = Storage(uninitializedCount: bq * d)                           // (Bq, D): O, the running weighted sum
    var rowMax = [Float](repeating: 0, count: bq), rowTotal = [Float](repeating: 0, count: bq)
    let vectorKernel = poslab_attention_block_available(Int32(d), blocks.vectorKernel ? 1 : 0) != 0
    let scratch = Storage(uninitializedCount: vectorKernel ? poslab_attention_block_scratch(Int32(bq), Int32(bk), Int32(d)) : 0)
    // The AVX2 kernel reads keys packed in transposed panels of 16, (B, H, ⌈T/16⌉, D, 16), and values
    // with each head's rows contiguous, (B, H, T, D), both copied once for all query blocks (each the
    // size of k: memory linear in T) and starting on a 64-byte cache line, so that a panel or a row of
    // 16 floats is one line (values read from the fused (B, T, 3C) rows were 10–15% slower at T = 4,096).
    let packedSize = vectorKernel ? poslab_attention_packed_keys_size(Int32(t), Int32(d)) : 0
    let packedKeys = Storage(uninitializedCount: vectorKernel ? b * h * packedSize + 16 : 0)
    let packedValues = Storage(uninitializedCount: vectorKernel ? b * h * t * d + 16 : 0)
    let keysStart = alignedToCacheLine(packedKeys.pointer), valuesStart = alignedToCacheLine(packedValues.pointer)
    if vectorKernel {
        for s in 0..<b {
            for head in 0..<h {
                poslab_attention_pack_keys(k.tensor.data + k.offset(s, head), k.rowStride, Int32(t), Int32(d),
                                           keysStart + (s * h + head) * packedSize)
                let (source, target) = (v.tensor.data + v.offset(s, head), valuesStart + (s * h + head) * t * d)
                for j in 0..<t { copyRow(source + j * v.rowStride, to: target + j * d, count: d) }
            }
        }
    }
    let y = out.data
    for i0 in stride(from: 0, to: t, by: bq) {
        let i1 = min(i0 + bq, t), rows = i1 - i0
        let keyEnd = causal ? i1 : t                                         // keys any of these queries sees
        let blockTerm = term?(i0..<i1, 0..<keyEnd)                           // (…, rows, keyEnd)
        var (termBatch, termHeads) = (1, 1)
        if let blockTerm {
            let s = blockTerm.shape
            let ok = s == [rows, keyEnd] || s == [h, rows, keyEnd]
                || (s.count == 4 && [1, b].contains(s[0]) && [1, h].contains(s[1]) && s.suffix(2) == [rows, keyEnd])
            precondition(ok, "block term for queries \(i0)..<\(i1), keys 0..<\(keyEnd) must be [\(rows), \(keyEnd)], "
                         + "[\(h), \(rows), \(keyEnd)] or [\(b) or 1, \(h) or 1, \(rows), \(keyEnd)], got \(s)")
            if s.count == 3 { termHeads = h }
            if s.count == 4 { (termBatch, termHeads) = (s[0], s[1]) }
        }
        for s in 0..<b {
            for head in 0..<h {
                let headTerm = blockTerm.map {                               // (rows, keyEnd) of this sequence and head
                    $0.data + ((termBatch == 1 ? 0 : s) * termHeads + (termHeads == 1 ? 0 : head)) * rows * keyEnd
                }
                let (qo, ko, vo) = (q.offset(s, head) + i0 * q.rowStride, k.offset(s, head), v.offset(s, head))
                if vectorKernel {
                    poslab_attention_block(q.tensor.data + qo, q.rowStride, keysStart + (s * h + head) * packedSize,
                                           valuesStart + (s * h + head) * t * d, d, headTerm, keyEnd,
                                           y + (s * t + i0) * c + head * d, c, Int32(rows), Int32(keyEnd), Int32(d),
                                           Int32(bk), scale, causal ? 1 : 0, Int32(i0), scratch.pointer)
                    continue
                }
                for r in 0..<rows { (rowMax[r], rowTotal[r]) = (-.infinity, 0) }
                sum.pointer.update(repeating: 0, count: rows * d)
                for j0 in stride(from: 0, to: keyEnd, by: bk) {
                    let j1 = min(j0 + bk, keyEnd), cols = j1 - j0
                    BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: cols, k: d, a: q.tensor.data + qo,
                              lda: q.rowStride, b: k.tensor.data + ko + j0 * k.rowStride, ldb: k.rowStride,
                              beta: 0, c: scores.pointer, ldc: cols)             // (rows, cols)
                    for r in 0..<rows {
                        let row = scores.pointer + r * cols
                        let visible = causal ? min(cols, i0 + r - j0 + 1) : cols
                        if visible <= 0 {                                    // every key of the block is after the query
                            row.update(repeating: 0, count: cols)
                            continue
                        }
                        let alpha = onlineSoftmaxRow(row, count: cols, visible: visible, scale: scale,
                                                     term: headTerm.map { $0 + r * keyEnd + j0 },
                                                     max: &rowMax[r], total: &rowTotal[r])
                        if alpha != 1 {
                            let o = sum.pointer + r * d
                            for l in 0..<d { o[l] *= alpha }
                        }
                    }
                    BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: d, k: cols, a: scores.pointer, lda: cols,
                              b: v.tensor.data + vo + j0 * v.rowStride, ldb: v.rowStride,
                              beta: 1, c: sum.pointer, ldc: d)                   // O += P·V  (rows, D)
                }
                for r in 0..<rows {
                    let inv = 1 / rowTotal[r], o = sum.pointer + r * d, target = y + (s * t + i0 + r) * c + head * d
                    for l in 0..<d { target[l] = o[l] * inv }
                }
            }
        }
    }
    withExtendedLifetime((scores, sum, scratch, packedKeys, packedValues)) {}
    return out
}

/// `pointer` moved up to the next multiple of 64 bytes (at most 15 floats on).
private func alignedToCacheLine(_ pointer: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
    let address = UInt(bitPattern: pointer)
    return pointer + Int((64 - address % 64) % 64) / MemoryLayout<Float>.stride
}

/// One row of a block of scores, in place: z = scale·row + term over the first `visible` entries,
/// then e^(z − m′) with m′ the running maximum updated by this block, zeros after `visible`.
/// Updates the running maximum and total (ℓ ← α·ℓ + Σ e^(z − m′)) and returns α = e^(m − m′), the
/// factor by which the row's earlier sums shrink (0 for the first block, 1 when the maximum stays).
@inline(__always)
func onlineSoftmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int, visible: Int, scale: Float,
                      term: UnsafeMutablePointer<Float>?, max runningMax: inout Float, total: inout Float) -> Float {
    let end = visible - visible % 8
    var mx8 = Float8(repeating: -.infinity)
    var j = 0
    while j < end {
        var z = scale * row.load8(j)
        if let term { z += term.load8(j) }
        row.store8(z, j)
        mx8.replace(with: z, where: z .> mx8)
        j += 8
    }
    var mx = -Float.infinity
    for l in 0..<8 { mx = Swift.max(mx, mx8[l]) }
    while j < visible {
        var z = scale * row[j]
        if let term { z += term[j] }
        row[j] = z
        mx = Swift.max(mx, z)
        j += 1
    }
    let newMax = Swift.max(runningMax, mx)
    let alpha: Float = runningMax == -.infinity ? 0
        : runningMax == newMax ? 1 : vectorExpNonPositive(Float8(repeating: runningMax - newMax))[0]
    var sum8 = Float8(repeating: 0)
    j = 0
    while j < end {
        let e = vectorExpNonPositive(row.load8(j) - newMax)
        row.store8(e, j)
        sum8 += e
        j += 8
    }
    var blockTotal: Float = 0
    for l in 0..<8 { blockTotal += sum8[l] }
    while j < visible {
        let e = vectorExpNonPositive(Float8(repeating: row[j] - newMax))[0]
        row[j] = e
        blockTotal += e
        j += 1
    }
    for j in visible..<count { row[j] = 0 }
    total = total * alpha + blockTotal
    runningMax = newMax
    return alpha
}
