import Foundation

// MARK: - Multi-head attention (fused: heads split, scores, softmax, weighted sum, heads merged)

/// Part `part` (0 = queries, 1 = keys, 2 = values) of a fused projection (B, T, 3C), split into
/// `heads` heads: (B, H, T, D) with D = C / H. One copy; the gradient is scattered back.
public func heads(of qkv: Tensor, part: Int, count parts: Int = 3, heads h: Int) -> Tensor {
    precondition(qkv.shape.count == 3 && qkv.shape[2] % (parts * h) == 0, "heads(of:) needs (B, T, \(parts)·C), got \(qkv.shape)")
    let (b, t, width) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
    let c = width / parts, d = c / h
    let out = Tensor(shape: [b, h, t, d], parents: [qkv]) { out in
        let g = out.grad, gq = qkv.grad
        for s in 0..<b { for head in 0..<h { for p in 0..<t {
            addRow(g + ((s * h + head) * t + p) * d, into: gq + (s * t + p) * width + part * c + head * d, count: d)
        } } }
    }
    let x = qkv.data, y = out.data
    for s in 0..<b { for head in 0..<h { for p in 0..<t {
        copyRow(x + (s * t + p) * width + part * c + head * d, to: y + ((s * h + head) * t + p) * d, count: d)
    } } }
    return out
}

/// Scaled dot-product attention over heads, fused: softmax(scale·q·kᵀ + bias, causal mask)·v,
/// returned with the heads merged back, (B, T, H·D).
///
/// - `q`, `k`, `v`: (B, H, T, D).
/// - `bias`: optional (T, T), (H, T, T) or (B′, H′, T, T) with B′ ∈ {1, B} and H′ ∈ {1, H}, added
///   after scaling, its gradient summed over the dimensions it is broadcast along.
/// - `causal`: query i sees keys j ≤ i.
/// The same computation as `matmul` + `attentionSoftmax` + `matmul` + transpose, without the
/// intermediate tensors: one product per head for the scores and one for the weighted sum, reading
/// and writing the (B, T, H·D) layout in place through leading dimensions, and the attention
/// weights kept for the backward pass. `products`: how the per-head products are computed (the
/// AVX2 kernel where the CPU has it; `.sgemm` is the reference path).
public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float, bias: Tensor? = nil, causal: Bool = false,
                      products: HeadProducts = .kernel) -> Tensor {
    precondition(q.shape.count == 4 && q.shape == k.shape && q.shape == v.shape, "attention needs q, k, v of one (B, H, T, D) shape")
    let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
    return fusedAttention(HeadView(split: q), HeadView(split: k), HeadView(split: v),
                          batch: b, heads: h, length: t, headSize: d, scale: scale, bias: bias, causal: causal, products: products)
}

/// The same attention, reading queries, keys and values straight from a fused projection `qkv`
/// (B, T, 3C) laid out [q | k | v], each part split into `heads` heads of C / heads: no copies of
/// the heads on the way in, and the gradient written into `qkv`'s in place.
public func attention(qkv: Tensor, heads h: Int, scale: Float, bias: Tensor? = nil, causal: Bool = false,
                      products: HeadProducts = .kernel) -> Tensor {
    precondition(qkv.shape.count == 3 && qkv.shape[2] % (3 * h) == 0, "attention(qkv:) needs (B, T, 3·C) with C divisible by \(h) heads, got \(qkv.shape)")
    let (b, t, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / (3 * h))
    return fusedAttention(HeadView(fused: qkv, part: 0, heads: h), HeadView(fused: qkv, part: 1, heads: h),
                          HeadView(fused: qkv, part: 2, heads: h),
                          batch: b, heads: h, length: t, headSize: d, scale: scale, bias: bias, causal: causal, products: products)
}

/// Where the (T, D) matrix of one batch element and head sits inside a tensor.
struct HeadView {
    /// The tensor holding the heads.
    let tensor: Tensor
    /// The offset of batch element 0, head 0, and the strides between batch elements, heads and rows.
    let start: Int, batchStride: Int, headStride: Int, rowStride: Int
    /// Whether the view is one of the three disjoint parts of a fused projection.
    let disjointPartOfFused: Bool

    /// Heads already split: (B, H, T, D), each head contiguous.
    init(split x: Tensor) {
        let (h, t, d) = (x.shape[1], x.shape[2], x.shape[3])
        (tensor, start, batchStride, headStride, rowStride) = (x, 0, h * t * d, t * d, d)
        disjointPartOfFused = false
    }

