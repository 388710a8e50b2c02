import Foundation
import PosLabEngine
import Testing

/// The math ops an encoding is written with (Ops+Math, Ops+Gather, Ops+Cumsum): values against
/// PyTorch 2.13 (`Scripts/make_ops_reference.py` prints the literals below) and gradients against
/// central finite differences.
@Suite struct MathOpsTests {
    /// Trainable inputs away from every kink (0 for abs and relu, ±1 for the clamp below).
    static let x: [Float] = [-2.5, -1.2, -0.3, 0.4, 1.1, 3.0]
    /// Positive inputs, for log, sqrt and pow.
    static let p: [Float] = [0.3, 0.7, 1.5, 2.2, 4.0, 9.5]
    static let m: [Float] = [0.5, -1.0, 2.0, 0.25, 3.0, 1.5, -0.5, -2.0, 1.0, 0.0, 4.0, -3.0]  // (3, 4)

    func input(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(values, shape: shape, requiresGrad: true) }

    // torch 2.13.0+cpu, float32 (Scripts/make_ops_reference.py).
    static let torch: [String: [Float]] = [
        "exp": [0.08208499848842621, 0.3011941909790039, 0.740818202495575, 1.491824746131897, 3.0041661262512207, 20.08553695678711],
        "log": [-1.2039728164672852, -0.3566749691963196, 0.40546512603759766, 0.7884573936462402, 1.3862943649291992, 2.2512917518615723],
        "softplus": [0.07888973504304886, 0.26328244805336, 0.554355263710022, 0.9130152463912964, 1.3873353004455566, 3.0485873222351074],
        "softplus_big": [3.783505853677006e-44, 9.357622912219837e-14, 30.0, 100.0],
        "sigmoid": [0.07585817575454712, 0.23147521913051605, 0.4255574941635132, 0.5986876487731934, 0.7502601146697998, 0.9525741338729858],
        "sigmoid_big": [0.0, 9.357623589846195e-14, 1.0, 1.0],
        "relu": [0.0, 0.0, 0.0, 0.4000000059604645, 1.100000023841858, 3.0],
        "abs": [2.5, 1.2000000476837158, 0.30000001192092896, 0.4000000059604645, 1.100000023841858, 3.0],
        "sqrt": [0.547722578048706, 0.8366600275039673, 1.2247449159622192, 1.483239769935608, 2.0, 3.082206964492798],
        "pow_1.5": [0.16431677341461182, 0.5856620073318481, 1.837117314338684, 3.263127326965332, 8.0, 29.28096580505371],
        "pow_-0.5": [1.8257417678833008, 1.1952285766601562, 0.8164965510368347, 0.6741998195648193, 0.5, 0.3244428336620331],
        "clamp": [-1.0, -1.0, -0.30000001192092896, 0.4000000059604645, 1.0, 1.0],
        "add_scalar": [-1.75, -0.4500000476837158, 0.44999998807907104, 1.149999976158142, 1.850000023841858, 3.75],
        "rsub_scalar": [3.25, 1.9500000476837158, 1.0499999523162842, 0.3499999940395355, -0.3500000238418579, -2.25],
        "div": [-8.333333015441895, -1.7142858505249023, -0.20000000298023224, 0.1818181872367859, 0.2750000059604645, 0.31578946113586426],
        "div_broadcast": [-8.333333015441895, -1.7142858505249023, -0.20000000298023224, 1.3333332538604736, 1.571428656578064, 2.0],
        "rdiv_scalar": [6.666666507720947, 2.857142925262451, 1.3333333730697632, 0.9090908765792847, 0.5, 0.21052631735801697],
        "where": [0.30000001192092896, 0.699999988079071, 1.5, 0.4000000059604645, 1.100000023841858, 3.0],
        "gather_1": [0.25, 0.5, 1.5, 1.5, 1.0, 4.0],
        "gather_0": [1.0, -1.0, -0.5, -3.0, 0.5, 1.5, 4.0, 0.25],
        "cumsum_1": [0.5, -0.5, 1.5, 1.75, 3.0, 4.5, 4.0, 2.0, 1.0, 1.0, 5.0, 2.0],
        "cumsum_0": [0.5, -1.0, 2.0, 0.25, 3.5, 0.5, 1.5, -1.75, 4.5, 0.5, 5.5, -4.75],
    ]

    @Test func valuesMatchPyTorch() {
        let x = Tensor.constant(Self.x, shape: [6]), p = Tensor.constant(Self.p, shape: [6])
        let big = Tensor.constant([-100, -30, 30, 100], shape: [4]), m = Tensor.constant(Self.m, shape: [3, 4])
        let ours: [String: Tensor] = [
            "exp": exp(x), "log": log(p), "softplus": softplus(x), "softplus_big": softplus(big),
            "sigmoid": sigmoid(x), "sigmoid_big": sigmoid(big), "relu": relu(x), "abs": abs(x), "sqrt": sqrt(p),
            "pow_1.5": pow(p, 1.5), "pow_-0.5": pow(p, -0.5), "clamp": clamp(x, min: -1, max: 1),
            "add_scalar": x + 0.75, "rsub_scalar": 0.75 - x, "div": x / p,
            "div_broadcast": x.reshaped([2, 3]) / p.sliceLast(0..<3), "rdiv_scalar": 2 / p,
            "where": select(Self.x.map { $0 > 0 }, x, p),
            "gather_1": gather(m, axis: 1, indices: [3, 0, 1, 1, 0, 2], shape: [3, 2]),
            "gather_0": gather(m, axis: 0, indices: [2, 0, 1, 2, 0, 1, 2, 0], shape: [2, 4]),
            "cumsum_1": cumsum(m, axis: -1), "cumsum_0": cumsum(m, axis: 0),
        ]
        #expect(Set(ours.keys) == Set(Self.torch.keys))
        for (name, reference) in Self.torch.sorted(by: { $0.key < $1.key }) {
            guard let value = ours[name] else { continue }
            for (i, (a, b)) in zip(value.values, reference).enumerated() where Swift.abs(a - b) > 2e-6 * Swift.max(1, Swift.abs(b)) {
                Issue.record("\(name)[\(i)]: \(a), PyTorch \(b)")
            }
            #expect(value.count == reference.count, "\(name)")
        }
    }

