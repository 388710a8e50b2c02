import Foundation

// MARK: - Cross-entropy over positions

/// The mean negative log-likelihood of `targets` under softmax(`logits`), over positions whose
/// `mask` is non-zero (a position's weight is its mask value).
///
/// - `logits`: (..., V); one target id in 0..<V per row; `mask` has one weight per row or is nil
///   (every row counts). If every weight is zero the loss is 0 and so is its gradient.
public func crossEntropy(_ logits: Tensor, targets: [Int], mask: [Float]? = nil) -> Tensor {
    let v = logits.shape.last!, rows = logits.count / v
    precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) positions")
    if let mask { precondition(mask.count == rows, "crossEntropy: \(mask.count) mask values for \(rows) positions") }
    let weights = mask ?? [Float](repeating: 1, count: rows)
    let totalWeight = weights.reduce(0, +)
    let norm: Float = totalWeight > 0 ? 1 / totalWeight : 0
    var logSumExp = [Float](repeating: 0, count: rows)
    var loss: Double = 0
    let z = logits.data
    let wide = v >= crossEntropyWideRow
    for r in 0..<rows where weights[r] != 0 {
        precondition(targets[r] >= 0 && targets[r] < v, "crossEntropy: target \(targets[r]) outside 0..<\(v)")
        let row = z + r * v
        logSumExp[r] = wide ? wideLogSumExp(row, count: v) : scalarLogSumExp(row, count: v)
        loss += Double(weights[r]) * Double(logSumExp[r] - row[targets[r]])
    }
    let out = Tensor(shape: [], parents: [logits]) { out in
        let z = logits.data, g = out.grad[0], gz = logits.grad
        for r in 0..<rows where weights[r] != 0 {
            let row = z + r * v, dst = gz + r * v, w = g * weights[r] * norm
            // d loss / d z_j = w · (softmax_j − [j = target])
            if wide {
                addWideSoftmax(row, logSumExp: logSumExp[r], scale: w, into: dst, count: v)
            } else {
                for j in 0..<v { dst[j] += w * exp(row[j] - logSumExp[r]) }
            }
            dst[targets[r]] -= w
        }
    }
    out.data[0] = Float(loss) * norm
    return out
}

/// Rows at least this wide (a language model's vocabulary: GPT-2's 50,257 ids) take the
/// vectorised exponential (`vectorExpNonPositive`, within 2 ulp of expf), which makes the
/// cross-entropy of a 50,257-id head 5× faster. Narrower rows (the symbol tasks, byte-level text)
/// keep the scalar expf, so their results are bit for bit those of earlier builds.
let crossEntropyWideRow = 1024

/// log Σ_j e^{row[j]}, the plain way: the reference the wide path is tested against.
func scalarLogSumExp(_ row: UnsafeMutablePointer<Float>, count v: Int) -> Float {
    var mx = -Float.infinity
    for j in 0..<v { mx = max(mx, row[j]) }
    var total: Float = 0
    for j in 0..<v { total += exp(row[j] - mx) }
    return mx + log(total)
}

/// log Σ_j e^{row[j]}, sixteen lanes at a time: the maximum, then Σ e^{row[j] − max}.
func wideLogSumExp(_ row: UnsafeMutablePointer<Float>, count v: Int) -> Float {
    var lanes = SIMD16<Float>(repeating: -.infinity)
    var j = 0
    while j + 16 <= v {
        let x = row.load16(j)
        lanes.replace(with: x, where: x .> lanes)  // one compare and blend (pointwiseMax is a loop over lanes)
        j += 16
    }
    var mx = lanes.max()
    while j < v { mx = max(mx, row[j]); j += 1 }
    let shift = SIMD16<Float>(repeating: mx)
    var sums = SIMD16<Float>(repeating: 0)
    j = 0
    while j + 16 <= v { sums += vectorExpNonPositive(row.load16(j) - shift); j += 16 }
    var total = sums.sum()
    while j < v { total += exp(row[j] - mx); j += 1 }
    return mx + log(total)
}

/// dst[j] += scale · e^{row[j] − logSumExp} for every j: `scale` times the row's softmax.
func addWideSoftmax(_ row: UnsafeMutablePointer<Float>, logSumExp: Float, scale: Float,
                    into dst: UnsafeMutablePointer<Float>, count v: Int) {
    let shift = SIMD16<Float>(repeating: logSumExp), w = SIMD16<Float>(repeating: scale)
    var j = 0
    while j + 16 <= v {
        dst.store16(dst.load16(j) + w * vectorExpNonPositive(row.load16(j) - shift), j)
        j += 16
    }
    while j < v { dst[j] += scale * exp(row[j] - logSumExp); j += 1 }
}
