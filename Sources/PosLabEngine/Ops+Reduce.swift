// MARK: - Reductions to a scalar

/// The sum of every element, as a scalar tensor (shape []).
public func sum(_ x: Tensor) -> Tensor {
    let out = Tensor(shape: [], parents: [x]) { out in
        let g = out.grad[0], gx = x.grad
        for i in 0..<x.count { gx[i] += g }
    }
    var s: Double = 0
    for i in 0..<x.count { s += Double(x.data[i]) }
    out.data[0] = Float(s)
    return out
}

/// The mean of every element, as a scalar tensor (shape []).
public func mean(_ x: Tensor) -> Tensor { sum(x) * (1 / Float(max(x.count, 1))) }

// MARK: - Reductions along one axis

/// The sum along `axis` (PyTorch's `x.sum(dim=axis, keepdim=keepDims)`, NumPy's `x.sum(axis)`):
/// out[…, i] = Σ_t x[…, t, i]. The axis is removed from the shape, or kept with extent 1 when
/// `keepDims` (so the result broadcasts against `x`, e.g. x − mean(x, axis: -1, keepDims: true)).
///
/// `axis` may be negative (counted from the end). Each sum is kept in float64 and rounded once,
/// as `sum(_:)` does. The gradient repeats the output gradient along the axis: ∂L/∂x[…, t, i] = g[…, i].
public func sum(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    let rank = x.shape.count
    let axis = axis < 0 ? axis + rank : axis
    precondition(axis >= 0 && axis < rank, "sum: axis out of range for shape \(x.shape)")
    let extent = x.shape[axis]
    let inner = x.shape[(axis + 1)...].reduce(1, *)  // the stride of one step along the axis
    let outer = x.shape[..<axis].reduce(1, *)
    var shape = x.shape
    if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
    let out = Tensor(shape: shape, parents: [x]) { out in
        let g = out.grad, gx = x.grad
        for o in 0..<outer {
            for t in 0..<extent {
                let row = gx + (o * extent + t) * inner, from = g + o * inner
                for i in 0..<inner { row[i] += from[i] }
            }
        }
    }
    let v = x.data, y = out.data
    var sums = [Double](repeating: 0, count: inner)
    for o in 0..<outer {
        for i in 0..<inner { sums[i] = 0 }
        for t in 0..<extent {
            let row = v + (o * extent + t) * inner
            for i in 0..<inner { sums[i] += Double(row[i]) }
        }
        for i in 0..<inner { y[o * inner + i] = Float(sums[i]) }
    }
    return out
}

/// The mean along `axis`: `sum(x, axis:keepDims:)` divided by the axis's extent (an empty axis gives 0s).
public func mean(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
    let rank = x.shape.count
    let extent = x.shape[axis < 0 ? axis + rank : axis]
    return sum(x, axis: axis, keepDims: keepDims) * (1 / Float(max(extent, 1)))
}
