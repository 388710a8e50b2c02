// MARK: - Shape ops: reshape, permute, slices along the last axis

extension Tensor {
    /// The same elements with another shape of equal size (one dimension may be -1: inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var shape = newShape
        if let i = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(self.shape) to \(newShape)")
            shape[i] = count / known
        }
        precondition(shape.reduce(1, *) == count, "cannot reshape \(self.shape) (\(count) elements) to \(newShape)")
        let input = self
        return Tensor(shape: shape, storage: storage, parents: [self]) { out in
            let g = out.grad, gi = input.grad
            for i in 0..<out.count { gi[i] += g[i] }
        }
    }

    /// The dimensions reordered: output dimension d is input dimension `order[d]` (a copy).
    public func permuted(_ order: [Int]) -> Tensor {
        let rank = shape.count
        precondition(order.sorted() == Array(0..<rank), "permuted(\(order)) is not a permutation of \(rank) axes")
        let outShape = order.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
        let strides = order.map { inStrides[$0] }  // input stride of each output dimension
        // The innermost output dimension is copied in a tight loop; the outer ones are walked.
        let inner = outShape.last ?? 1, innerStride = strides.last ?? 1
        let outer = rank > 1 ? Array(outShape.dropLast()) : []
        let outerStrides = rank > 1 ? Array(strides.dropLast()) : []
        func walk(_ body: (Int, Int) -> Void) {  // (output offset of a row, input offset of its first element)
            var index = [Int](repeating: 0, count: outer.count)
            var inOffset = 0, outOffset = 0
            let rows = outer.reduce(1, *)
            for _ in 0..<rows {
                body(outOffset, inOffset)
                outOffset += inner
                var d = outer.count - 1
                while d >= 0 {
                    index[d] += 1
                    inOffset += outerStrides[d]
                    if index[d] < outer[d] { break }
                    inOffset -= outerStrides[d] * outer[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        let input = self
        let out = Tensor(shape: outShape, parents: [self]) { out in
            let g = out.grad, gi = input.grad
            walk { o, i in for j in 0..<inner { gi[i + j * innerStride] += g[o + j] } }
        }
        let x = data, y = out.data
        walk { o, i in for j in 0..<inner { y[o + j] = x[i + j * innerStride] } }
        return out
    }

    /// Two dimensions swapped (a copy).
    public func transposed(_ d0: Int, _ d1: Int) -> Tensor {
        var order = Array(0..<shape.count)
        order.swapAt(d0, d1)
        return permuted(order)
    }

    /// The columns `range` of the last dimension (a copy).
    public func sliceLast(_ range: Range<Int>) -> Tensor {
        let width = shape.last!, w = range.count, rows = count / max(width, 1)
        precondition(range.lowerBound >= 0 && range.upperBound <= width, "slice \(range) outside last dimension \(width)")
        let input = self
        let out = Tensor(shape: Array(shape.dropLast()) + [w], parents: [self]) { out in
            let g = out.grad, gi = input.grad
            for r in 0..<rows {
                let src = g + r * w, dst = gi + r * width + range.lowerBound
                for j in 0..<w { dst[j] += src[j] }
            }
        }
        for r in 0..<rows { (out.data + r * w).update(from: data + r * width + range.lowerBound, count: w) }
        return out
    }

    /// The last dimension cut into `parts` equal pieces (e.g. a fused q|k|v projection).
    public func split(_ parts: Int) -> [Tensor] {
        let width = shape.last!
        precondition(parts > 0 && width % parts == 0, "cannot split last dimension \(width) into \(parts)")
        let w = width / parts
        return (0..<parts).map { sliceLast($0 * w..<($0 + 1) * w) }
    }
}

/// Tensors joined along the last dimension (all other dimensions equal).
public func concatLast(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty, "concatLast of nothing")
    let lead = Array(parts[0].shape.dropLast())
    precondition(parts.allSatisfy { Array($0.shape.dropLast()) == lead }, "concatLast: leading shapes differ")
    let widths = parts.map { $0.shape.last! }
    let width = widths.reduce(0, +), rows = lead.reduce(1, *)
    var offsets = [0]
    for w in widths.dropLast() { offsets.append(offsets.last! + w) }
    let out = Tensor(shape: lead + [width], parents: parts) { out in
        let g = out.grad
        for (p, part) in parts.enumerated() where part.requiresGrad {
            let gp = part.grad, w = widths[p]
            for r in 0..<rows {
                let src = g + r * width + offsets[p], dst = gp + r * w
                for j in 0..<w { dst[j] += src[j] }
            }
        }
    }
    for (p, part) in parts.enumerated() {
        for r in 0..<rows {
            (out.data + r * width + offsets[p]).update(from: part.data + r * widths[p], count: widths[p])
        }
    }
    return out
}
