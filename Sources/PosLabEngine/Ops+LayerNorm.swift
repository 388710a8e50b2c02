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
    let out = Tensor(shape: x.shape, parents: [x, gamma, beta]) { out in
        let g = out.grad, gm = gamma.data
        let gx = x.requiresGrad ? x.grad : nil
        let gg = gamma.requiresGrad ? gamma.grad : nil, gb = beta.requiresGrad ? beta.grad : nil
        for r in 0..<rows {
            let row = x.data + r * n, dy = g + r * n
            let mu = mean[r], rs = rstd[r]
            var sumD: Float = 0, sumDX: Float = 0  // Σ dx̂ and Σ dx̂·x̂, with dx̂ = dy·γ
            for j in 0..<n {
                let xhat = (row[j] - mu) * rs
                let dxhat = dy[j] * gm[j]
                sumD += dxhat
                sumDX += dxhat * xhat
                gg?[j] += dy[j] * xhat
                gb?[j] += dy[j]
            }
            if let gx {
                let dst = gx + r * n, inv = 1 / Float(n)
                for j in 0..<n {
                    let xhat = (row[j] - mu) * rs
                    dst[j] += rs * (dy[j] * gm[j] - inv * sumD - xhat * inv * sumDX)
                }
            }
        }
    }
    let y = out.data, gm = gamma.data, bt = beta.data
    for r in 0..<rows {
        let row = input + r * n, dst = y + r * n
        for j in 0..<n { dst[j] = (row[j] - mean[r]) * rstd[r] * gm[j] + bt[j] }
    }
    return out
}
