import Foundation

// MARK: - GELU

/// The Gaussian error linear unit, exact form x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default).
public func gelu(_ x: Tensor) -> Tensor {
    let out = Tensor(shape: x.shape, parents: [x]) { out in
        let g = out.grad, gx = x.grad, v = x.data
        let invSqrt2: Float = 0.70710678118654752, invSqrt2Pi: Float = 0.39894228040143268
        for i in 0..<out.count {
            let z = v[i]
            let cdf = 0.5 * (1 + erf(z * invSqrt2))
            let pdf = invSqrt2Pi * exp(-0.5 * z * z)
            gx[i] += g[i] * (cdf + z * pdf)
        }
    }
    let v = x.data, y = out.data
    for i in 0..<x.count { y[i] = 0.5 * v[i] * (1 + erf(v[i] * 0.70710678118654752)) }
    return out
}
