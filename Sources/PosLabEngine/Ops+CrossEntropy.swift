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
    for r in 0..<rows where weights[r] != 0 {
        precondition(targets[r] >= 0 && targets[r] < v, "crossEntropy: target \(targets[r]) outside 0..<\(v)")
        let row = z + r * v
        var mx = -Float.infinity
        for j in 0..<v { mx = max(mx, row[j]) }
        var total: Float = 0
        for j in 0..<v { total += exp(row[j] - mx) }
        logSumExp[r] = mx + log(total)
        loss += Double(weights[r]) * Double(logSumExp[r] - row[targets[r]])
    }
    let out = Tensor(shape: [], parents: [logits]) { out in
        let g = out.grad[0], gz = logits.grad
        for r in 0..<rows where weights[r] != 0 {
            let row = z + r * v, dst = gz + r * v, w = g * weights[r] * norm
            for j in 0..<v { dst[j] += w * exp(row[j] - logSumExp[r]) }
            dst[targets[r]] -= w
        }
    }
    out.data[0] = Float(loss) * norm
    return out
}
