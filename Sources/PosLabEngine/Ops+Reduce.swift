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
