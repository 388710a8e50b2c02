import Foundation
import PosLabModel
import PosLabStudy
import PosLabTasks

/// The checks every encoding — built-in or plugin — must pass (`poslab check-plugin`).
///
/// Shapes and finite values come first, each hook called directly, so a wrong shape is reported
/// as the hook's, with the shape expected, before anything else uses its output. An attention mode
/// the encoding does not declare (`attentionModes`) is `unsupported`, not a failure.
public struct ConformanceChecker {
    /// One check's outcome.
    public struct Check: Sendable {
        /// Passed, failed, or not applicable because the encoding does not support the attention mode.
        public enum Status: String, Sendable { case passed = "PASS", failed = "FAIL", unsupported = "UNSUPPORTED" }
        public var name: String
        public var status: Status
        public var detail: String
        /// Whether the check passed (an unsupported one did not, nor did it fail).
        public var passed: Bool { status == .passed }
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

    func config(_ mode: AttentionMode, maxLength: Int = 12) -> ModelConfig { Self.modelConfig(mode, maxLength: maxLength) }

    /// The model every check builds the encoding for (`check-plugin --encoding` validates its arguments against it).
    public static func modelConfig(_ mode: AttentionMode, maxLength: Int = 12) -> ModelConfig {
        ModelConfig(vocabSize: 8, dModel: 16, layers: 2, heads: 4, maxLength: maxLength, attention: mode)
    }

    func model(_ mode: AttentionMode, seed: UInt64 = 1) throws -> Transformer {
        try Transformer(config: config(mode), encoding: spec, seed: seed, registry: registry)
    }

    /// The attention modes the encoding declares (all of them if it cannot be built at all: the
    /// first check then fails with the reason).
    func supportedModes() -> [AttentionMode] {
        guard let encoding = try? registry.make(spec, context: EncodingContext(config: config(.bidirectional), seed: 1)) else {
            return AttentionMode.allCases
        }
        return AttentionMode.allCases.filter(encoding.attentionModes.contains)
    }

    /// Runs every check, in order; a check that throws fails with the error as its detail.
    /// `begin(name)` is called as each check starts and `finished(check)` as it ends, so a caller can
    /// report progress that survives a crash inside the encoding.
    public func run(begin: (String) -> Void = { _ in }, finished: (Check) -> Void = { _ in }) -> [Check] {
        var checks: [Check] = []
        let supported = supportedModes()
        func record(_ c: Check) {
            checks.append(c)
            finished(c)
        }
        func check(_ name: String, mode: AttentionMode? = nil, _ body: () throws -> (Bool, String)) {
            if let mode, !supported.contains(mode) {
                return record(Check(name: name, status: .unsupported,
                                    detail: "declares attention modes: \(supported.map(\.rawValue).joined(separator: ", "))"))
            }
            begin(name)
            do {
                let (ok, detail) = try body()
                record(Check(name: name, status: ok ? .passed : .failed, detail: detail))
            } catch {
                record(Check(name: name, status: .failed, detail: "\(error)"))
            }
        }
        check("builds in every attention mode it declares") {
            let names = try supported.map { try model($0).encoding.fullName }
            let unsupported = AttentionMode.allCases.filter { !supported.contains($0) }.map(\.rawValue)
            return (true, names[0] + (unsupported.isEmpty ? "" : "; declares no support for \(unsupported.joined(separator: ", "))"))
        }
        if checks[0].status == .failed { return checks }  // nothing else can run without a model
        for mode in AttentionMode.allCases {
            check("hook output shapes and finite values at lengths \(Self.lengths.map(String.init).joined(separator: ", ")) (\(mode.rawValue))",
                  mode: mode) { try shapes(mode) }
        }
        check("changes the model's output against none") { try Self.changesOutput(spec, config: config(supported[0]), seed: 1, registry: registry) }
        check("the optimizer sees and updates its parameters") { try parametersAreTrained(supported[0]) }
        for mode in AttentionMode.allCases {
            check("finite-difference gradients (\(mode.rawValue))", mode: mode) { try gradients(mode) }
        }
        check("a fixed seed gives identical output") { try determinism(supported.last!) }
        check("declared length support is honoured") { try lengthSupport(supported[0]) }
        check("beats none on a short order task (shift, \(probeSteps) steps, \(supported[0].rawValue))") { try probe(supported[0]) }
        return checks
    }

    func parametersAreTrained(_ mode: AttentionMode) throws -> (Bool, String) {
        let m = try model(mode)
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
        _ = try m.loss(ids: ids, targets: targets, mask: nil, batch: b, length: t, positions: positions)  // throws a HookError here
        let checked = m.encoding.parameters + [m.tokenEmbedding, m.blocks[0].wqkv, m.headWeight]
        let result = checkGradients(of: checked) {
            try! m.loss(ids: ids, targets: targets, mask: nil, batch: b, length: t, positions: positions)
        }
        return (result.passed, result.description)
    }

    /// Each hook called directly at several lengths: its output's shape, then its values.
    func shapes(_ mode: AttentionMode) throws -> (Bool, String) {
        try Self.hookOutputs(of: model(mode), lengths: Self.lengths)
    }