    /// Part `part` of a fused (B, T, 3C) projection, C = heads · D.
    init(fused x: Tensor, part: Int, heads: Int) {
        let (t, width) = (x.shape[1], x.shape[2])
        let d = width / (3 * heads)
        (tensor, start, batchStride, headStride, rowStride) = (x, part * heads * d, t * width, d, width)
        disjointPartOfFused = true
    }

    /// The offset of head `head` of batch element `s`.
    @inline(__always)
    func offset(_ s: Int, _ head: Int) -> Int { start + s * batchStride + head * headStride }
}

/// The attention kernel behind both entry points: q, k, v are read through their views, and
/// their gradients are written through the same views.
private func fusedAttention(_ q: HeadView, _ k: HeadView, _ v: HeadView, batch b: Int, heads h: Int, length t: Int,
                            headSize d: Int, scale: Float, bias: Tensor?, causal: Bool, products: HeadProducts) -> Tensor {
    let c = h * d
    // The bias's batch and head extents (1 where it is broadcast): block (s, head) starts at biasOffset.
    var (biasBatch, biasHeads) = (1, 1)
    if let bias {
        let ok = bias.shape == [t, t] || bias.shape == [h, t, t]
            || (bias.shape.count == 4 && [1, b].contains(bias.shape[0]) && [1, h].contains(bias.shape[1]) && bias.shape.suffix(2) == [t, t])
        precondition(ok, "attention bias must be [\(t), \(t)], [\(h), \(t), \(t)] or [\(b) or 1, \(h) or 1, \(t), \(t)], got \(bias.shape)")
        if bias.shape.count == 3 { biasHeads = h }
        if bias.shape.count == 4 { (biasBatch, biasHeads) = (bias.shape[0], bias.shape[1]) }
    }
    @inline(__always) func biasOffset(_ s: Int, _ head: Int) -> Int {
        ((biasBatch == 1 ? 0 : s) * biasHeads + (biasHeads == 1 ? 0 : head)) * t * t
    }
    let weights = Storage(uninitializedCount: b * h * t * t)  // softmax(scores), kept for backward
    var parents = [q.tensor]
    for x in [k.tensor, v.tensor] + (bias.map { [$0] } ?? []) where !parents.contains(where: { $0 === x }) { parents.append(x) }
    let out = Tensor(shape: [b, t, c], parents: parents) { out in
        let dO = out.grad
        // Each head's dV, dQ and dK blocks are written whole by one product each, so a new
        // gradient buffer is assigned (beta 0) rather than zeroed and added to. The buffers are
        // asked for in the order the products write them (V, Q, K): a tensor passed twice (q === v,
        // attention(x, x, x)) is new for its first part only, and its later parts add. The three
        // parts of one fused qkv are disjoint, so all of them assign when its buffer is new.
        typealias Target = (pointer: UnsafeMutablePointer<Float>, overwrite: Bool)
        let dv: Target?, dq: Target?, dk: Target?
        if q.disjointPartOfFused, q.tensor.requiresGrad {
            let g = q.tensor.gradForWriting()
            (dv, dq, dk) = (g, g, g)
        } else {
            dv = v.tensor.requiresGrad ? v.tensor.gradForWriting() : nil
            dq = q.tensor.requiresGrad ? q.tensor.gradForWriting() : nil
            dk = k.tensor.requiresGrad ? k.tensor.gradForWriting() : nil
        }
        let dBias = (bias?.requiresGrad ?? false) ? bias!.grad : nil
        let scratch = Storage(uninitializedCount: t * t), packing = Storage(uninitializedCount: HeadProducts.scratchCount(length: t, headSize: d))
        scratch.withPointer { dS in packing.withPointer { packed in
            for s in 0..<b {
                for head in 0..<h {
                    let p = weights.pointer + (s * h + head) * t * t
                    let g = dO + s * t * c + head * d
                    let (qo, ko, vo) = (q.offset(s, head), k.offset(s, head), v.offset(s, head))
                    if let dv {  // dV = Pᵀ·dO
                        products.gemm(transposeA: true, transposeB: false, m: t, n: d, k: t, a: p, lda: t, b: g, ldb: c,
                                      accumulate: !dv.overwrite, c: dv.pointer + vo, ldc: v.rowStride, scratch: packed)
                    }
                    // dP = dO·Vᵀ, then dZ = P ⊙ (dP − Σ_j P·dP) (the softmax backward, row by row): the
                    // bias gets dZ, the scores scale·dZ.
                    products.gemm(transposeA: false, transposeB: true, m: t, n: t, k: d, a: g, lda: c, b: v.tensor.data + vo,
                                  ldb: v.rowStride, accumulate: false, c: dS, ldc: t, scratch: packed)
                    let target = dBias.map { $0 + biasOffset(s, head) }
                    let end = t - t % 8
                    for i in 0..<t {
                        let row = dS + i * t, pr = p + i * t
                        var dot8 = Float8(repeating: 0)
                        var j = 0
                        while j < end {
                            dot8 += pr.load8(j) * row.load8(j)
                            j += 8
                        }
                        var dot: Float = 0
                        for l in 0..<8 { dot += dot8[l] }
                        while j < t {
                            dot += pr[j] * row[j]
                            j += 1
                        }
                        j = 0
                        while j < end {
                            let dz = pr.load8(j) * (row.load8(j) - dot)
                            if let target { target.store8(target.load8(i * t + j) + dz, i * t + j) }
                            row.store8(scale * dz, j)
                            j += 8
                        }
                        while j < t {
                            let dz = pr[j] * (row[j] - dot)
                            target?[i * t + j] += dz
                            row[j] = scale * dz
                            j += 1
                        }
                    }
                    if let dq {  // dQ = dS·K
                        products.gemm(transposeA: false, transposeB: false, m: t, n: d, k: t, a: dS, lda: t,
                                      b: k.tensor.data + ko, ldb: k.rowStride, accumulate: !dq.overwrite, c: dq.pointer + qo,
                                      ldc: q.rowStride, scratch: packed)
                    }
                    if let dk {  // dK = dSᵀ·Q
                        products.gemm(transposeA: true, transposeB: false, m: t, n: d, k: t, a: dS, lda: t,
                                      b: q.tensor.data + qo, ldb: q.rowStride, accumulate: !dk.overwrite, c: dk.pointer + ko,
                                      ldc: k.rowStride, scratch: packed)
                    }
                }
            }
        } }
    }
    let y = out.data, biasData = bias?.data
    let packing = Storage(uninitializedCount: HeadProducts.scratchCount(length: t, headSize: d))
    weights.withPointer { probabilities in packing.withPointer { packed in
        for s in 0..<b {
            for head in 0..<h {
                let p = probabilities + (s * h + head) * t * t
                products.gemm(transposeA: false, transposeB: true, m: t, n: t, k: d, a: q.tensor.data + q.offset(s, head),
                              lda: q.rowStride, b: k.tensor.data + k.offset(s, head), ldb: k.rowStride, accumulate: false,
                              c: p, ldc: t, scratch: packed)
                let headBias = biasData.map { $0 + biasOffset(s, head) }
                for i in 0..<t {
                    softmaxRow(p + i * t, count: t, visible: causal ? i + 1 : t, scale: scale, bias: headBias.map { $0 + i * t })
                }
                products.gemm(transposeA: false, transposeB: false, m: t, n: d, k: t, a: p, lda: t, b: v.tensor.data + v.offset(s, head),
                              ldb: v.rowStride, accumulate: false, c: y + s * t * c + head * d, ldc: c, scratch: packed)
            }
        }
    } }
    return out
}

