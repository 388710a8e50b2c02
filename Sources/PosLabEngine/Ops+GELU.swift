// MARK: - GELU

/// The Gaussian error linear unit x·Φ(x) = ½x(1 + erf(x/√2)), the exact form PyTorch uses by
/// default (not the tanh approximation).
///
/// erf comes from Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7, below float32's resolution
/// of Φ near 1), which shares its exp(−x²/2) with the derivative's Gaussian density: one vector
/// `exp` per eight elements. The forward pass keeps only the derivative Φ(x) + x·φ(x) for the
/// backward pass, which is then a single product.
public func gelu(_ x: Tensor) -> Tensor {
    let n = x.count
    let derivative = Storage(uninitializedCount: n)  // d gelu / dx = Φ(x) + x·φ(x), (n)
    let out = Tensor(shape: x.shape, parents: [x]) { out in
        let g = out.grad, slope = derivative.pointer  // the capture keeps it alive
        // Without a gradient yet, x takes the output's buffer, scaled in place; else it adds.
        let inPlace = !x.hasGrad
        let gx = inPlace ? g : x.grad
        forEachLaneBlock(to: n) { i, lanes in
            let local = g.load8(i, lanes: lanes) * slope.load8(i, lanes: lanes)
            gx.store8(inPlace ? local : gx.load8(i, lanes: lanes) + local, i, lanes: lanes)
        }
        if inPlace { precondition(x.adoptGrad(of: out), "gelu: the input could not take the output's gradient") }
    }
    let v = x.data, y = out.data
    derivative.withPointer { slope in
        var i = 0
        while i + 16 <= n {  // sixteen lanes (one AVX-512 register where the build targets it)
            let z = v.load16(i)
            let (phi, density) = gaussianCDFAndDensity(z)
            y.store16(z * phi, i)
            slope.store16(phi + z * density, i)
            i += 16
        }
        forEachLaneBlock(from: i, to: n) { j, lanes in  // eight lanes, then the tail padded with zeros
            let z = v.load8(j, lanes: lanes)
            let (phi, density) = gaussianCDFAndDensity(z)
            y.store8(z * phi, j, lanes: lanes)
            slope.store8(phi + z * density, j, lanes: lanes)
        }
    }
    return out
}

/// Φ(z) and φ(z), the standard normal distribution function and density, for 8 or 16 floats
/// (each lane computes the same). Signs are handled on the bits (|z| by clearing the sign bit,
/// erf(z) = sign(z)·erf(|z|) by copying it back), and the exponent −z²/2 ≤ 0 needs only
/// `vectorExpNonPositive`'s lower clamp.
@inline(__always)
private func gaussianCDFAndDensity<V: FloatLanes>(_ z: V) -> (cdf: V, density: V) {
    let bits = unsafeBitCast(z, to: V.MaskStorage.self)
    let sign = bits & Int32.min
    let u = unsafeBitCast(bits & Int32.max, to: V.self) * 0.70710678118654752  // |z|/√2
    let gauss = vectorExpNonPositive(-0.5 * z * z)                             // exp(−u²)
    let t = 1 / (1 + 0.3275911 * u)
    var poly = t * 1.061405429 - 1.453152027
    poly = poly * t + 1.421413741
    poly = poly * t - 0.284496736
    poly = poly * t + 0.254829592
    let erfAbs = 1 - poly * t * gauss
    let cdf = 0.5 + 0.5 * unsafeBitCast(unsafeBitCast(erfAbs, to: V.MaskStorage.self) | sign, to: V.self)
    return (cdf, 0.39894228040143268 * gauss)
}
