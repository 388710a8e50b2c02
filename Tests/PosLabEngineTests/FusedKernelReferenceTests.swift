import Foundation
import PosLabEngine
import PosLabSupport
import Testing

/// The fused SIMD kernels against the plain scalar references of ScalarReferences.swift: values
/// and gradients, on widths that are not multiples of the eight or sixteen lanes (1, 7, 13, 17,
/// 33 and one past a multiple), so every kernel's vector loop, its tail, and the tail alone
/// are compared. Each test was seen to fail against a deliberate mutation of its kernel (ε
/// changed, tanh GELU, rotary sign flipped, bias correction dropped, ε inside the square root).
@Suite struct FusedKernelReferenceTests {
    /// The widths: below, at and across the SIMD widths, with tails of every kind.
    static let widths = [1, 7, 13, 17, 33, 70]

    // MARK: LayerNorm

    @Test(arguments: widths) func layerNormMatchesReference(n: Int) {
        let rows = 4
        let x = randomTensor([rows, n], seed: 11, std: 1.5)          // (rows, n)
        for i in 0..<x.count { x.data[i] += 0.75 }                   // a mean away from zero
        let gamma = randomTensor([n], seed: 12, std: 0.5)             // (n)
        for i in 0..<n { gamma.data[i] += 1 }
        let beta = randomTensor([n], seed: 13, std: 0.5)              // (n)
        let dy = constant(randomTensor([rows, n], seed: 14))          // ∂L/∂y, (rows, n)
        let y = layerNorm(x, gamma: gamma, beta: beta)
        sum(y * dy).backward()

        let (xs, gs, bs, dys) = (doubles(x), doubles(gamma), doubles(beta), doubles(dy))
        expectMatches(y.values, referenceLayerNorm(xs, gamma: gs, beta: bs, n: n), "y, n = \(n)")
        let reference = referenceLayerNormBackward(xs, gamma: gs, dy: dys, n: n)
        expectMatches(x.gradValues, reference.dx, "∂L/∂x, n = \(n)")
        expectMatches(gamma.gradValues, reference.dgamma, "∂L/∂γ, n = \(n)")
        expectMatches(beta.gradValues, reference.dbeta, "∂L/∂β, n = \(n)")
    }

    // MARK: GELU

    /// Without a gradient yet, the input takes the output's buffer (scaled in place); with one,
    /// the kernel adds: both paths against the reference.
    @Test(arguments: widths) func geluMatchesReference(n: Int) {
        let x = randomTensor([n], seed: 21, std: 2)                   // (n)
        let dy = constant(randomTensor([n], seed: 22))                // ∂L/∂y, (n)
        let y = gelu(x)
        sum(y * dy).backward()
        expectMatches(y.values, referenceGELU(doubles(x)), "y, n = \(n)")
        let dx = referenceGELUBackward(doubles(x), dy: doubles(dy))
        expectMatches(x.gradValues, dx, "∂L/∂x (in place), n = \(n)")

        let x2 = randomTensor([n], seed: 21, std: 2)
        let other = constant(randomTensor([n], seed: 23))             // a second path into x2
        sum(gelu(x2) * dy + x2 * other).backward()
        expectMatches(x2.gradValues, zip(dx, doubles(other)).map { $0 + $1 }, "∂L/∂x (added), n = \(n)")
    }

    // MARK: Rotary

    /// x (B, H, T, D) with tables shared by every sequence, (T, D/2), or one per sequence,
    /// (B, T, D/2); D/2 runs over the widths.
    @Test(arguments: widths) func rotaryMatchesReference(half: Int) {
        let (b, h, t, d) = (2, 3, 5, 2 * half)
        for perSequence in [false, true] {
            let tableShape = perSequence ? [b, t, half] : [t, half]
            let angles = randomTensor(tableShape, seed: 31, std: 3).values
            let cos = Tensor(angles.map { Foundation.cos($0) }, shape: tableShape)
            let sin = Tensor(angles.map { Foundation.sin($0) }, shape: tableShape)
            let x = randomTensor([b, h, t, d], seed: 32)             // (B, H, T, D)
            let dy = constant(randomTensor([b, h, t, d], seed: 33))   // ∂L/∂y, (B, H, T, D)
            let y = rotaryRotate(x, cos: cos, sin: sin)
            sum(y * dy).backward()

            // The table row of each of the B·H·T rows of x, expanded to (B·H·T, D/2).
            var rowCos = [Double](), rowSin = [Double]()
            for r in 0..<(b * h * t) {
                let row = perSequence ? (r / (h * t)) * t + r % t : r % t
                rowCos += doubles(cos)[(row * half)..<((row + 1) * half)]
                rowSin += doubles(sin)[(row * half)..<((row + 1) * half)]
            }
            let label = "D = \(d), \(perSequence ? "per-sequence" : "shared") tables"
            expectMatches(y.values, referenceRotary(doubles(x), cos: rowCos, sin: rowSin, d: d), "y, \(label)")
            expectMatches(x.gradValues, referenceRotaryBackward(dy: doubles(dy), cos: rowCos, sin: rowSin, d: d),
                          "∂L/∂x, \(label)")
        }
    }