/// In place: row ← softmax(scale·row + bias) over the first `visible` entries, zeros after them.
/// Eight entries at a time with the vector `exp` (within 2 ulp of libm's).
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int, visible: Int, scale: Float, bias: UnsafeMutablePointer<Float>?) {
    let end = visible - visible % 8
    var mx8 = Float8(repeating: -.infinity)
    var j = 0
    while j < end {
        var z = scale * row.load8(j)
        if let bias { z += bias.load8(j) }
        row.store8(z, j)
        mx8.replace(with: z, where: z .> mx8)
        j += 8
    }
    var mx = -Float.infinity
    for l in 0..<8 { mx = max(mx, mx8[l]) }
    while j < visible {
        var z = scale * row[j]
        if let bias { z += bias[j] }
        row[j] = z
        mx = max(mx, z)
        j += 1
    }
    var sum8 = Float8(repeating: 0)
    j = 0
    while j < end {
        let e = vectorExpNonPositive(row.load8(j) - mx)
        row.store8(e, j)
        sum8 += e
        j += 8
    }
    var total: Float = 0
    for l in 0..<8 { total += sum8[l] }
    while j < visible {
        let e = vectorExpNonPositive(Float8(repeating: row[j] - mx))[0]
        row[j] = e
        total += e
        j += 1
    }
    let inv = 1 / total
    j = 0
    while j < end {
        row.store8(row.load8(j) * inv, j)
        j += 8
    }
    while j < visible {
        row[j] *= inv
        j += 1
    }
    for j in visible..<count { row[j] = 0 }
}
