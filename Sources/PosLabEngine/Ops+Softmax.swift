import Foundation

// MARK: - Attention softmax (fused: scale, additive bias, causal mask, softmax)

/// Attention weights: softmax over the last axis of `scale · scores + bias`, with keys after the
/// query hidden when `causal`.
///
/// - `scores`: (..., T, S), usually (B, H, T, S) from q·kᵀ.
/// - `bias`: optional, its shape a suffix of the scores' shape — (H, T, S) per head or (T, S)
///   shared — broadcast over the leading dimensions; its gradient is summed over them.
/// - `causal`: query i sees keys j ≤ i + (S − T); hidden entries get probability exactly 0.
public func attentionSoftmax(_ scores: Tensor, scale: Float = 1, bias: Tensor? = nil, causal: Bool = false) -> Tensor {
    precondition(scores.shape.count >= 2, "attentionSoftmax needs (..., T, S), got \(scores.shape)")
    let s = scores.shape.last!, t = scores.shape[scores.shape.count - 2]
    let rows = scores.count / s
    if let bias {
        precondition(bias.shape.count <= scores.shape.count && Array(scores.shape.suffix(bias.shape.count)) == bias.shape,
                     "attention bias \(bias.shape) must be a suffix of the scores' shape \(scores.shape)")
    }
    let biasCount = bias?.count ?? 1
    // Keys visible to row r (a query at position r mod T).
    @inline(__always) func visible(_ r: Int) -> Int { causal ? min(s, r % t + 1 + (s - t)) : s }
    let parents = bias.map { [scores, $0] } ?? [scores]
    let out = Tensor(shape: scores.shape, parents: parents) { out in
        let g = out.grad, p = out.data
        let gs = scores.requiresGrad ? scores.grad : nil
        let gb = (bias?.requiresGrad ?? false) ? bias!.grad : nil
        for r in 0..<rows {
            let n = visible(r), base = r * s
            var dot: Float = 0
            for j in 0..<n { dot += p[base + j] * g[base + j] }
            for j in 0..<n {
                let dz = p[base + j] * (g[base + j] - dot)
                gs?[base + j] += scale * dz
                gb?[(base + j) % biasCount] += dz
            }
        }
    }
    let x = scores.data, y = out.data, b = bias?.data
    for r in 0..<rows {
        let base = r * s
        (y + base).update(from: x + base, count: s)
        softmaxRow(y + base, count: s, visible: visible(r), scale: scale, bias: b.map { $0 + base % biasCount })
    }
    return out
}
