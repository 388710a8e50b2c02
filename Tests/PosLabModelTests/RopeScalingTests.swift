import Foundation
import PosLabModel
import Testing

/// RoPE's scaling beyond the training length: position interpolation, NTK-aware and YaRN, with
/// golden values worked from the papers' formulas by hand (head width 8, base 10000, so
/// θ = [1, 0.1, 0.01, 0.001]).
@Suite struct RopeScalingTests {
    func rope(_ spec: String, maxLength: Int = 16) throws -> RotaryEncoding {
        let context = EncodingContext(dModel: 16, heads: 2, layers: 1, maxLength: maxLength, attention: .causal, seed: 1)
        return try #require(try EncodingRegistry.shared.make(Spec(parsing: spec), context: context) as? RotaryEncoding)
    }

    /// cos and sin (times the YaRN factor) of every position's angles: the rotation of (1, …, 1, 0, …, 0).
    func rotated(_ enc: RotaryEncoding, _ positions: [Int]) -> [Float] {
        let t = positions.count
        let unit = Tensor((0..<t).flatMap { _ in [Float](repeating: 1, count: 4) + [Float](repeating: 0, count: 4) }, shape: [1, 1, t, 8])
        return enc.transformQueriesKeys(unit, unit, context: HookContext(positions: positions, layer: 0)).0.values
    }

    func expectClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) where abs(x - y) > tolerance * max(1, abs(y)) {
            Issue.record("\(a) vs \(b)", sourceLocation: sourceLocation)
            return
        }
    }

    /// Up to the training length every scaling is plain RoPE, bit for bit; plain `rope` keeps its name.
    @Test func nothingChangesUpToTheTrainingLength() throws {
        let plain = try rope("rope")
        #expect(plain.fullName == "rope(base=10000)")
        for spec in ["rope(scaling=pi, factor=4)", "rope(scaling=ntk, factor=4)", "rope(scaling=yarn, factor=4)", "rope(scaling=yarn)"] {
            let scaled = try rope(spec)
            for t in [1, 9, 16] {
                #expect(rotated(scaled, Array(0..<t)) == rotated(plain, Array(0..<t)), "\(spec) at \(t)")
            }
            #expect(rotated(scaled, Array(0..<17)) != rotated(plain, Array(0..<17)), "\(spec) at 17")
        }
    }

    /// Position interpolation (Chen et al. 2023): position m at factor s turns as m/s did.
    @Test func positionInterpolation() throws {
        let pi = try rope("rope(scaling=pi, factor=2)", maxLength: 8), plain = try rope("rope", maxLength: 8)
        expectClose(pi.frequencies(length: 20).theta, [0.5, 0.05, 0.005, 0.0005])
        let scaled = rotated(pi, Array(0..<20)), reference = rotated(plain, Array(0..<20))
        for m in 0..<10 {  // row 2m of the scaled table is row m of the plain one
            for k in 0..<8 { #expect(abs(scaled[2 * m * 8 + k] - reference[m * 8 + k]) < 1e-6, "m \(m) k \(k)") }
        }
    }

    /// NTK-aware (base' = base·s^(d/(d−2))): θ'_k = θ_k·s^(−2k/(d−2)), so the highest frequency is
    /// kept and the lowest interpolated exactly: s = 4 gives [1, 0.1·4^(−1/3), 0.01·4^(−2/3), 0.001/4].
    @Test func ntkAware() throws {
        let ntk = try rope("rope(scaling=ntk, factor=4)")
        let (theta, magnitude) = ntk.frequencies(length: 64)
        expectClose(theta, [1, 0.0629960524947437, 0.003968502629920499, 0.00025])
        #expect(magnitude == 1)
    }

    /// YaRN (Peng et al. 2023) at L = 16, s = 4, α = 1, β = 32: rotations over L r = 16θ/2π =
    /// [2.5465, 0.2546, 0.0255, 0.0025], so γ = [(2.5465 − 1)/31, 0, 0, 0] = [0.049886, 0, 0, 0] and
    /// θ' = [0.25 + 0.75γ₀, 0.025, 0.0025, 0.00025]; queries and keys × (0.1·ln 4 + 1).
    @Test func yarn() throws {
        let yarn = try rope("rope(scaling=yarn, factor=4)")
        #expect(yarn.fullName == "rope(base=10000;alpha=1;beta=32;factor=4;scaling=yarn)")
        let gamma0 = (16 / (2 * Double.pi) - 1) / 31
        #expect(abs(gamma0 - 0.0498864) < 1e-7)
        let (theta, magnitude) = yarn.frequencies(length: 40)
        expectClose(theta, [0.25 + 0.75 * gamma0, 0.025, 0.0025, 0.00025])
        #expect(abs(magnitude - 1.1386294361119891) < 1e-12)
        // The rotated unit vector has length √4·(0.1·ln 4 + 1) per half: q·k is divided by t.
        let row = Array(rotated(yarn, Array(0..<40))[(39 * 8)..<(40 * 8)])
        let norm = row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 2 * magnitude) < 1e-5)
        // A wide ramp (β = 3) reaches the highest frequency: γ₀ = (2.5465 − 1)/2.
        let ramp = try rope("rope(scaling=yarn, factor=4, beta=3)").frequencies(length: 40).theta
        expectClose([ramp[0]], [0.25 + 0.75 * (16 / (2 * Double.pi) - 1) / 2])
    }

    /// Without `factor`, s = T/L (YaRN's dynamic scaling): T = 64 over L = 16 is s = 4.
    @Test func dynamicFactor() throws {
        let pi = try rope("rope(scaling=pi)")
        #expect(pi.fullName == "rope(base=10000;factor=dynamic;scaling=pi)")
        expectClose(pi.frequencies(length: 64).theta, [0.25, 0.025, 0.0025, 0.00025])
        expectClose(pi.frequencies(length: 24).theta, [1 / 1.5, 0.1 / 1.5, 0.01 / 1.5, 0.001 / 1.5])
    }

    @Test func badArgumentsAreRefused() throws {
        for spec in ["rope(scaling=linear)", "rope(scaling=pi, factor=0.5)", "rope(scaling=pi, factor=x)", "rope(factor=2)",
                     "rope(scaling=pi, alpha=2)", "rope(scaling=yarn, alpha=4, beta=2)"] {
            #expect(throws: ConfigurationError.self, "\(spec)") { try rope(spec) }
        }
    }
}
