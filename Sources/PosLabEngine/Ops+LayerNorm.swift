// MARK: - Layer normalisation (fused, with its own backward)

/// Normalises the last dimension to zero mean and unit variance, then scales by `gamma` and
/// shifts by `beta` (both of the last dimension's size). Biased variance, as PyTorch's LayerNorm.
///
/// Row sums are taken eight columns at a time (eight partial sums, added together at the end), so
/// rows of 64 or 128 cost a few vector adds rather than a chain of scalar ones.
public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) -> Tensor {
    let n = x.shape.last!, rows = x.count / n
    precondition(gamma.shape == [n] && beta.shape == [n], "layerNorm: gamma/beta must be [\(n)]")
    let statistics = Storage(uninitializedCount: 2 * rows)  // mean, then 1/σ, per row: (2, rows)
    let vectorEnd = n - n % 8  // columns handled eight at a time; the rest one by one
    let inv = 1 / Float(n)
    let out = Tensor(shape: x.shape, parents: [x, gamma, beta]) { out in
        let mean = statistics.pointer, rstd = statistics.pointer + rows  // the capture keeps them alive
        let g = out.grad, gm = gamma.data
        // gamma's and beta's gradients are taken first, so that if x is one of them its buffer
        // already exists and x's part is added, not assigned over theirs.
        let gg = gamma.requiresGrad ? gamma.grad : nil, gb = beta.requiresGrad ? beta.grad : nil
        let gx = x.requiresGrad ? x.gradForWriting() : nil
        // One row's x̂ and dx̂, computed in the first pass and read again in the second.
        let scratch = Storage(uninitializedCount: 2 * n)
        scratch.withPointer { buffer in
            let xh = buffer, dxh = buffer + n
            for r in 0..<rows {
                let row = x.data + r * n, dy = g + r * n
                let mu = mean[r], rs = rstd[r]
                // Σ dx̂ and Σ dx̂·x̂, with dx̂ = dy·γ.
                var sumD8 = Float8(repeating: 0), sumDX8 = Float8(repeating: 0)
                var j = 0
                while j < vectorEnd {
                    let xhat = (row.load8(j) - mu) * rs, dyj = dy.load8(j)
                    xh.store8(xhat, j)
                    let dxhat = dyj * gm.load8(j)
                    dxh.store8(dxhat, j)
                    sumD8 += dxhat
                    sumDX8 += dxhat * xhat
                    if let gg { gg.store8(gg.load8(j) + dyj * xhat, j) }
                    if let gb { gb.store8(gb.load8(j) + dyj, j) }
                    j += 8
                }
                var sumD = sumD8.horizontalSum, sumDX = sumDX8.horizontalSum
                while j < n {
                    let xhat = (row[j] - mu) * rs
                    xh[j] = xhat
                    let dxhat = dy[j] * gm[j]
                    dxh[j] = dxhat
                    sumD += dxhat
                    sumDX += dxhat * xhat
                    gg?[j] += dy[j] * xhat
                    gb?[j] += dy[j]
                    j += 1
                }
                if let (gx, overwrite) = gx {
                    let dst = gx + r * n
                    let a = inv * sumD, b = inv * sumDX
                    forEachLaneBlock(to: n) { j, lanes in
                        let local = rs * (dxh.load8(j, lanes: lanes) - a - xh.load8(j, lanes: lanes) * b)
                        dst.store8(overwrite ? local : dst.load8(j, lanes: lanes) + local, j, lanes: lanes)
                    }
                }
            }
        }
    }
    let input = x.data, y = out.data, gm = gamma.data, bt = beta.data
    statistics.withPointer { stats in
        let mean = stats, rstd = stats + rows
        for r in 0..<rows {
            let row = input + r * n
            let mu = rowSum(n, vectorEnd) { row.load8($0) } tail: { row[$0] } * inv
            let variance = rowSum(n, vectorEnd) { let d = row.load8($0) - mu; return d * d }
                                         tail: { let d = row[$0] - mu; return d * d } * inv
            mean[r] = mu
            rstd[r] = 1 / (variance + epsilon).squareRoot()
        }
        for r in 0..<rows {
            let row = input + r * n, dst = y + r * n
            let mu = mean[r], rs = rstd[r]
            forEachLaneBlock(to: n) { j, lanes in
                let xhat = (row.load8(j, lanes: lanes) - mu) * rs
                dst.store8(xhat * gm.load8(j, lanes: lanes) + bt.load8(j, lanes: lanes), j, lanes: lanes)
            }
        }
    }
    return out
}

/// Σ of `count` terms: `vector(j)` for j = 0, 8, … below `vectorEnd` (kept as eight partial sums),
/// then `tail(j)` for the rest.
@inline(__always)
private func rowSum(_ count: Int, _ vectorEnd: Int, _ vector: (Int) -> Float8, tail: (Int) -> Float) -> Float {
    var partial = Float8(repeating: 0)
    var j = 0
    while j < vectorEnd {
        partial += vector(j)
        j += 8
    }
    var total = partial.horizontalSum
    while j < count {
        total += tail(j)
        j += 1
    }
    return total
}
