// MARK: - Matrix products (OpenBLAS sgemm)

/// Adds op(A)·op(B) products' gradients: given dC for C = A·op(B) with A (m, k), writes dA and dB.
@inline(__always)
private func matmulBackward(
    m: Int, n: Int, k: Int, transposeB: Bool,
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, dC: UnsafePointer<Float>,
    dA: UnsafeMutablePointer<Float>?, dB: UnsafeMutablePointer<Float>?, overwriteA: Bool = false
) {
    if let dA {  // dA (m,k) += dC (m,n) · op(B)ᵀ  (or = when dA is a fresh buffer)
        BLAS.gemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                  a: dC, lda: n, b: b, ldb: transposeB ? k : n, beta: overwriteA ? 0 : 1, c: dA, ldc: k)
    }
    if let dB {
        if transposeB {  // B is (n,k): dB += dCᵀ · A
            BLAS.gemm(transposeA: true, transposeB: false, m: n, n: k, k: m,
                      a: dC, lda: n, b: a, ldb: k, beta: 1, c: dB, ldc: k)
        } else {  // B is (k,n): dB += Aᵀ · dC
            BLAS.gemm(transposeA: true, transposeB: false, m: k, n: n, k: m,
                      a: a, lda: k, b: dC, ldb: n, beta: 1, c: dB, ldc: n)
        }
    }
}

/// Matrix product over the last two dimensions; the leading (batch) dimensions broadcast as in
/// NumPy's and PyTorch's `matmul`.
///
/// - `a` (..., m, k) with `b` (k, n): every leading index of `a` uses the same `b` (one sgemm).
/// - `a` (..., m, k) with `b` (..., k, n), leading dimensions equal: batched (one sgemm per batch).
/// - Otherwise the leading dimensions broadcast (a missing dimension counts as 1, and a 1 repeats):
///   (B, H, T, D) · (H, D, E), (H, T, D) · (B, H, D, T), (1, H, T, D) · (B, H, D, E), (T, D) · (B, D, E).
///   One sgemm per output batch; the gradient of an input that was repeated is summed over the
///   output batches that used it (`matmulBackward` adds), as in PyTorch.
/// - `transposeB`: use bᵀ, with `b` stored as (..., n, k) — e.g. q·kᵀ for attention scores.
///
/// Both inputs need rank ≥ 2 (a vector is a (1, k) or (k, 1) matrix: reshape it).
public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) -> Tensor {
    precondition(a.shape.count >= 2 && b.shape.count >= 2, "matmul needs rank ≥ 2: \(a.shape) · \(b.shape)")
    let k = a.shape.last!
    let bRows = b.shape[b.shape.count - 2], bCols = b.shape.last!
    let (bk, n) = transposeB ? (bCols, bRows) : (bRows, bCols)
    precondition(k == bk, "matmul inner dimensions differ: \(a.shape) · \(b.shape)\(transposeB ? "ᵀ" : "")")
    if b.shape.count == 2 {
        let m = a.count / k
        let out = Tensor(shape: Array(a.shape.dropLast()) + [n], parents: [a, b]) { out in
            let dA = a.requiresGrad ? a.gradForWriting() : nil
            matmulBackward(m: m, n: n, k: k, transposeB: transposeB, a: a.data, b: b.data, dC: out.grad,
                           dA: dA?.pointer, dB: b.requiresGrad ? b.grad : nil, overwriteA: dA?.overwrite ?? false)
        }
        BLAS.gemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: a.data, lda: k,
                  b: b.data, ldb: transposeB ? k : n, beta: 0, c: out.data, ldc: n)
        return out
    }
    let batchShape = Array(a.shape.dropLast(2))
    guard batchShape == Array(b.shape.dropLast(2)) else { return broadcastMatmul(a, b, transposeB: transposeB, n: n, k: k) }
    let batches = batchShape.reduce(1, *)
    let m = a.shape[a.shape.count - 2]
    let (sa, sb, sc) = (m * k, k * n, m * n)
    let out = Tensor(shape: batchShape + [m, n], parents: [a, b]) { out in
        let dA = a.requiresGrad ? a.grad : nil, dB = b.requiresGrad ? b.grad : nil
        for i in 0..<batches {
            matmulBackward(m: m, n: n, k: k, transposeB: transposeB,
                           a: a.data + i * sa, b: b.data + i * sb, dC: out.grad + i * sc,
                           dA: dA.map { $0 + i * sa }, dB: dB.map { $0 + i * sb })
        }
    }
    for i in 0..<batches {
        BLAS.gemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: a.data + i * sa, lda: k,
                  b: b.data + i * sb, ldb: transposeB ? k : n, beta: 0, c: out.data + i * sc, ldc: n)
    }
    return out
}

