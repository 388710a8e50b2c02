import Foundation
import PosLabModel
import Testing

/// A context for `heads` heads in `attention`.
private func context(heads: Int = 3, _ attention: AttentionMode = .bidirectional) -> EncodingContext {
    EncodingContext(dModel: 6 * heads, heads: heads, layers: 2, maxLength: 8, attention: attention, seed: 5)
}

private func make<E>(_ spec: String, _ context: EncodingContext, as: E.Type) throws -> E {
    try #require(try EncodingRegistry.shared.make(Spec(parsing: spec), context: context) as? E)
}

/// Asserts two float arrays agree elementwise within `tolerance` (absolute, or relative above 1).
private func expectClose(_ a: [Float], _ b: [Float], tolerance: Float, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "counts differ: \(a.count) vs \(b.count)", sourceLocation: sourceLocation)
    for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= tolerance * max(1, abs(y))) {
        Issue.record("element \(i): \(x) vs \(y)", sourceLocation: sourceLocation)
        return
    }
}

/// Spread-out positions, so distances are not just 0…T−1.
private let gapped = [0, 2, 3, 7, 8, 12]

@Suite struct KerpleTests {
    /// −r1·log(1 + r2·|i − j|) (Chi et al. 2022, eq. for the logarithmic variant), from fixed r1, r2.
    @Test func logKernelValues() throws {
        let enc = try make("kerple(init=constant, r1_scale=1.5, r2_scale=0.5)", context(), as: KerpleEncoding.self)
        expectClose(enc.r1.values, [1.5, 1.5, 1.5], tolerance: 1e-6)
        expectClose(enc.r2.values, [0.5, 0.5, 0.5], tolerance: 1e-6)
        let bias = try #require(enc.attentionBias(context: HookContext(positions: gapped, layer: 0)))
        let t = gapped.count
        #expect(bias.shape == [3, t, t])
        let expected = (0..<3).flatMap { _ in
            gapped.flatMap { i in gapped.map { j in Float(-1.5 * Foundation.log(1 + 0.5 * Double(abs(i - j)))) } }
        }
        expectClose(bias.values, expected, tolerance: 1e-6)
    }

    /// −r1·|i − j|^r2 (the power variant), 0 on the diagonal with a finite gradient there.
    @Test func powerKernelValues() throws {
        let enc = try make("kerple(kind=power, init=constant, r1_scale=0.8, r2_scale=1.5)", context(), as: KerpleEncoding.self)
        expectClose(enc.r2.values, [1.5, 1.5, 1.5], tolerance: 1e-6)
        let bias = try #require(enc.attentionBias(context: HookContext(positions: gapped, layer: 0)))
        let expected = (0..<3).flatMap { _ in
            gapped.flatMap { i in gapped.map { j in Float(-0.8 * Foundation.pow(Double(abs(i - j)), 1.5)) } }
        }
        expectClose(bias.values, expected, tolerance: 1e-6)
        sum(bias).backward()
        #expect(enc.theta1.gradValues.allSatisfy { $0.isFinite } && enc.theta2.gradValues.allSatisfy { $0.isFinite })
    }

