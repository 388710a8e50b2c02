// MARK: - Embedding lookup

/// Rows of `table` (rows, width) gathered by `ids`, shaped `idsShape + [width]`.
///
/// The gradient scatter-adds into the rows that were looked up (a row used twice gets both).
/// This is `nn.Embedding` in PyTorch, and also how a learned positional table is read.
public func embedding(_ table: Tensor, ids: [Int], shape idsShape: [Int]) -> Tensor {
    precondition(table.shape.count == 2, "embedding table must be 2-D, got \(table.shape)")
    precondition(ids.count == idsShape.reduce(1, *), "\(ids.count) ids do not fill shape \(idsShape)")
    let rows = table.shape[0], width = table.shape[1]
    for id in ids { precondition(id >= 0 && id < rows, "embedding id \(id) outside table of \(rows) rows") }
    let out = Tensor(shape: idsShape + [width], parents: [table]) { out in
        let g = out.grad, gt = table.grad
        for (i, id) in ids.enumerated() {
            let src = g + i * width, dst = gt + id * width
            for j in 0..<width { dst[j] += src[j] }
        }
    }
    for (i, id) in ids.enumerated() { (out.data + i * width).update(from: table.data + id * width, count: width) }
    return out
}