/// `matmul` whose leading dimensions differ: they broadcast (NumPy rules) to the output's batch
/// shape, and each output batch is one sgemm of the `a` and `b` matrices it maps to. Backward adds
/// each output batch's gradient into the matrices it used, so an input repeated along a broadcast
/// dimension receives the sum over that dimension.
private func broadcastMatmul(_ a: Tensor, _ b: Tensor, transposeB: Bool, n: Int, k: Int) -> Tensor {
    let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
    let rank = max(aBatch.count, bBatch.count)
    let pa = [Int](repeating: 1, count: rank - aBatch.count) + aBatch
    let pb = [Int](repeating: 1, count: rank - bBatch.count) + bBatch
    for d in 0..<rank {
        precondition(pa[d] == pb[d] || pa[d] == 1 || pb[d] == 1,
                     "matmul: leading dimensions do not broadcast: \(a.shape) · \(b.shape)\(transposeB ? "ᵀ" : "") "
                     + "(batch dimension \(d): \(pa[d]) vs \(pb[d]))")
    }
    // Output batch o uses matrix i of `a` and matrix j of `b` (indices over their leading dimensions).
    let (batchShape, plan) = BroadcastPlan.make(aBatch, bBatch)
    let batches = batchShape.reduce(1, *)
    let m = a.shape[a.shape.count - 2]
    let (sa, sb, sc) = (m * k, k * n, m * n)
    let out = Tensor(shape: batchShape + [m, n], parents: [a, b]) { out in
        let dA = a.requiresGrad ? a.grad : nil, dB = b.requiresGrad ? b.grad : nil
        plan.forEach(batches) { o, i, j in
            matmulBackward(m: m, n: n, k: k, transposeB: transposeB,
                           a: a.data + i * sa, b: b.data + j * sb, dC: out.grad + o * sc,
                           dA: dA.map { $0 + i * sa }, dB: dB.map { $0 + j * sb })
        }
    }
    plan.forEach(batches) { o, i, j in
        BLAS.gemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: a.data + i * sa, lda: k,
                  b: b.data + j * sb, ldb: transposeB ? k : n, beta: 0, c: out.data + o * sc, ldc: n)
    }
    return out
}

/// A fully connected layer: x (..., in) · weight (in, out) + bias (out), fused.
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
    precondition(weight.shape.count == 2 && x.shape.last == weight.shape[0],
                 "linear: input \(x.shape) does not match weight \(weight.shape)")
    let k = weight.shape[0], n = weight.shape[1], m = x.count / k
    if let bias { precondition(bias.shape == [n], "linear: bias \(bias.shape) should be [\(n)]") }
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    let out = Tensor(shape: Array(x.shape.dropLast()) + [n], parents: parents) { out in
        let g = out.grad
        let dX = x.requiresGrad ? x.gradForWriting() : nil
        matmulBackward(m: m, n: n, k: k, transposeB: false, a: x.data, b: weight.data, dC: g,
                       dA: dX?.pointer, dB: weight.requiresGrad ? weight.grad : nil, overwriteA: dX?.overwrite ?? false)
        if let bias, bias.requiresGrad {  // db (n) += Σ over rows of dY (m, n)
            addColumnSums(of: g, rowCount: m, width: n, into: bias.grad)
        }
    }
    let y = out.data
    if let bias {
        for r in 0..<m { copyRow(bias.data, to: y + r * n, count: n) }
    }
    BLAS.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: x.data, lda: k,
              b: weight.data, ldb: n, beta: bias == nil ? 0 : 1, c: y, ldc: n)
    return out
}