    /// The reference's initialisation: r drawn from U(0, scale) per head (log: r1 2, r2 1; power:
    /// r1 1, r2 2), never below the floor 0.01; and the bounds hold for any θ.
    @Test func initialisationAndBounds() throws {
        for (spec, r1Max, r2Max) in [("kerple", 2.0, 1.0), ("kerple(kind=power)", 1.0, 2.0)] {
            let enc = try make(spec, context(heads: 8), as: KerpleEncoding.self)
            let r1 = enc.r1.values, r2 = enc.r2.values
            #expect(r1.allSatisfy { $0 > 0.0105 && Double($0) <= r1Max + 1e-5 } && Set(r1).count == 8, "\(spec) r1 \(r1)")
            #expect(r2.allSatisfy { $0 > 0.0105 && Double($0) <= r2Max + 1e-5 } && Set(r2).count == 8, "\(spec) r2 \(r2)")
            enc.theta1.assign([-60, -20, -5, 0, 5, 20, 60, 80])
            enc.theta2.assign([-60, -20, -5, 0, 5, 20, 60, 80])
            #expect(enc.r1.values.allSatisfy { $0 >= 0.01 } && enc.r2.values.allSatisfy { $0 >= 0.01 })
            if spec.contains("power") { #expect(enc.r2.values.allSatisfy { $0 <= 2 }) }
        }
        #expect(throws: ConfigurationError.self) { try make("kerple(kind=cubic)", context(), as: KerpleEncoding.self) }
        #expect(throws: ConfigurationError.self) { try make("kerple(kind=power, r2_scale=3)", context(), as: KerpleEncoding.self) }
    }

    /// The bias's gradient with respect to θ1 and θ2, both kinds, both attention modes.
    @Test(arguments: ["kerple", "kerple(kind=power)"], AttentionMode.allCases)
    func gradients(spec: String, mode: AttentionMode) throws {
        let enc = try make(spec, context(mode), as: KerpleEncoding.self)
        let result = checkGradients(of: enc.parameters) { enc.attentionBias(context: HookContext(positions: gapped, layer: 0))! }
        #expect(result.passed, "\(spec) \(mode): \(result)")
    }
}

@Suite struct ALiBiAsymmetricTests {
    /// At initialisation it is ALiBi (Press et al.'s slopes on both sides); a larger right slope
    /// penalises keys to the right more, and only them.
    @Test func startsAsALiBiAndSidesDiffer() throws {
        let enc = try make("alibi-asym", context(heads: 4), as: ALiBiAsymmetricEncoding.self)
        let alibi = ALiBiEncoding(heads: 4, bidirectional: true)
        let t = gapped.count
        let start = try #require(enc.attentionBias(context: HookContext(positions: gapped, layer: 0)))
        expectClose(start.values, try #require(alibi.attentionBias(context: HookContext(positions: gapped, layer: 0))).values, tolerance: 1e-6)
        let right = try #require(enc.rightLogSlopes)
        right.assign(ALiBiEncoding.slopes(heads: 4).map { Float(Foundation.log(3 * $0)) })
        let bias = try #require(enc.attentionBias(context: HookContext(positions: gapped, layer: 0))).values  // (4, T, T)
        for h in 0..<4 {
            let m = ALiBiEncoding.slopes(heads: 4)[h]
            for i in 0..<t {
                for j in 0..<t {
                    let d = Double(gapped[j] - gapped[i])
                    let expected = d < 0 ? m * d : -3 * m * d
                    #expect(abs(Double(bias[(h * t + i) * t + j]) - expected) < 1e-5 * max(1, abs(expected)), "h \(h) i \(i) j \(j)")
                }
            }
        }
    }

    /// Causal attention has no right side: one tensor of slopes.
    @Test func causalHasOnlyLeftSlopes() throws {
        let enc = try make("alibi-asym(init_scale=0.5)", context(heads: 2, .causal), as: ALiBiAsymmetricEncoding.self)
        #expect(enc.rightLogSlopes == nil && enc.parameters.count == 1)
        expectClose(enc.leftLogSlopes.values, ALiBiEncoding.slopes(heads: 2).map { Float(Foundation.log(0.5 * $0)) }, tolerance: 1e-6)
    }

    @Test(arguments: AttentionMode.allCases)
    func gradients(mode: AttentionMode) throws {
        let enc = try make("alibi-asym", context(mode), as: ALiBiAsymmetricEncoding.self)
        let result = checkGradients(of: enc.parameters) { enc.attentionBias(context: HookContext(positions: gapped, layer: 0))! }
        #expect(result.passed, "\(mode): \(result)")
    }
}

/// The FIRE bias of the paper's reference code, run in PyTorch (Scripts/make_fire_reference.py).
private enum FireReference {
    // torch 2.13.0+cpu: FIRE(num_heads=2, mlp_width=4, init_c=0.3, init_L=3.0), L_multiplier 1.5,
    // positions [0, 1, 3, 6, 9]. nn.Linear stores (out, in): w1 and w2 below are transposed to PosLab's (in, out).
    static let w1: [Float] = [-0.007486820220947266, 0.5364435911178589, -0.8230451345443726, -0.7359390258789062]
    static let b1: [Float] = [-0.3851543664932251, 0.26815736293792725, -0.019813179969787598, 0.7928894758224487]
    static let w2: [Float] = [-0.04437202215194702, -0.4776742458343506, 0.1323062777519226, -0.33114105463027954, -0.15110653638839722, -0.20611155033111572, -0.09828269481658936, 0.018521785736083984]
    static let b2: [Float] = [0.19766759872436523, 0.30001139640808105]
    static let bias: [Float] = [0.1552191823720932, 0.199223592877388, 0.2628726065158844, 0.31867516040802, 0.341827392578125, 0.199223592877388, 0.1552191823720932, 0.23404940962791443, 0.308901846408844, 0.33480337262153625, 0.2628726065158844, 0.23404940962791443, 0.1552191823720932, 0.2628726065158844, 0.31867516040802, 0.2985239624977112, 0.2827506363391876, 0.24455387890338898, 0.1552191823720932, 0.24455387890338898, 0.29852402210235596, 0.28926223516464233, 0.2679958641529083, 0.225522980093956, 0.1552191823720932, 0.22589921951293945, 0.16716644167900085, 0.08221395313739777, -0.002850860357284546, -0.06079709529876709, 0.16716644167900085, 0.22589921951293945, 0.12068432569503784, 0.0207785964012146, -0.043217092752456665, 0.08221395313739777, 0.12068432569503784, 0.22589921951293945, 0.08221395313739777, -0.002850860357284546, 0.034630000591278076, 0.0556827187538147, 0.1066640168428421, 0.22589921951293945, 0.1066640168428421, 0.0346299409866333, 0.04699167609214783, 0.07537591457366943, 0.1320645809173584, 0.22589921951293945]
}

@Suite struct FireTests {
    func fire() -> FireEncoding {
        let enc = FireEncoding(hidden: 4, heads: 2, initC: 0.3, initThreshold: 3, activation: .relu, rng: RandomGenerator(seed: 1))
        enc.w1.assign(FireReference.w1)
        enc.b1.assign(FireReference.b1)
        enc.w2.assign(FireReference.w2)
        enc.b2.assign(FireReference.b2)
        enc.thresholdMultiplier.assign([1.5])
        return enc
    }

