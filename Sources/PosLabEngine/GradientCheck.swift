import PosLabSupport

/// The outcome of comparing autodiff gradients with central finite differences.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// The largest error found, relative to max(|analytic|, |numeric|, floor).
    public var worstError: Double
    /// Where it was found: "label[index]: analytic vs numeric".
    public var worstPlace: String
    /// The number of coordinates compared.
    public var checked: Int
    /// The tolerance the errors were judged against.
    public var tolerance: Double
    /// Whether every coordinate was within the tolerance.
    public var passed: Bool { worstError <= tolerance }

    public var description: String {
        "gradient check \(passed ? "passed" : "FAILED"): \(checked) coordinates, worst relative error "
            + "\(worstError) (tolerance \(tolerance)) at \(worstPlace)"
    }
}

/// Checks the gradients of `forward()`'s output with respect to `inputs` by central finite
/// differences, in the engine's float32. NaN or inf in the output, in an analytic gradient or in a
/// perturbed output fails the check (worst error inf, the place named).
///
/// The checked function is f(θ) = Σᵢ Rᵢ·outᵢ with fixed N(0,1) weights R, summed in float64, so
/// every output element matters and no loss-reduction rounding enters. Each coordinate θⱼ is
/// perturbed by ±ε·max(1, |θⱼ|); the numeric derivative is (f₊ − f₋)/2h.
///
/// Why the default tolerance holds for a correct gradient: with h = 1e-2, the truncation error
/// is h²/6·|f'''| ≈ 2e-5·|f'''|, and float32 rounding of the outputs (relative 6e-8 per element,
/// growing like √n over a sum of n terms) contributes about 6e-8·√n·Σ|Rᵢ·outᵢ|/h, below 1e-3
/// relative for the sizes used here. A wrong gradient (a missing term, a transposed index)
/// gives errors of order 1. We accept a relative error of 2e-2, with errors measured against
/// max(|analytic|, |numeric|, `floor`), the floor ignoring coordinates whose true gradient is ~0.
public func checkGradients(
    of inputs: [Tensor], seed: UInt64 = 7, epsilon: Float = 1e-2, tolerance: Double = 2e-2,
    floor: Double = 1e-2, coordinatesPerTensor: Int = 24, forward: () -> Tensor
) -> GradientCheckResult {
    inputs.forEach { $0.clearGrad() }
    let output = forward()
    let rng = RandomGenerator(seed: seed, stream: "gradient-check")
    let weights = (0..<output.count).map { _ in Float(rng.gaussian()) }
    output.backward(seed: weights)
    var result = GradientCheckResult(worstError: 0, worstPlace: "-", checked: 0, tolerance: tolerance)
    // NaN or inf anywhere fails outright: a NaN error would otherwise compare as "not worse".
    if let i = output.values.firstIndex(where: { !$0.isFinite }) {
        result.worstError = .infinity
        result.worstPlace = "output[\(i)] is \(output.data[i]) (values must be finite)"
        inputs.forEach { $0.clearGrad() }
        return result
    }
    for (n, t) in inputs.enumerated() {
        if let j = t.gradValues.firstIndex(where: { !$0.isFinite }) {
            result.worstError = .infinity
            result.worstPlace = "\(t.label.isEmpty ? "input\(n)" : t.label)[\(j)]: analytic gradient is \(t.gradValues[j])"
            inputs.forEach { $0.clearGrad() }
            return result
        }
    }
    func f() -> Double {
        let out = forward()
        var s: Double = 0
        for i in 0..<out.count { s += Double(weights[i]) * Double(out.data[i]) }
        return s
    }
    for (n, t) in inputs.enumerated() {
        let analytic = t.gradValues
        let coords = t.count <= coordinatesPerTensor
            ? Array(0..<t.count) : rng.sortedSample(coordinatesPerTensor, from: t.count)
        for j in coords {
            let saved = t.data[j]
            let h = epsilon * max(1, abs(saved))
            t.data[j] = saved + h
            let plus = f()
            t.data[j] = saved - h
            let minus = f()
            t.data[j] = saved
            let numeric = (plus - minus) / Double(2 * h)
            let a = Double(analytic[j])
            var err = abs(a - numeric) / max(abs(a), abs(numeric), floor)
            if !numeric.isFinite { err = .infinity }  // the perturbed forward gave NaN or inf
            result.checked += 1
            if err > result.worstError {
                result.worstError = err
                let name = t.label.isEmpty ? "input\(n)" : t.label
                result.worstPlace = "\(name)[\(j)]: analytic \(a) vs numeric \(numeric)"
            }
        }
    }
    inputs.forEach { $0.clearGrad() }
    return result
}
