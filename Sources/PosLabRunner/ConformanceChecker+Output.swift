import PosLabModel

extension ConformanceChecker {
    /// Whether the encoding of `spec` changes a model's output at all against `none`: the check
    /// `check-plugin` runs as "changes the model's output against none", and `poslab run` before a
    /// plugin encoding trains (`PluginWorker.refuseInertEncodings`).
    ///
    /// Two models with `seed`, one with the encoding and one with `none`, share every other weight
    /// (each encoding draws its own from a stream of its own; see `EncodingContext.rng(for:)`), so
    /// their logits on one batch are bit-identical exactly when the encoding's hooks leave the model
    /// alone. It changes the output when the logits differ, in evaluation or training mode, or when
    /// they are equal but the loss sends a gradient to one of its parameters (a bias that starts at
    /// zero and is learned). `(false, why)` otherwise: no hook of the protocol is implemented, or
    /// every one returns its input — a plugin whose methods match no hook. An encoding that declares
    /// `isPositionless` passes without the comparison.
    public static func changesOutput(_ spec: Spec, config: ModelConfig, seed: UInt64,
                                     registry: EncodingRegistry = .shared) throws -> (Bool, String) {
        let ours = try Transformer(config: config, encoding: spec, seed: seed, registry: registry)
        if ours.encoding.isPositionless { return (true, "declares itself positionless (isPositionless): not compared with none") }
        let none = try Transformer(config: config, encoding: Spec(name: NoEncoding.registryName), seed: seed, registry: registry)
        let (b, t) = (2, max(1, min(config.maxLength, ours.encoding.maximumLength ?? config.maxLength, 8)))
        let rng = RandomGenerator(seed: seed, stream: "conformance/changes-output")
        let ids = (0..<(b * t)).map { _ in rng.int(below: config.vocabSize) }
        for training in [false, true] {
            let a = try ours.logits(ids: ids, batch: b, length: t, training: training).values.map(\.bitPattern)
            let n = try none.logits(ids: ids, batch: b, length: t, training: training).values.map(\.bitPattern)
            if a != n { return (true, "its logits differ from none's (\(training ? "training" : "evaluation") mode, length \(t))") }
        }
        let own = ours.encoding.parameters
        if !own.isEmpty {
            let targets = (0..<(b * t)).map { _ in rng.int(below: config.vocabSize) }
            try ours.loss(ids: ids, targets: targets, mask: nil, batch: b, length: t, training: true).backward()
            let learns = own.contains { $0.gradValues.contains { $0 != 0 } }
            for p in ours.parameters { p.clearGrad() }
            if learns { return (true, "its logits equal none's at the start, and the loss reaches its parameters") }
        }
        return (false, "every logit bit for bit as none's at length \(t), in evaluation and training mode"
                + (own.isEmpty ? ", and it has no parameters" : ", and no gradient reaches its \(own.count) parameter tensor(s)"))
    }
}