    /// The same weights give the reference code's bias, with the threshold active for some queries.
    @Test func matchesTheReferenceCode() throws {
        let bias = try #require(fire().attentionBias(context: HookContext(positions: [0, 1, 3, 6, 9])))
        #expect(bias.shape == [2, 5, 5])
        expectClose(bias.values, FireReference.bias, tolerance: 1e-5)
    }

    /// The reference code's defaults: hidden 32, c 0.1, threshold 512 (multiplier 1), nn.Linear's
    /// U(−1/√fan_in, 1/√fan_in); GELU unless asked for the paper's ReLU.
    @Test func defaultInitialisation() throws {
        let enc = try make("fire", context(heads: 4), as: FireEncoding.self)
        #expect(enc.fullName == "fire(activation=gelu;hidden=32;init_c=0.1;init_threshold=512)")
        #expect(try make("fire(activation=relu)", context(), as: FireEncoding.self).arguments.hasPrefix("activation=relu;"))
        #expect(throws: ConfigurationError.self) { try make("fire(activation=tanh)", context(), as: FireEncoding.self) }
        #expect(enc.w1.shape == [1, 32] && enc.w2.shape == [32, 4] && enc.c.values == [0.1] && enc.thresholdMultiplier.values == [1])
        #expect(enc.w1.values.allSatisfy { abs($0) <= 1 } && enc.w2.values.allSatisfy { abs($0) <= 1 / Float(32).squareRoot() })
        #expect(enc.w1.values.contains { $0 < -0.5 } && enc.w1.values.contains { $0 > 0.5 })
    }

