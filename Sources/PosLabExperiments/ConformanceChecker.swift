import Foundation
import PosLabModel
import PosLabTasks

/// The checks every encoding — built-in or plugin — must pass (`poslab check-plugin`).
public struct ConformanceChecker {
    /// One check's outcome.
    public struct Check: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public let spec: Spec
    public let registry: EncodingRegistry
    /// Steps of the order-task probe (the encoding and `none` are trained alike).
    public var probeSteps = 300

    public init(spec: Spec, registry: EncodingRegistry = .shared) {
        self.spec = spec
        self.registry = registry
    }

    static let lengths = [1, 5, 12]

    func config(_ mode: AttentionMode, maxLength: Int = 12) -> ModelConfig {
        ModelConfig(vocabSize: 8, dModel: 16, layers: 2, heads: 4, maxLength: maxLength, attention: mode)
    }

    func model(_ mode: AttentionMode, seed: UInt64 = 1) throws -> Transformer {
        try Transformer(config: config(mode), encoding: spec, seed: seed, registry: registry)
    }

    /// Runs every check, in order; a check that throws fails with the error as its detail.
    public func run() -> [Check] {
        var checks: [Check] = []
        func check(_ name: String, _ body: () throws -> (Bool, String)) {
            do {
                let (ok, detail) = try body()
                checks.append(Check(name: name, passed: ok, detail: detail))
            } catch {
                checks.append(Check(name: name, passed: false, detail: "\(error)"))
            }
        }
        check("builds in both attention modes") {
            let names = try AttentionMode.allCases.map { try model($0).encoding.fullName }
            return (true, names[0])
        }
        check("the optimizer sees and updates its parameters") { try parametersAreTrained() }
        for mode in AttentionMode.allCases {
            check("finite-difference gradients (\(mode.rawValue))") { try gradients(mode) }
        }
        for mode in AttentionMode.allCases {
            check("output shapes at lengths \(Self.lengths.map(String.init).joined(separator: ", ")) (\(mode.rawValue))") { try shapes(mode) }
        }
        check("a fixed seed gives identical output") { try determinism() }
        check("declared length support is honoured") { try lengthSupport() }
        check("beats none on a short order task (shift, \(probeSteps) steps)") { try probe() }
        return checks
    }

    func parametersAreTrained() throws -> (Bool, String) {
        let m = try model(.bidirectional)
        let own = m.encoding.parameters
        guard !own.isEmpty else { return (true, "no trainable parameters (a fixed encoding)") }
        let ids = Set(m.parameters.map(ObjectIdentifier.init))
        guard own.allSatisfy({ ids.contains(ObjectIdentifier($0)) && $0.requiresGrad }) else {
            return (false, "some parameters are not trainable or not in the model's parameter list")
        }
        let before = own.map(\.values)
        let optimizer = Adam(parameters: m.parameters, learningRate: 1e-2)
        let batch = try TaskRegistry.shared.make(Spec(name: "shift")).batch(size: 8, length: 12, rng: RandomGenerator(seed: 3))
        try m.loss(ids: batch.inputs, targets: batch.targets, mask: batch.mask, batch: 8, length: 12, training: true).backward()
        optimizer.step()
        let unchanged = zip(own, before).filter { $0.0.values == $0.1 }.map { $0.0.label.isEmpty ? "unnamed" : $0.0.label }
        return unchanged.isEmpty ? (true, "\(own.count) tensor(s), \(own.reduce(0) { $0 + $1.count }) values, all updated")
            : (false, "no gradient reached: \(unchanged.joined(separator: ", "))")
    }

    func gradients(_ mode: AttentionMode) throws -> (Bool, String) {
        let m = try model(mode)
        let rng = RandomGenerator(seed: 4)
        let (b, t) = (2, 10)
        let ids = (0..<(b * t)).map { _ in rng.int(below: 8) }, targets = (0..<(b * t)).map { _ in rng.int(below: 8) }
        let positions = m.encoding.positions(length: t, training: true)  // fixed for every evaluation
        let checked = m.encoding.parameters + [m.tokenEmbedding, m.blocks[0].wqkv, m.headWeight]
        let result = checkGradients(of: checked) {
            try! m.loss(ids: ids, targets: targets, mask: nil, batch: b, length: t, positions: positions)
        }
        return (result.passed, result.description)
    }

