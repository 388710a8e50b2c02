// MARK: - Constants: tensors that never take a gradient

extension Tensor {
    /// A constant (never trainable, never given a gradient) holding `values` (row-major) with `shape`.
    ///
    /// Parameters come from `Tensor.gaussian` and `Tensor.filled`, which are trainable: use this
    /// for fixed inputs of an encoding (distances, masks, tables) so the optimizer never moves them.
    public static func constant(_ values: [Float], shape: [Int], label: String = "") -> Tensor {
        Tensor(values, shape: shape, requiresGrad: false, label: label)
    }

    /// A constant with every element equal to `value`.
    public static func constant(filled value: Float, shape: [Int], label: String = "") -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: false, label: label)
        for i in 0..<t.count { t.data[i] = value }
        return t
    }
}
