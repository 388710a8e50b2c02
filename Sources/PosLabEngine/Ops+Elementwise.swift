// MARK: - Broadcasting elementwise ops

/// How each output element of a broadcast binary op finds its two inputs.
enum BroadcastPlan {
    /// Both inputs have the output's shape.
    case same
    /// `b` repeats every `period` elements of `a` (b's shape is a suffix of a's, e.g. a bias).
    case bRepeats(period: Int)
    /// `a` repeats every `period` elements of `b`.
    case aRepeats(period: Int)
    /// Any other numpy-style broadcast: explicit input indices per output element.
    case general(a: [Int], b: [Int])

    /// The broadcast output shape of `a` and `b` (numpy rules) and the plan to compute it.
    static func make(_ a: [Int], _ b: [Int]) -> (shape: [Int], plan: BroadcastPlan) {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for d in 0..<rank {
            precondition(pa[d] == pb[d] || pa[d] == 1 || pb[d] == 1,
                         "shapes \(a) and \(b) do not broadcast (dimension \(d))")
            out[d] = max(pa[d], pb[d])
        }
        if a == b { return (out, .same) }
        let na = a.reduce(1, *), nb = b.reduce(1, *)
        if b.count <= a.count, Array(a.suffix(b.count)) == b { return (out, .bRepeats(period: nb)) }
        if a.count <= b.count, Array(b.suffix(a.count)) == a { return (out, .aRepeats(period: na)) }
        // General case: walk the output with per-input strides (0 along broadcast dimensions).
        func strides(_ s: [Int]) -> [Int] {
            var st = [Int](repeating: 0, count: rank)
            var acc = 1
            for d in stride(from: rank - 1, through: 0, by: -1) {
                st[d] = s[d] == 1 ? 0 : acc
                acc *= s[d]
            }
            return st
        }
        let sa = strides(pa), sb = strides(pb)
        let total = out.reduce(1, *)
        var ia = [Int](repeating: 0, count: total), ib = [Int](repeating: 0, count: total)
        var index = [Int](repeating: 0, count: rank)
        var offA = 0, offB = 0
        for o in 0..<total {
            ia[o] = offA
            ib[o] = offB
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                offA += sa[d]
                offB += sb[d]
                if index[d] < out[d] { break }
                offA -= sa[d] * out[d]
                offB -= sb[d] * out[d]
                index[d] = 0
                d -= 1
            }
        }
        return (out, .general(a: ia, b: ib))
    }

    /// Calls `body(output index, a index, b index)` for every output element.
    @inline(__always)
    func forEach(_ count: Int, _ body: (Int, Int, Int) -> Void) {
        switch self {
        case .same:
            for o in 0..<count { body(o, o, o) }
        case .bRepeats(let p):
            var o = 0
            while o < count {
                for j in 0..<p { body(o + j, o + j, j) }
                o += p
            }
        case .aRepeats(let p):
            var o = 0
            while o < count {
                for j in 0..<p { body(o + j, j, o + j) }
                o += p
            }
        case .general(let ia, let ib):
            for o in 0..<count { body(o, ia[o], ib[o]) }
        }
    }
}

/// Elementwise sum with numpy broadcasting; the gradient is summed back over broadcast dimensions.
public func + (a: Tensor, b: Tensor) -> Tensor {
    let (shape, plan) = BroadcastPlan.make(a.shape, b.shape)
    let out = Tensor(shape: shape, parents: [a, b]) { out in
        let g = out.grad
        // A residual x + f(x): b gets a copy of the gradient (or adds it), then a, if it has no
        // gradient yet, takes out's buffer itself. Both orders give the same values.
        if b.requiresGrad { accumulate(g, into: b, count: out.count, plan: plan, useB: true) }
        if a.requiresGrad, !a.adoptGrad(of: out) {
            accumulate(g, into: a, count: out.count, plan: plan, useB: false)
        }
    }
    let x = a.data, y = b.data, z = out.data
    plan.forEach(out.count) { o, i, j in z[o] = x[i] + y[j] }
    return out
}

/// Passes `g` (the output gradient of a broadcast sum) to one input: a copy into a fresh buffer
/// when the shapes match, else summed over the broadcast dimensions.
private func accumulate(_ g: UnsafeMutablePointer<Float>, into x: Tensor, count: Int, plan: BroadcastPlan, useB: Bool) {
    if case .same = plan, case let (gx, true) = x.gradForWriting() {
        gx.update(from: g, count: count)
        return
    }
    let gx = x.grad
    if useB {
        plan.forEach(count) { o, _, j in gx[j] += g[o] }
    } else {
        plan.forEach(count) { o, i, _ in gx[i] += g[o] }
    }
}

/// Elementwise product with numpy broadcasting.
public func * (a: Tensor, b: Tensor) -> Tensor {
    let (shape, plan) = BroadcastPlan.make(a.shape, b.shape)
    let out = Tensor(shape: shape, parents: [a, b]) { out in
        let g = out.grad, x = a.data, y = b.data
        if a.requiresGrad { let ga = a.grad; plan.forEach(out.count) { o, i, j in ga[i] += g[o] * y[j] } }
        if b.requiresGrad { let gb = b.grad; plan.forEach(out.count) { o, i, j in gb[j] += g[o] * x[i] } }
    }
    let x = a.data, y = b.data, z = out.data
    plan.forEach(out.count) { o, i, j in z[o] = x[i] * y[j] }
    return out
}

/// Elementwise difference with numpy broadcasting.
public func - (a: Tensor, b: Tensor) -> Tensor { a + b * -1 }

/// Every element times a constant.
public func * (a: Tensor, s: Float) -> Tensor {
    let out = Tensor(shape: a.shape, parents: [a]) { out in
        let g = out.grad, ga = a.grad
        for i in 0..<out.count { ga[i] += s * g[i] }
    }
    let x = a.data, z = out.data
    for i in 0..<a.count { z[i] = s * x[i] }
    return out
}

/// Every element times a constant.
public func * (s: Float, a: Tensor) -> Tensor { a * s }
