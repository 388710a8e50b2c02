// MARK: - GELU

/// The Gaussian error linear unit x·Φ(x) = ½x(1 + erf(x/√2)), the exact form PyTorch uses by
/// default (not the tanh approximation).
///
/// erf comes from Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7, below float32's resolution
/// of Φ near 1), which shares its exp(−x²/2) with the derivative's Gaussian density: one vector
/// `exp` per eight elements, and the forward pass keeps Φ(x) and φ(x) for the backward pass.
public func gelu(_ x: Tensor) -> Tensor {
    let n = x.count
    let cache = Storage(uninitializedCount: 2 * n)  // Φ(x) then φ(x)
    let cdf = cache.pointer, pdf = cache.pointer + n
    let v = x.data
    let out = Tensor(shape: x.shape, parents: [x]) { out in
        _ = cache
        let g = out.grad, (gx, overwrite) = x.gradForWriting()
        var i = 0
        while i + 8 <= n {
            let local = g.load8(i) * (cdf.load8(i) + v.load8(i) * pdf.load8(i))
            gx.store8(overwrite ? local : gx.load8(i) + local, i)
            i += 8
        }
        while i < n {
            let local = g[i] * (cdf[i] + v[i] * pdf[i])
            gx[i] = overwrite ? local : gx[i] + local
            i += 1
        }
    }
    forEachChunk(n, input: v, output: out.data) { z, i in
        let u = z.replacing(with: -z, where: z .< 0) * 0.70710678118654752  // |z|/√2
        let gauss = vectorExp(-0.5 * z * z)                 // exp(−u²)
        let t = 1 / (1 + 0.3275911 * u)
        var poly = t * 1.061405429 - 1.453152027
        poly = poly * t + 1.421413741
        poly = poly * t - 0.284496736
        poly = poly * t + 0.254829592
        let erfAbs = 1 - poly * t * gauss
        let phi = 0.5 + 0.5 * erfAbs.replacing(with: -erfAbs, where: z .< 0)
        let density = 0.39894228040143268 * gauss
        if i + 8 <= n {
            cdf.store8(phi, i)
            pdf.store8(density, i)
        } else {
            for j in 0..<(n - i) {
                cdf[i + j] = phi[j]
                pdf[i + j] = density[j]
            }
        }
        return z * phi
    }
    return out
}
