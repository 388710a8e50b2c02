// MARK: - Rotary position transform (fused, with its own backward)

/// Rotates each (x[k], x[k + D/2]) pair of the last dimension by the angle whose cosine and sine
/// are `cos[t, k]` and `sin[t, k]`, for the token at row t of the second-to-last dimension:
///
///     out[k]       = x[k]·cos − x[k + D/2]·sin
///     out[k + D/2] = x[k + D/2]·cos + x[k]·sin
///
/// - `x`: (..., T, D), D even; `cos`, `sin`: (T, D/2) shared by every leading index, or (B, T, D/2)
///   for x (B, ..., T, D), one table per sequence (per-sequence positions); not differentiated.
/// This is RoPE's "halves" pairing (GPT-NeoX, LLaMA). The backward pass is the inverse rotation.
public func rotaryRotate(_ x: Tensor, cos: Tensor, sin: Tensor) -> Tensor {
    let d = x.shape.last!, t = x.shape[x.shape.count - 2], half = d / 2
    precondition(d % 2 == 0, "rotary needs an even last dimension, got \(x.shape)")
    let perSequence = cos.shape.count == 3
    precondition(cos.shape == sin.shape && (cos.shape == [t, half] || cos.shape == [x.shape[0], t, half]),
                 "rotary tables must be [\(t), \(half)] or [\(x.shape[0]), \(t), \(half)], got \(cos.shape)")
    let rows = x.count / d
    // Row r of x reads table row r mod T, or with per-sequence tables, row T·(r / rowsPerSequence) + r mod T.
    let rowsPerSequence = perSequence ? rows / x.shape[0] : rows
    @inline(__always) func tableRow(_ r: Int) -> Int { perSequence ? (r / rowsPerSequence) * t + r % t : r % t }
    let out = Tensor(shape: x.shape, parents: [x]) { out in
        // The tables are not parents (no gradient) and the caller may drop them before backward:
        // this closure captures the tensors themselves, which keeps them alive, and takes their
        // pointers here.
        let c = cos.data, s = sin.data
        let g = out.grad, gx = x.grad
        for r in 0..<rows {
            let a = c + tableRow(r) * half, b = s + tableRow(r) * half
            let dy = g + r * d, dx = gx + r * d
            forEachLaneBlock(to: half) { k, lanes in
                let (ca, sb) = (a.load8(k, lanes: lanes), b.load8(k, lanes: lanes))
                let (lo, hi) = (dy.load8(k, lanes: lanes), dy.load8(k + half, lanes: lanes))
                dx.store8(dx.load8(k, lanes: lanes) + (lo * ca + hi * sb), k, lanes: lanes)
                dx.store8(dx.load8(k + half, lanes: lanes) + (hi * ca - lo * sb), k + half, lanes: lanes)
            }
        }
    }
    let c = cos.data, s = sin.data, v = x.data, y = out.data
    for r in 0..<rows {
        let a = c + tableRow(r) * half, b = s + tableRow(r) * half
        let src = v + r * d, dst = y + r * d
        forEachLaneBlock(to: half) { k, lanes in  // pair indices eight at a time
            let (ca, sb) = (a.load8(k, lanes: lanes), b.load8(k, lanes: lanes))
            let (lo, hi) = (src.load8(k, lanes: lanes), src.load8(k + half, lanes: lanes))
            dst.store8(lo * ca - hi * sb, k, lanes: lanes)
            dst.store8(hi * ca + lo * sb, k + half, lanes: lanes)
        }
    }
    return out
}
