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
/// - `bias`: optional (H, T, T) or (T, T), added after scaling, its gradient summed over B.
/// - `causal`: query i sees keys j ≤ i.
/// The same computation as `matmul` + `attentionSoftmax` + `matmul` + transpose, without the
/// intermediate tensors: one sgemm per head for the scores and one for the weighted sum, reading
/// and writing the (B, T, H·D) layout in place through leading dimensions, and the attention
/// weights kept for the backward pass.
public func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float, bias: Tensor? = nil, causal: Bool = false) -> Tensor {
    precondition(q.shape.count == 4 && q.shape == k.shape && q.shape == v.shape, "attention needs q, k, v of one (B, H, T, D) shape")
    let (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
    let c = h * d
    if let bias {
        precondition(bias.shape == [h, t, t] || bias.shape == [t, t], "attention bias must be [\(h), \(t), \(t)] or [\(t), \(t)], got \(bias.shape)")
    }
    let biasPerHead = bias?.shape.count == 3
    let weights = Storage(uninitializedCount: b * h * t * t)  // softmax(scores), kept for backward
    let parents = bias.map { [q, k, v, $0] } ?? [q, k, v]
    let out = Tensor(shape: [b, t, c], parents: parents) { out in
        let dO = out.grad
        // Each of dV, dQ, dK is written whole by one product per head: a new buffer is assigned
        // (beta 0) rather than zeroed and added to. Asked for in the order they are written, so a
        // tensor passed twice (q === v, say) is assigned first and added to after.
        let dv = v.requiresGrad ? v.gradForWriting() : nil
        let dq = q.requiresGrad ? q.gradForWriting() : nil, dk = k.requiresGrad ? k.gradForWriting() : nil
        let dBias = (bias?.requiresGrad ?? false) ? bias!.grad : nil
        let scratch = Storage(uninitializedCount: t * t)
        let dS = scratch.pointer
        for s in 0..<b {
            for head in 0..<h {
                let off = (s * h + head) * t * d
                let p = weights.pointer + (s * h + head) * t * t
                let g = dO + s * t * c + head * d
                if let dv {  // dV += Pᵀ·dO
                    BLAS.gemm(transposeA: true, transposeB: false, m: t, n: d, k: t, a: p, lda: t, b: g, ldb: c,
                              beta: dv.overwrite ? 0 : 1, c: dv.pointer + off, ldc: d)
                }
                // dP = dO·Vᵀ, then dZ = P ⊙ (dP − Σ_j P·dP) (the softmax backward, row by row): the
                // bias gets dZ, the scores scale·dZ.
                BLAS.gemm(transposeA: false, transposeB: true, m: t, n: t, k: d, a: g, lda: c, b: v.data + off, ldb: d,
                          beta: 0, c: dS, ldc: t)
                let target = dBias.map { $0 + (biasPerHead ? head * t * t : 0) }
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
                if let dq {  // dQ += dS·K
                    BLAS.gemm(transposeA: false, transposeB: false, m: t, n: d, k: t, a: dS, lda: t,
                              b: k.data + off, ldb: d, beta: dq.overwrite ? 0 : 1, c: dq.pointer + off, ldc: d)
                }
                if let dk {  // dK += dSᵀ·Q
                    BLAS.gemm(transposeA: true, transposeB: false, m: t, n: d, k: t, a: dS, lda: t,
                              b: q.data + off, ldb: d, beta: dk.overwrite ? 0 : 1, c: dk.pointer + off, ldc: d)
                }
            }
        }
        withExtendedLifetime(scratch) {}
    }
    let y = out.data, biasData = bias?.data
    for s in 0..<b {
        for head in 0..<h {
            let off = (s * h + head) * t * d
            let p = weights.pointer + (s * h + head) * t * t
            BLAS.gemm(transposeA: false, transposeB: true, m: t, n: t, k: d, a: q.data + off, lda: d, b: k.data + off, ldb: d,
                      beta: 0, c: p, ldc: t)
            let headBias = biasData.map { $0 + (biasPerHead ? head * t * t : 0) }
            for i in 0..<t {
                softmaxRow(p + i * t, count: t, visible: causal ? i + 1 : t, scale: scale, bias: headBias.map { $0 + i * t })
            }
            BLAS.gemm(transposeA: false, transposeB: false, m: t, n: d, k: t, a: p, lda: t, b: v.data + off, ldb: d,
                      beta: 0, c: y + s * t * c + head * d, ldc: c)
        }
    }
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
        let e = vectorExp(row.load8(j) - mx)
        row.store8(e, j)
        sum8 += e
        j += 8
    }
    var total: Float = 0
    for l in 0..<8 { total += sum8[l] }
    while j < visible {
        let e = vectorExp(Float8(repeating: row[j] - mx))[0]
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
