import Foundation

// Plain scalar references for the engine's fused kernels, in the manner of llm.c's
// train_gpt2.c beside its CUDA files (Karpathy 2024, github.com/karpathy/llm.c): one loop per
// formula, in double precision, no SIMD, no fusion, no in-place tricks, so that each can be read
// against the formula it states. FusedKernelReferenceTests checks the fused SIMD kernels
// (Ops+LayerNorm.swift, Ops+GELU.swift, Ops+Rotary.swift, Adam.swift) against them, values and
// gradients. Finite differences (GradientCheck.swift) check a kernel's backward against its own
// forward; these check both against an independent writing of the formulas.

// MARK: - LayerNorm (Ba, Kiros & Hinton 2016; PyTorch's nn.LayerNorm, biased variance)

/// μ and 1/√(σ² + ε) of row `r` of x, (rows, n) row-major, σ² the biased variance.
func referenceRowStatistics(_ x: [Double], row r: Int, n: Int, epsilon: Double) -> (mean: Double, rstd: Double) {
    var mean = 0.0
    for j in 0..<n { mean += x[r * n + j] }
    mean /= Double(n)
    var variance = 0.0
    for j in 0..<n { variance += (x[r * n + j] - mean) * (x[r * n + j] - mean) }
    variance /= Double(n)
    return (mean, 1 / (variance + epsilon).squareRoot())
}

/// Per row of `n` columns (x is (rows, n), row-major):
///
///     μ = Σ_j x_j / n,   σ² = Σ_j (x_j − μ)² / n,   x̂_j = (x_j − μ) / √(σ² + ε),   y_j = γ_j·x̂_j + β_j
func referenceLayerNorm(_ x: [Double], gamma: [Double], beta: [Double], n: Int, epsilon: Double = 1e-5) -> [Double] {
    let rows = x.count / n
    var y = [Double](repeating: 0, count: x.count)  // (rows, n)
    for r in 0..<rows {
        let (mean, rstd) = referenceRowStatistics(x, row: r, n: n, epsilon: epsilon)
        for j in 0..<n { y[r * n + j] = gamma[j] * (x[r * n + j] - mean) * rstd + beta[j] }
    }
    return y
}

/// The gradients of LayerNorm given dy = ∂L/∂y (llm.c's `layernorm_backward`):
///
///     ∂L/∂β_j = Σ_rows dy_j,   ∂L/∂γ_j = Σ_rows dy_j·x̂_j,
///     ∂L/∂x_j = (1/σ̃)·(dx̂_j − mean_k(dx̂_k) − x̂_j·mean_k(dx̂_k·x̂_k)),   dx̂_j = dy_j·γ_j,  σ̃ = √(σ² + ε)
func referenceLayerNormBackward(_ x: [Double], gamma: [Double], dy: [Double], n: Int, epsilon: Double = 1e-5)
    -> (dx: [Double], dgamma: [Double], dbeta: [Double]) {
    let rows = x.count / n
    var dx = [Double](repeating: 0, count: x.count)   // (rows, n)
    var dgamma = [Double](repeating: 0, count: n)     // (n)
    var dbeta = [Double](repeating: 0, count: n)      // (n)
    for r in 0..<rows {
        let (mean, rstd) = referenceRowStatistics(x, row: r, n: n, epsilon: epsilon)
        var xhat = [Double](repeating: 0, count: n), dxhat = [Double](repeating: 0, count: n)
        for j in 0..<n {
            xhat[j] = (x[r * n + j] - mean) * rstd
            dxhat[j] = dy[r * n + j] * gamma[j]
        }
        var meanDxhat = 0.0, meanDxhatXhat = 0.0
        for j in 0..<n {
            meanDxhat += dxhat[j]
            meanDxhatXhat += dxhat[j] * xhat[j]
        }
        meanDxhat /= Double(n)
        meanDxhatXhat /= Double(n)
        for j in 0..<n {
            dbeta[j] += dy[r * n + j]
            dgamma[j] += dy[r * n + j] * xhat[j]
            dx[r * n + j] = rstd * (dxhat[j] - meanDxhat - xhat[j] * meanDxhatXhat)
        }
    }
    return (dx, dgamma, dbeta)
}

// MARK: - GELU, the erf form (Hendrycks & Gimpel 2016; PyTorch's nn.GELU(approximate="none"))

/// gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)), elementwise.
func referenceGELU(_ x: [Double]) -> [Double] {
    x.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
}

