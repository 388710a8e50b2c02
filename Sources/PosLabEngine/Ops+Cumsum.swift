// MARK: - Cumulative sum along an axis

/// Running sums along `axis` (PyTorch's `torch.cumsum(x, axis)`): out[…, t, …] = Σ_{s ≤ t} x[…, s, …].
///
/// `axis` may be negative (counted from the end). Each running sum is kept in float64 and
/// rounded once per element. The gradient is the reversed running sum of the output gradient:
/// ∂L/∂x[s] = Σ_{t ≥ s} g[t].
public func cumsum(_ x: Tensor, axis: Int) -> Tensor {
    let rank = x.shape.count
    let axis = axis < 0 ? axis + rank : axis
    precondition(axis >= 0 && axis < rank, "cumsum: axis out of range for shape \(x.shape)")
    let extent = x.shape[axis]
    let inner = x.shape[(axis + 1)...].reduce(1, *)  // the stride of one step along the axis
    let outer = x.count / max(extent * inner, 1)
    let out = Tensor(shape: x.shape, parents: [x]) { out in
        let g = out.grad, gx = x.grad
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * extent * inner + i
                var running: Double = 0
                for t in stride(from: extent - 1, through: 0, by: -1) {
                    running += Double(g[base + t * inner])
                    gx[base + t * inner] += Float(running)
                }
            }
        }
    }
    let v = x.data, y = out.data
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * extent * inner + i
            var running: Double = 0
            for t in 0..<extent {
                running += Double(v[base + t * inner])
                y[base + t * inner] = Float(running)
            }
        }
    }
    return out
}
