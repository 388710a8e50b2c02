import Foundation

// MARK: - Elementwise math: exp, log, softplus, sigmoid, relu, abs, sqrt, sin, cos, pow, clamp, scalars, division

/// y = f(x) elementwise, with dy/dx = `slope(x, y)`: the pattern every unary op below shares.
///
/// The backward pass adds g · slope(x, y) into x's gradient. `slope` sees the output too, so
/// ops whose derivative is cheapest from y (exp, sigmoid, sqrt) need not recompute f.
@inline(__always)
func unaryOp(_ x: Tensor, _ f: (Float) -> Float, slope: @escaping (Float, Float) -> Float) -> Tensor {
    let out = Tensor(shape: x.shape, parents: [x]) { out in
        let g = out.grad, gx = x.grad, v = x.data, y = out.data
        for i in 0..<out.count { gx[i] += g[i] * slope(v[i], y[i]) }
    }
    let v = x.data, y = out.data
    for i in 0..<x.count { y[i] = f(v[i]) }
    return out
}

/// eˣ elementwise.
public func exp(_ x: Tensor) -> Tensor { unaryOp(x, { Foundation.exp($0) }, slope: { _, y in y }) }

/// The natural logarithm elementwise (−inf at 0 and NaN below it, as in PyTorch).
public func log(_ x: Tensor) -> Tensor { unaryOp(x, { Foundation.log($0) }, slope: { x, _ in 1 / x }) }

/// log(1 + eˣ) elementwise, computed as max(x, 0) + log1p(e^−|x|) so large |x| neither overflows
/// nor loses the small tail; its derivative is sigmoid(x). (PyTorch's `softplus` with beta 1.)
public func softplus(_ x: Tensor) -> Tensor {
    unaryOp(x, { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }, slope: { x, _ in logistic(x) })
}

/// 1 / (1 + e⁻ˣ) elementwise; the derivative is y(1 − y).
public func sigmoid(_ x: Tensor) -> Tensor { unaryOp(x, logistic, slope: { _, y in y * (1 - y) }) }