    /// Every parameter's gradient, c and the threshold's multiplier included, with queries on both
    /// sides of the threshold: the paper's ReLU (away from its kink), and GELU.
    @Test func gradients() throws {
        let smooth = try make("fire(hidden=8, init_threshold=4)", context(heads: 2), as: FireEncoding.self)
        let r = checkGradients(of: smooth.parameters) { smooth.attentionBias(context: HookContext(positions: [0, 1, 3, 6, 9]))! }
        #expect(r.passed, "\(r)")
        let enc = fire()
        // Biases that keep every ReLU input at least 0.1 from 0 for these positions, so that no
        // step of the checker crosses the kink (where finite differences would disagree).
        enc.b1.assign([-0.385, 0.268, -0.1, 1.5])
        let result = checkGradients(of: enc.parameters) { enc.attentionBias(context: HookContext(positions: [0, 1, 3, 6, 9]))! }
        #expect(result.passed, "\(result)")
        #expect(result.checked == enc.parameters.reduce(0) { $0 + $1.count })
    }
}

/// The sample standard deviation of a tensor's values.
private func std(_ t: Tensor) -> Double {
    let v = t.values.map(Double.init)
    let m = v.reduce(0, +) / Double(v.count)
    return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
}

@Suite struct RelativeBiasInitialisationTests {
    /// The table starts at std 1/√d_model (Hugging Face's T5 `_init_weights`) unless `init_std` is
    /// given; the default's name is unchanged, a given value is named.
    @Test func initStdArgument() throws {
        let wide = EncodingContext(dModel: 64, heads: 8, layers: 1, maxLength: 8, attention: .bidirectional, seed: 3)
        let plain = try make("relative-bias", wide, as: RelativeBiasEncoding.self)
        #expect(plain.fullName == "relative-bias(buckets=32;max_distance=128)")
        #expect(abs(std(plain.table) - 0.125) < 0.125 * 0.15, "\(std(plain.table))")  // 256 draws: ±15%
        let unit = try make("relative-bias(init_std=1)", wide, as: RelativeBiasEncoding.self)
        #expect(unit.fullName == "relative-bias(buckets=32;init_std=1;max_distance=128)")
        #expect(abs(std(unit.table) - 1) < 0.15, "\(std(unit.table))")
        #expect(try make("relative-bias(init_std=0.5)", wide, as: RelativeBiasEncoding.self).arguments.contains("init_std=0.5;"))
        #expect(throws: ConfigurationError.self) { try make("relative-bias(init_std=-1)", wide, as: RelativeBiasEncoding.self) }
    }
}

@Suite struct LearnedInitialisationTests {
    /// The table starts at std 1 (`nn.Embedding`) unless `init_std` is given (GPT-2's 0.01,
    /// nanoGPT's 0.02); the default's name is unchanged, a given value is named.
    @Test func initStdArgument() throws {
        let context = EncodingContext(dModel: 64, heads: 4, layers: 1, maxLength: 16, attention: .bidirectional, seed: 3)
        let plain = try make("learned", context, as: LearnedEncoding.self)
        #expect(plain.fullName == "learned(size=16)")
        #expect(abs(std(plain.table) - 1) < 0.1, "\(std(plain.table))")  // 1,024 draws
        let small = try make("learned(init_std=0.02)", context, as: LearnedEncoding.self)
        #expect(small.fullName == "learned(init_std=0.02;size=16)")
        #expect(abs(std(small.table) - 0.02) < 0.002, "\(std(small.table))")
        #expect(throws: ConfigurationError.self) { try make("learned(init_std=-1)", context, as: LearnedEncoding.self) }
    }
}
