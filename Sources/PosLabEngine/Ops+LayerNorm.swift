import Foundation

// MARK: - Layer normalisation (fused, with its own backward)

/// Normalises the last dimension to zero mean and unit variance, then scales by `gamma` and
/// shifts by `beta` (both of the last dimension's size). Biased variance, as PyTorch's LayerNorm.
public func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) -> Tensor {
    let n = x.shape.last!, rows = x.count / n
    precondition(gamma.shape == [n] && beta.shape == [n], "layerNorm: gamma/beta must be [\(n)]")
    var mean = [Float](repeating: 0, count: rows), rstd = [Float](repeating: 0, count: rows)
    let input = x.data
    for r in 0..<rows {
        let row = input + r * n
        var s: Float = 0
        for j in 0..<n { s += row[j] }
        let mu = s / Float(n)
        var v: Float = 0
        for j in 0..<n { let d = row[j] - mu; v += d * d }
        mean[r] = mu
        rstd[r] = 1 / (v / Float(n) + epsilon).squareRoot()
    }
    let vectorEnd = n - n % 8  // columns handled eight at a time; the rest one by one
    let out = Tensor(shape: x.shape, parents: [x, gamma, beta]) { out in
        let g = out.grad, gm = gamma.data
        let gx = x.requiresGrad ? x.grad : nil
        let gg = gamma.requiresGrad ? gamma.grad : nil, gb = beta.requiresGrad ? beta.grad : nil
        let inv = 1 / Float(n)
        for r in 0..<rows {
            let row = x.data + r * n, dy = g + r * n
            let mu = mean[r], rs = rstd[r]
            var sumD: Float = 0, sumDX: Float = 0  // Σ dx̂ and Σ dx̂·x̂, with dx̂ = dy·γ, summed in column order
            var j = 0
            while j < vectorEnd {
                let xhat = (row.load8(j) - mu) * rs, dyj = dy.load8(j)
                let dxhat = dyj * gm.load8(j), dxx = dxhat * xhat
                for l in 0..<8 {
                    sumD += dxhat[l]
                    sumDX += dxx[l]
                }
                if let gg { gg.store8(gg.load8(j) + dyj * xhat, j) }
                if let gb { gb.store8(gb.load8(j) + dyj, j) }
                j += 8
            }
            while j < n {
                let xhat = (row[j] - mu) * rs
                let dxhat = dy[j] * gm[j]
                sumD += dxhat
                sumDX += dxhat * xhat
                gg?[j] += dy[j] * xhat
                gb?[j] += dy[j]
                j += 1
            }
            if let gx {
                let dst = gx + r * n
                let a = inv * sumD
                j = 0
                while j < vectorEnd {
                    let xhat = (row.load8(j) - mu) * rs
                    dst.store8(dst.load8(j) + rs * (dy.load8(j) * gm.load8(j) - a - xhat * inv * sumDX), j)
                    j += 8
                }
                while j < n {
                    let xhat = (row[j] - mu) * rs
                    dst[j] += rs * (dy[j] * gm[j] - a - xhat * inv * sumDX)
                    j += 1
                }
            }
        }
    }
    let y = out.data, gm = gamma.data, bt = beta.data
    for r in 0..<rows {
        let row = input + r * n, dst = y + r * n
        let mu = mean[r], rs = rstd[r]
        var j = 0
        while j < vectorEnd {
            dst.store8((row.load8(j) - mu) * rs * gm.load8(j) + bt.load8(j), j)
            j += 8
        }
        while j < n {
            dst[j] = (row[j] - mu) * rs * gm[j] + bt[j]
            j += 1
        }
    }
    return out
}