    func shapes(_ mode: AttentionMode) throws -> (Bool, String) {
        let m = try model(mode)
        let c = m.config
        for t in Self.lengths {
            let positions = Array(0..<t)
            let x = Tensor(zeros: [2, t, c.dModel])
            let e = m.encoding.embed(x, positions: positions)
            guard e.shape == [2, t, c.dModel] else { return (false, "embed at length \(t) gave \(e.shape), expected \([2, t, c.dModel])") }
            let q = Tensor(zeros: [2, c.heads, t, c.headDim])
            let (q2, k2) = m.encoding.transformQueriesKeys(q, q, positions: positions, layer: 0)
            guard q2.shape == q.shape, k2.shape == q.shape else {
                return (false, "transformQueriesKeys at length \(t) gave \(q2.shape), \(k2.shape); expected \(q.shape)")
            }
            if let bias = m.encoding.attentionBias(positions: positions, layer: 0),
               bias.shape != [c.heads, t, t] && bias.shape != [t, t] {
                return (false, "attentionBias at length \(t) gave \(bias.shape), expected \([c.heads, t, t]) or \([t, t])")
            }
            let logits = try m.logits(ids: Array(repeating: 1, count: 2 * t), batch: 2, length: t)
            guard logits.shape == [2, t, c.vocabSize], logits.values.allSatisfy(\.isFinite) else {
                return (false, "logits at length \(t): shape \(logits.shape), finite: \(logits.values.allSatisfy(\.isFinite))")
            }
        }
        return (true, "embed (B, T, C), queries/keys (B, H, T, D), bias (H, T, T), logits (B, T, V)")
    }

    func determinism() throws -> (Bool, String) {
        let ids = (0..<24).map { $0 % 8 }
        let a = try model(.causal, seed: 9), b = try model(.causal, seed: 9)
        let la = try a.logits(ids: ids, batch: 2, length: 12, training: true).values
        let lb = try b.logits(ids: ids, batch: 2, length: 12, training: true).values
        guard la.map(\.bitPattern) == lb.map(\.bitPattern) else { return (false, "two models with seed 9 gave different logits") }
        guard a.encoding.parameters.map(\.values) == b.encoding.parameters.map(\.values) else {
            return (false, "initial parameters differ for the same seed: draw them from context.rng(for:)")
        }
        return (true, "bit-identical logits and initial parameters")
    }

    func lengthSupport() throws -> (Bool, String) {
        let m = try model(.bidirectional)
        if let limit = m.encoding.maximumLength {
            _ = try m.logits(ids: Array(repeating: 1, count: limit), batch: 1, length: limit)
            do {
                _ = try m.logits(ids: Array(repeating: 1, count: limit + 1), batch: 1, length: limit + 1)
                return (false, "declares at most \(limit) positions but ran at \(limit + 1)")
            } catch is LengthUnsupported {
                return (true, "represents up to \(limit) positions and refuses \(limit + 1) cleanly")
            }
        }
        let long = 4 * m.config.maxLength
        let logits = try m.logits(ids: Array(repeating: 1, count: long), batch: 1, length: long)
        guard logits.values.allSatisfy(\.isFinite) else { return (false, "non-finite output at length \(long)") }
        return (true, "any length: ran at \(long) (4× the training length)")
    }

    func probe() throws -> (Bool, String) {
        if spec.name == NoEncoding.registryName { return (true, "this is the control itself") }
        let yaml = """
            tasks: [shift]
            encodings: [none]
            seeds: [1]
            model: {d_model: 32, layers: 2, heads: 4}
            training: {steps: \(probeSteps), batch_size: 32, length: 8, learning_rate: 0.003}
            evaluation: {lengths: [8], size: 256, seed: 5}
            """
        let suite = try Suite.parse(yaml: yaml, file: "probe", defaultName: "probe", encodings: registry)
        let trainer = Trainer(suite: suite, encodings: registry)
        let none = try trainer.run(RunPlan(index: 0, task: suite.tasks[0], encoding: "none", seed: 1, point: suite.points[0]))
        let ours = try trainer.run(RunPlan(index: 1, task: suite.tasks[0], encoding: spec.description, seed: 1, point: suite.points[0]))
        guard let a = ours.evaluations[0].tokenAccuracy, let b = none.evaluations[0].tokenAccuracy else {
            return (false, "no accuracy (status \(ours.status.rawValue))")
        }
        let detail = String(format: "token accuracy %.3f vs none %.3f", a, b)
        return (a > b + 0.1, detail)
    }
}
