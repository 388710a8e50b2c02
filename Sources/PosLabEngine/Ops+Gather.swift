// MARK: - Gather along an axis

/// Elements of `x` picked along `axis` by `indices` (PyTorch's `torch.gather(x, axis, index)`):
///
///     out[i₀, …, i_axis, …] = x[i₀, …, indices[i₀, …, i_axis, …], …]
///
/// - `indices`: row-major, of shape `shape`, which has x's rank and `shape[d] ≤ x.shape[d]` for
///   every d other than `axis` (any extent along `axis`); each index is in 0 ..< x.shape[axis].
/// - `axis` may be negative (counted from the end). The output has shape `shape`.
/// The gradient scatter-adds back: an element picked twice gets both contributions.
public func gather(_ x: Tensor, axis: Int, indices: [Int], shape: [Int]) -> Tensor {
    let rank = x.shape.count
    let axis = axis < 0 ? axis + rank : axis
    precondition(axis >= 0 && axis < rank, "gather: axis out of range for shape \(x.shape)")
    precondition(shape.count == rank, "gather: index shape \(shape) must have the rank of \(x.shape)")
    precondition(indices.count == shape.reduce(1, *), "gather: \(indices.count) indices do not fill shape \(shape)")
    for d in 0..<rank where d != axis {
        precondition(shape[d] <= x.shape[d], "gather: index shape \(shape) exceeds \(x.shape) in dimension \(d)")
    }
    let extent = x.shape[axis]
    for index in indices { precondition(index >= 0 && index < extent, "gather: index \(index) outside 0..<\(extent)") }
    // The input offset of each output element.
    var inStrides = [Int](repeating: 1, count: rank)
    for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * x.shape[d + 1] }
    var source = [Int](repeating: 0, count: indices.count)
    var position = [Int](repeating: 0, count: rank)
    for o in 0..<indices.count {
        var offset = 0
        for d in 0..<rank { offset += (d == axis ? indices[o] : position[d]) * inStrides[d] }
        source[o] = offset
        var d = rank - 1
        while d >= 0 {
            position[d] += 1
            if position[d] < shape[d] { break }
            position[d] = 0
            d -= 1
        }
    }
    let out = Tensor(shape: shape, parents: [x]) { out in
        let g = out.grad, gx = x.grad
        for (o, i) in source.enumerated() { gx[i] += g[o] }
    }
    let v = x.data, y = out.data
    for (o, i) in source.enumerated() { y[o] = v[i] }
    return out
}
