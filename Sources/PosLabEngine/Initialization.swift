import PosLabSupport

// MARK: - Seeded initialisation

extension Tensor {
    /// A trainable tensor with N(0, std²) entries drawn from `rng` (row-major order).
    ///
    /// PosLab's conventions: embedding tables use std 1, like PyTorch's `nn.Embedding`; linear
    /// weights (in, out) use std 1/√in (LeCun normal: unit output variance for unit inputs),
    /// with the projections that write into the residual stream further scaled by 1/√(2·layers)
    /// (as GPT-2 does) so the residual stream's variance does not grow with depth.
    public static func gaussian(_ shape: [Int], std: Float, rng: RandomGenerator, label: String = "") -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: true, label: label)
        for i in 0..<t.count { t.data[i] = Float(rng.gaussian(sigma: Double(std))) }
        return t
    }

    /// A trainable tensor filled with `value` (layer-norm gains are 1, biases 0).
    public static func filled(_ shape: [Int], value: Float, label: String = "") -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: true, label: label)
        for i in 0..<t.count { t.data[i] = value }
        return t
    }
}