    @Test func unaryGradients() {
        let x = input(Self.x, [2, 3]), p = input(Self.p, [2, 3])
        expectGradients([x]) { exp(x) }
        expectGradients([x]) { softplus(x) }
        expectGradients([x]) { sigmoid(x) }
        expectGradients([x]) { relu(x) }
        expectGradients([x]) { abs(x) }
        expectGradients([p]) { log(p) }
        expectGradients([p]) { sqrt(p) }
        expectGradients([p]) { pow(p, 1.5) }
        expectGradients([p]) { pow(p, -0.5) }
        expectGradients([x]) { pow(x, 2) }
        expectGradients([x]) { clamp(x, min: -1, max: 1) }
        expectGradients([x]) { clamp(x, min: 0.5) + clamp(x, max: -2) }
        // x also reaches the output directly: each op adds to an existing gradient.
        expectGradients([x]) { exp(x) * x + sigmoid(x) }
    }

    @Test func scalarArithmeticGradients() {
        let x = input(Self.x, [2, 3]), p = input(Self.p, [2, 3])
        expectGradients([x]) { (x + 0.75) * x }
        expectGradients([x]) { (0.75 - x) * x }
        expectGradients([x]) { (x - 2) * (2 + x) }
        expectGradients([x]) { -x * x }
        expectGradients([x]) { x / 4 }
        expectGradients([p]) { 2 / p }
    }

    @Test func divisionGradients() {
        let x = input(Self.x, [2, 3]), p = input(Self.p, [2, 3])
        expectGradients([x, p]) { x / p }
        let row = input([0.5, 2.0, -1.5], [3]), col = input([1.5, 3.0], [2, 1])
        #expect((x / row).shape == [2, 3])
        expectGradients([x, row]) { x / row }      // b's shape a suffix of a's
        expectGradients([row, p]) { row / p }      // a repeats
        expectGradients([row, col]) { row / col }  // the general broadcast: (3) / (2, 1) → (2, 3)
    }

    @Test func selectGradients() {
        let x = input(Self.x, [2, 3]), p = input(Self.p, [2, 3]), row = input([0.5, 2.0, -1.5], [3])
        let flags = Self.x.map { $0 > 0 }
        expectGradients([x, p]) { select(flags, x, p) }
        expectGradients([x, row]) { select(flags, x, row) * x }  // b broadcast: its gradient is summed
        // The branch not taken may be NaN (log of a negative): its elements get no gradient.
        let y = select(flags, log(x), x * 0)
        #expect(y.values.allSatisfy { $0.isFinite })
        sum(y).backward()
        #expect(x.gradValues.allSatisfy { $0.isFinite })
        #expect(x.gradValues == Self.x.map { $0 > 0 ? 1 / $0 : 0 })
    }

    @Test func gatherGradients() {
        let m = input(Self.m, [3, 4])
        expectGradients([m]) { gather(m, axis: 1, indices: [3, 0, 1, 1, 0, 2], shape: [3, 2]) }
        expectGradients([m]) { gather(m, axis: 0, indices: [2, 0, 1, 2, 0, 1, 2, 0], shape: [2, 4]) }
        let cube = input((0..<24).map { Float($0) * 0.1 - 1 }, [2, 3, 4])
        expectGradients([cube]) { gather(cube, axis: -2, indices: [2, 2, 0, 1, 0, 0, 1, 2], shape: [2, 1, 4]) }
        // An element picked twice gets both contributions.
        let picked = gather(m, axis: 1, indices: [3, 3, 0, 0, 1, 2], shape: [3, 2])
        sum(picked * 2).backward()
        #expect(m.gradValues == [0, 0, 0, 4, 4, 0, 0, 0, 0, 2, 2, 0])
    }

    @Test func cumsumGradients() {
        let m = input(Self.m, [3, 4])
        expectGradients([m]) { cumsum(m, axis: 1) }
        expectGradients([m]) { cumsum(m, axis: 0) }
        let cube = input((0..<24).map { Float($0) * 0.1 - 1 }, [2, 3, 4])
        expectGradients([cube]) { cumsum(cube, axis: 1) * cube }
        // ∂/∂x[s] of Σ_t out[t] is the number of t ≥ s.
        let row = input([1, 2, 3, 4], [4])
        sum(cumsum(row, axis: 0)).backward()
        #expect(row.gradValues == [4, 3, 2, 1])
    }

    @Test func constantsTakeNoGradient() {
        let c = Tensor.constant([1, 2, 3], shape: [3]), f = Tensor.constant(filled: 2, shape: [3])
        #expect(!c.requiresGrad && !f.requiresGrad && f.values == [2, 2, 2])
        #expect(Tensor.filled([3], value: 2).requiresGrad && Tensor.gaussian([3], std: 1, rng: .init(seed: 1)).requiresGrad)
        let w = input([0.5, -1, 2], [3])
        sum(w * c + f).backward()
        #expect(!c.hasGrad && !f.hasGrad && w.gradValues == [1, 2, 3])
    }
}