    // MARK: Adam

    /// Adam, Adam with L2 decay, AdamW, and AdamW with clipping, over several steps on parameters
    /// of every width at once (clipping's norm is global). ε is large enough here (where stated)
    /// that where it is added matters.
    @Test(arguments: [
        ReferenceAdamSettings(learningRate: 0.1),
        ReferenceAdamSettings(learningRate: 0.05, epsilon: 1e-2, weightDecay: 0.1),
        ReferenceAdamSettings(learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-2, weightDecay: 0.1, decoupled: true),
        ReferenceAdamSettings(learningRate: 0.1, weightDecay: 0.01, decoupled: true, clipNorm: 0.5),
    ])
    func adamMatchesReference(settings: ReferenceAdamSettings) {
        let parameters = Self.widths.enumerated().map { randomTensor([$1], seed: 40 + UInt64($0)) }
        let opt = Adam(parameters: parameters, learningRate: Float(settings.learningRate), beta1: Float(settings.beta1),
                       beta2: Float(settings.beta2), epsilon: Float(settings.epsilon),
                       weightDecay: Float(settings.weightDecay), decoupled: settings.decoupled,
                       clipNorm: settings.clipNorm.map(Float.init))
        // The reference runs on the kernel's float settings, widened: the same optimizer exactly.
        var o = settings
        (o.learningRate, o.beta1, o.beta2, o.epsilon) = (Double(opt.learningRate), Double(opt.beta1),
                                                         Double(opt.beta2), Double(opt.epsilon))
        o.weightDecay = Double(opt.weightDecay)
        o.clipNorm = opt.clipNorm.map(Double.init)
        var state = ReferenceAdamState(parameters: parameters.map(doubles))
        let rng = RandomGenerator(seed: 49)
        for step in 1...6 {
            let gradients = parameters.map { p in (0..<p.count).map { _ in Float(rng.gaussian(sigma: 0.3)) } }
            for (p, g) in zip(parameters, gradients) { for i in 0..<p.count { p.grad[i] = g[i] } }
            opt.step()
            referenceAdamStep(&state, gradients: gradients.map { $0.map(Double.init) }, o)
            for (index, p) in parameters.enumerated() {
                expectMatches(p.values, state.parameters[index], "width \(p.count) after step \(step), \(settings)")
            }
        }
    }
}

/// The values of `t` as doubles.
private func doubles(_ t: Tensor) -> [Double] { t.values.map(Double.init) }

/// A tensor with `t`'s values and no gradient.
private func constant(_ t: Tensor) -> Tensor { Tensor(t.values, shape: t.shape) }

/// Asserts each float is within `tolerance` of the reference, relative to max(|reference|, 1).
private func expectMatches(_ actual: [Float], _ reference: [Double], _ what: String, tolerance: Double = 1e-5,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == reference.count, "\(what): counts differ", sourceLocation: sourceLocation)
    for (i, (a, r)) in zip(actual, reference).enumerated() where !(abs(Double(a) - r) <= tolerance * max(abs(r), 1)) {
        Issue.record("\(what): element \(i) is \(a), the reference \(r)", sourceLocation: sourceLocation)
        return
    }
}

extension ReferenceAdamSettings: CustomTestStringConvertible, CustomStringConvertible {
    var description: String {
        "lr \(learningRate), β \(beta1)/\(beta2), ε \(epsilon), decay \(weightDecay)\(decoupled ? " decoupled" : "")"
            + (clipNorm.map { ", clip \($0)" } ?? "")
    }
    var testDescription: String { description }
}