    /// Each hook of `m`'s encoding called directly at each of `lengths` on a batch of 2: the first
    /// wrong shape or non-finite value, named with its hook; `(true, …)` when there is none.
    public static func hookOutputs(of m: Transformer, lengths: [Int]) throws -> (Bool, String) {
        let c = m.config, e = m.encoding, b = 2, mode = c.attention
        let rng = RandomGenerator(seed: 6)
        func gaussian(_ shape: [Int]) -> Tensor { .constant((0..<shape.reduce(1, *)).map { _ in Float(rng.gaussian()) }, shape: shape) }
        for t in lengths {
            let at = "at length \(t) (\(mode.rawValue))"
            func problem(_ hook: String, _ y: Tensor, _ allowed: [[Int]]) -> String? {
                guard allowed.contains(y.shape) else {
                    return "\(hook) \(at) returned shape \(y.shape); expected \(allowed.map { "\($0)" }.joined(separator: " or "))"
                }
                guard let i = y.values.firstIndex(where: { !$0.isFinite }) else { return nil }
                return "\(hook) \(at): element \(i) of \(y.count) is \(y.values[i]); hooks must return finite values"
            }
            var context = HookContext(layer: 0, attention: mode, positions: Positions(shared: e.positions(length: t, training: false)),
                                      batch: b, heads: c.heads, headDim: c.headDim, training: false)
            let x = gaussian([b, t, c.dModel])
            if let p = problem("embed", e.embed(x, context: context), [[b, t, c.dModel]]) { return (false, p) }
            for layer in 0..<c.layers {
                context.layer = layer
                if let p = problem("embedLayer (layer \(layer))", e.embedLayer(x, context: context), [[b, t, c.dModel]]) { return (false, p) }
                let (q, k) = (gaussian([b, c.heads, t, c.headDim]), gaussian([b, c.heads, t, c.headDim]))
                let (q2, k2) = e.transformQueriesKeys(q, k, context: context)
                if let p = problem("transformQueriesKeys (queries)", q2, [q.shape]) ?? problem("transformQueriesKeys (keys)", k2, [k.shape]) {
                    return (false, p)
                }
                if let bias = e.attentionBias(context: context),
                   let p = problem("attentionBias", bias, [[t, t], [c.heads, t, t], [1, c.heads, t, t], [b, c.heads, t, t]]) {
                    return (false, p)
                }
                if let scores = e.attentionScores(q2, k2, context: context), let p = problem("attentionScores", scores, [[b, c.heads, t, t]]) {
                    return (false, p)
                }
            }
            let logits = try m.logits(ids: Array(repeating: 1, count: b * t), batch: b, length: t)
            if let p = problem("the model's logits", logits, [[b, t, c.vocabSize]]) { return (false, p) }
        }
        return (true, "embed (B, T, C), queries/keys (B, H, T, D), bias (H, T, T), scores (B, H, T, T), logits (B, T, V); all finite")
    }

    func determinism(_ mode: AttentionMode) throws -> (Bool, String) {
        let ids = (0..<24).map { $0 % 8 }
        let a = try model(mode, seed: 9), b = try model(mode, seed: 9)
        let la = try a.logits(ids: ids, batch: 2, length: 12, training: true).values
        let lb = try b.logits(ids: ids, batch: 2, length: 12, training: true).values
        guard la.map(\.bitPattern) == lb.map(\.bitPattern) else { return (false, "two models with seed 9 gave different logits") }
        guard a.encoding.parameters.map(\.values) == b.encoding.parameters.map(\.values) else {
            return (false, "initial parameters differ for the same seed: draw them from context.rng(for:)")
        }
        return (true, "bit-identical logits and initial parameters")
    }

    func lengthSupport(_ mode: AttentionMode) throws -> (Bool, String) {
        let m = try model(mode)
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

    func probe(_ mode: AttentionMode) throws -> (Bool, String) {
        if spec.name == NoEncoding.registryName { return (true, "this is the control itself") }
        if try model(mode).encoding.isPositionless { return (true, "declares itself positionless (isPositionless): not expected to beat none") }
        let yaml = """
            tasks: [shift]
            encodings: [none]
            seeds: [1]
            model: {d_model: 32, layers: 2, heads: 4, attention: \(mode.rawValue)}
            training: {steps: \(probeSteps), batch_size: 32, length: 8, learning_rate: 0.003}
            evaluation: {lengths: [8], size: 256, seed: 5}
            """
        let suite = try Suite.parse(yaml: yaml, file: "probe", defaultName: "probe", encodings: registry)
        let trainer = Trainer(suite: suite, encodings: registry)
        let none = try trainer.run(RunPlan(index: 0, task: suite.tasks[0], encoding: Spec(name: "none"), seed: 1, point: suite.points[0]))
        let ours = try trainer.run(RunPlan(index: 1, task: suite.tasks[0], encoding: spec, seed: 1, point: suite.points[0]))
        guard let a = ours.evaluations[0].tokenAccuracy, let b = none.evaluations[0].tokenAccuracy else {
            return (false, "no accuracy (status \(ours.status.rawValue))")
        }
        let detail = String(format: "token accuracy %.3f vs none %.3f", a, b)
        // Bidirectional `none` cannot tell order at all; causal `none` learns positions from the mask
        // (Haviv et al. 2022) and does well, so there the encoding must at least halve its errors.
        return mode == .bidirectional ? (a > b + 0.1, detail) : (a > b && 1 - a <= (1 - b) / 2, detail + " (causal: at most half none's errors)")
    }
}
