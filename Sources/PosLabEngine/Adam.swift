import Foundation

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), with optional global-norm
/// gradient clipping, following PyTorch's `torch.optim.Adam`/`AdamW` and `clip_grad_norm_`.
public final class Adam {
    /// The tensors updated by `step()`.
    public let parameters: [Tensor]
    /// The step size.
    public var learningRate: Float
    /// Exponential decay rates of the first and second moment estimates.
    public let beta1: Float, beta2: Float
    /// Added to the denominator for numerical stability.
    public let epsilon: Float
    /// Weight decay: decoupled (AdamW, `p ← p − lr·λ·p`) when `decoupled`, else L2 (`g ← g + λ·p`).
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public let decoupled: Bool
    /// If set, gradients are rescaled so that their global L2 norm is at most this value.
    public let clipNorm: Float?
    /// The number of steps taken.
    public private(set) var steps = 0

    private var m: [Storage], v: [Storage]

    /// An optimizer over `parameters` (each must require a gradient).
    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false, clipNorm: Float? = nil) {
        precondition(parameters.allSatisfy(\.requiresGrad), "Adam: every parameter must require a gradient")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        self.clipNorm = clipNorm
        m = parameters.map { Storage(count: $0.count) }
        v = parameters.map { Storage(count: $0.count) }
    }

    /// The global L2 norm of all parameter gradients (squares summed in double precision, eight
    /// partial sums per tensor).
    public func gradientNorm() -> Double {
        var total: Double = 0
        for p in parameters where p.hasGrad {
            let g = p.grad
            var low = SIMD4<Double>(repeating: 0), high = SIMD4<Double>(repeating: 0)
            var i = 0
            while i + 8 <= p.count {
                let chunk = g.load8(i)
                let a = SIMD4<Double>(Double(chunk[0]), Double(chunk[1]), Double(chunk[2]), Double(chunk[3]))
                let b = SIMD4<Double>(Double(chunk[4]), Double(chunk[5]), Double(chunk[6]), Double(chunk[7]))
                low += a * a
                high += b * b
                i += 8
            }
            let partial = low + high
            total += (partial[0] + partial[2]) + (partial[1] + partial[3])
            while i < p.count {
                total += Double(g[i]) * Double(g[i])
                i += 1
            }
        }
        return total.squareRoot()
    }

    /// Applies one update from the accumulated gradients. With clipping on, returns the gradient
    /// norm before clipping (nil without clipping, when the norm is not needed and not computed).
    @discardableResult
    public func step() -> Double? {
        let norm = clipNorm == nil ? nil : gradientNorm()
        var gradScale: Float = 1
        if let clipNorm, let norm { gradScale = Float(min(1, Double(clipNorm) / (norm + 1e-6))) }
        steps += 1
        let bc1 = 1 - pow(beta1, Float(steps)), bc2 = 1 - pow(beta2, Float(steps))
        let stepSize = learningRate / bc1, bc2Root = bc2.squareRoot()
        let decay = 1 - learningRate * weightDecay
        for (index, p) in parameters.enumerated() where p.hasGrad {
            let w = p.data, g = p.grad, mm = m[index].pointer, vv = v[index].pointer
            // Eight lanes at a time, the last block padded (its padding lanes are never stored).
            forEachLaneBlock(to: p.count) { i, lanes in
                var gi = g.load8(i, lanes: lanes) * gradScale
                var wi = w.load8(i, lanes: lanes)
                if decoupled { wi *= decay } else { gi += weightDecay * wi }
                let mi = beta1 * mm.load8(i, lanes: lanes) + (1 - beta1) * gi
                let vi = beta2 * vv.load8(i, lanes: lanes) + (1 - beta2) * gi * gi
                mm.store8(mi, i, lanes: lanes)
                vv.store8(vi, i, lanes: lanes)
                w.store8(wi - stepSize * mi / (vi.squareRoot() / bc2Root + epsilon), i, lanes: lanes)
            }
        }
        return norm
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}