/// The logistic function without overflow for large |x|.
@inline(__always)
func logistic(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

/// max(x, 0) elementwise; the gradient at exactly 0 is 0, as in PyTorch.
public func relu(_ x: Tensor) -> Tensor { unaryOp(x, { Swift.max($0, 0) }, slope: { x, _ in x > 0 ? 1 : 0 }) }

/// |x| elementwise; the gradient is sign(x), 0 at exactly 0 (as in PyTorch).
public func abs(_ x: Tensor) -> Tensor {
    unaryOp(x, { Swift.abs($0) }, slope: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
}

/// √x elementwise (NaN below 0; the gradient 1/(2√x) is +inf at 0, as in PyTorch).
public func sqrt(_ x: Tensor) -> Tensor { unaryOp(x, { $0.squareRoot() }, slope: { _, y in 0.5 / y }) }

/// sin x elementwise (radians); the gradient is cos x. With `cos`, the sinusoids of real-valued
/// positions (CAPE's shifted and scaled positions: docs/plugins.md) are written as tensor code.
public func sin(_ x: Tensor) -> Tensor { unaryOp(x, { Foundation.sin($0) }, slope: { x, _ in Foundation.cos(x) }) }

/// cos x elementwise (radians); the gradient is −sin x.
public func cos(_ x: Tensor) -> Tensor { unaryOp(x, { Foundation.cos($0) }, slope: { x, _ in -Foundation.sin(x) }) }

/// xᵖ elementwise for a constant exponent p; the gradient is p·xᵖ⁻¹.
/// Negative x with a non-integer p gives NaN, as in PyTorch.
public func pow(_ x: Tensor, _ p: Float) -> Tensor {
    unaryOp(x, { Foundation.pow($0, p) }, slope: { x, _ in p == 0 ? 0 : p * Foundation.pow(x, p - 1) })
}

/// x limited to [lower, upper] elementwise (either bound may be nil: none). The gradient passes
/// where lower ≤ x ≤ upper and is 0 outside, as PyTorch's `clamp`.
public func clamp(_ x: Tensor, min lower: Float? = nil, max upper: Float? = nil) -> Tensor {
    let lo = lower ?? -.infinity, hi = upper ?? .infinity
    precondition(lo <= hi, "clamp: min \(lo) is above max \(hi)")
    return unaryOp(x, { Swift.min(Swift.max($0, lo), hi) }, slope: { x, _ in x >= lo && x <= hi ? 1 : 0 })
}

/// Every element plus a constant.
public func + (a: Tensor, s: Float) -> Tensor { unaryOp(a, { $0 + s }, slope: { _, _ in 1 }) }

/// A constant plus every element.
public func + (s: Float, a: Tensor) -> Tensor { a + s }

/// Every element minus a constant.
public func - (a: Tensor, s: Float) -> Tensor { unaryOp(a, { $0 - s }, slope: { _, _ in 1 }) }

/// A constant minus every element.
public func - (s: Float, a: Tensor) -> Tensor { unaryOp(a, { s - $0 }, slope: { _, _ in -1 }) }

/// Every element negated.
public prefix func - (a: Tensor) -> Tensor { a * -1 }

/// Every element divided by a constant (x / s, not x · (1/s): the same bits as PyTorch's division).
public func / (a: Tensor, s: Float) -> Tensor { unaryOp(a, { $0 / s }, slope: { _, _ in 1 / s }) }

/// A constant divided by every element; the gradient is −s/x².
public func / (s: Float, a: Tensor) -> Tensor { unaryOp(a, { s / $0 }, slope: { x, _ in -s / (x * x) }) }

/// Elementwise quotient with numpy broadcasting (the same rules as `*`); the gradient is summed
/// back over broadcast dimensions: ∂/∂a = g/b, ∂/∂b = −g·a/b².
public func / (a: Tensor, b: Tensor) -> Tensor {
    let (shape, plan) = BroadcastPlan.make(a.shape, b.shape)
    let out = Tensor(shape: shape, parents: [a, b]) { out in
        let g = out.grad, x = a.data, y = b.data
        if a.requiresGrad { let ga = a.grad; plan.forEach(out.count) { o, i, j in ga[i] += g[o] / y[j] } }
        if b.requiresGrad { let gb = b.grad; plan.forEach(out.count) { o, i, j in gb[j] -= g[o] * x[i] / (y[j] * y[j]) } }
    }
    let x = a.data, y = b.data, z = out.data
    plan.forEach(out.count) { o, i, j in z[o] = x[i] / y[j] }
    return out
}

/// `a` where `condition` holds and `b` elsewhere (PyTorch's `torch.where(condition, a, b)`).
///
/// `a` and `b` broadcast as for `+`; `condition` holds one flag per output element (row-major,
/// the broadcast shape). Each output's gradient goes only to the input it was taken from; the
/// other input gets 0 there. As in PyTorch, an op before `select` whose derivative is NaN at an
/// element not taken (sqrt or log of a negative) still turns that 0 into NaN: make such an
/// op's input safe with `select` first.
public func select(_ condition: [Bool], _ a: Tensor, _ b: Tensor) -> Tensor {
    let (shape, plan) = BroadcastPlan.make(a.shape, b.shape)
    let n = shape.reduce(1, *)
    precondition(condition.count == n, "select: \(condition.count) flags for output shape \(shape)")
    let out = Tensor(shape: shape, parents: [a, b]) { out in
        let g = out.grad
        if a.requiresGrad { let ga = a.grad; plan.forEach(n) { o, i, _ in if condition[o] { ga[i] += g[o] } } }
        if b.requiresGrad { let gb = b.grad; plan.forEach(n) { o, _, j in if !condition[o] { gb[j] += g[o] } } }
    }
    let x = a.data, y = b.data, z = out.data
    plan.forEach(n) { o, i, j in z[o] = condition[o] ? x[i] : y[j] }
    return out
}