/// ∂L/∂x = dy·(Φ(x) + x·φ(x)),   φ(x) = e^(−x²/2) / √(2π), elementwise.
func referenceGELUBackward(_ x: [Double], dy: [Double]) -> [Double] {
    zip(x, dy).map { x, g in
        let cdf = 0.5 * (1 + erf(x / 2.0.squareRoot()))
        let density = exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        return g * (cdf + x * density)
    }
}

// MARK: - Rotary position embedding, halves pairing (Su et al. 2021, RoFormer eq. 34;
// GPT-NeoX / LLaMA / Hugging Face `rotate_half`, as RotaryEncoding uses it)

/// Each (x_k, x_{k+D/2}) pair of a row is multiplied by the rotation matrix R(θ), with
/// cos θ = cos[row, k] and sin θ = sin[row, k]:
///
///     ⎡y_k      ⎤   ⎡cos θ  −sin θ⎤ ⎡x_k      ⎤
///     ⎣y_{k+D/2}⎦ = ⎣sin θ   cos θ⎦ ⎣x_{k+D/2}⎦
///
/// - `x`: (rows, D); `cos`, `sin`: (rows, D/2), one table row per row of x (the caller expands
///   the (T, D/2) or (B, T, D/2) tables to the rows).
func referenceRotary(_ x: [Double], cos: [Double], sin: [Double], d: Int) -> [Double] {
    let half = d / 2, rows = x.count / d
    var y = [Double](repeating: 0, count: x.count)  // (rows, D)
    for r in 0..<rows {
        for k in 0..<half {
            let (c, s) = (cos[r * half + k], sin[r * half + k])
            let (a, b) = (x[r * d + k], x[r * d + k + half])
            y[r * d + k] = c * a - s * b
            y[r * d + k + half] = s * a + c * b
        }
    }
    return y
}

/// ∂L/∂x = R(θ)ᵀ·dy for each pair: the rotation is linear in x, so its Jacobian is R(θ) and the
/// gradient goes back through the transpose (the rotation by −θ).
func referenceRotaryBackward(dy: [Double], cos: [Double], sin: [Double], d: Int) -> [Double] {
    referenceRotary(dy, cos: cos, sin: sin.map { -$0 }, d: d)  // (rows, D)
}

// MARK: - Adam / AdamW (Kingma & Ba 2015, Algorithm 1; Loshchilov & Hutter 2019, Algorithm 2;
// PyTorch's torch.optim.Adam / AdamW and clip_grad_norm_)

/// The optimizer's settings, named as in `Adam`.
struct ReferenceAdamSettings {
    var learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    var weightDecay = 0.0, decoupled = false
    var clipNorm: Double? = nil
}

/// Parameters and moments of a reference Adam, one array per parameter tensor.
struct ReferenceAdamState {
    var parameters: [[Double]]
    var m: [[Double]], v: [[Double]]
    var steps = 0

    init(parameters: [[Double]]) {
        self.parameters = parameters
        m = parameters.map { [Double](repeating: 0, count: $0.count) }
        v = m
    }
}

/// One step t ← t + 1 with gradients `gradients`, in PyTorch's order:
///
///     clipping:       g ← g · min(1, c / (‖g‖₂ + 1e-6)),  ‖g‖₂ over every parameter together
///     L2 (Adam):      g ← g + λ·p                          (when not decoupled)
///     AdamW:          p ← p − lr·λ·p                       (when decoupled)
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ)
///     p ← p − lr·m̂ / (√v̂ + ε)                               (ε outside the square root)
func referenceAdamStep(_ state: inout ReferenceAdamState, gradients: [[Double]], _ o: ReferenceAdamSettings) {
    var scale = 1.0
    if let clip = o.clipNorm {
        var squares = 0.0
        for g in gradients { for gi in g { squares += gi * gi } }
        scale = min(1, clip / (squares.squareRoot() + 1e-6))
    }
    state.steps += 1
    let t = Double(state.steps)
    for index in state.parameters.indices {
        for i in state.parameters[index].indices {
            var g = gradients[index][i] * scale
            var p = state.parameters[index][i]
            if o.decoupled { p -= o.learningRate * o.weightDecay * p } else { g += o.weightDecay * p }
            let m = o.beta1 * state.m[index][i] + (1 - o.beta1) * g
            let v = o.beta2 * state.v[index][i] + (1 - o.beta2) * g * g
            let mHat = m / (1 - pow(o.beta1, t)), vHat = v / (1 - pow(o.beta2, t))
            p -= o.learningRate * mHat / (vHat.squareRoot() + o.epsilon)
            (state.parameters[index][i], state.m[index][i], state.v[index][i]) = (p, m, v)
        }
    }
}
