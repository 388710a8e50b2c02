import Foundation

extension Transformer {
    /// The model as a checkpoint: its tensors (see `CheckpointSlot`) and metadata (see `Checkpoint`),
    /// with the caller's `configuration` text and extra `metadata` keys (not `format` nor `poslab.*`).
    public func checkpointContents(configuration: String = "", metadata: [String: String] = [:]) throws -> SafetensorsFile {
        if let reserved = metadata.keys.sorted().first(where: Checkpoint.isReserved) {
            throw ConfigurationError(field: "checkpoint metadata.\(reserved)", rule: "'format' and keys starting 'poslab.' are PosLab's own")
        }
        typealias K = Checkpoint.Key
        var all = metadata
        all[K.format] = "pt"
        all[K.version] = Checkpoint.formatVersion
        all[K.vocabSize] = String(config.vocabSize)
        all[K.dModel] = String(config.dModel)
        all[K.layers] = String(config.layers)
        all[K.heads] = String(config.heads)
        all[K.maxLength] = String(config.maxLength)
        all[K.attention] = config.attention.rawValue
        all[K.encoding] = encoding.fullName
        all[K.seed] = String(seed)
        all[K.linearLayout] = Self.checkpointLinearLayout
        all[K.configuration] = configuration
        let tensors = checkpointSlots.map { slot in
            SafetensorsFile.Entry(name: slot.name, shape: slot.shape,
                                  values: slot.transposed ? transpose(slot.tensor.values, rows: slot.tensor.shape[0]) : slot.tensor.values)
        }
        return SafetensorsFile(tensors: tensors, metadata: all)
    }

    /// Saves the model's weights and what rebuilds it to `url` (atomically), e.g.
    /// `try model.saveCheckpoint(to: url, configuration: resolvedRunText, metadata: ["run_id": id])`.
    public func saveCheckpoint(to url: URL, configuration: String = "", metadata: [String: String] = [:]) throws {
        try checkpointContents(configuration: configuration, metadata: metadata).write(to: url)
    }

    /// The model a checkpoint describes, with its weights: its logits are those of the saved model, bit for bit.
    public convenience init(checkpoint: Checkpoint, registry: EncodingRegistry = .shared) throws {
        let spec: Spec
        do {
            spec = try Spec(parsing: checkpoint.encoding)
            try self.init(config: checkpoint.config, encoding: spec, seed: checkpoint.seed, registry: registry)
        } catch let error as ConfigurationError {
            throw CheckpointError(file: checkpoint.file, problem: "cannot rebuild encoding '\(checkpoint.encoding)': \(error)")
        }
        try loadWeights(from: checkpoint)
    }

    /// Reads the checkpoint at `url` and rebuilds its model (see `init(checkpoint:registry:)`).
    public convenience init(checkpoint url: URL, registry: EncodingRegistry = .shared) throws {
        try self.init(checkpoint: Checkpoint(contentsOf: url), registry: registry)
    }

    /// Overwrites this model's weights with a checkpoint's. The checkpoint must be of a model with
    /// the same config and encoding, holding exactly this model's tensors with their shapes.
    public func loadWeights(from checkpoint: Checkpoint) throws {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: checkpoint.file, problem: problem) }
        guard checkpoint.config == config, checkpoint.encoding == encoding.fullName else {
            throw fail("holds a model with \(checkpoint.encoding) and \(checkpoint.config), not \(encoding.fullName) and \(config)")
        }
        let slots = checkpointSlots
        let given = Dictionary(checkpoint.contents.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if let extra = checkpoint.contents.tensors.first(where: { name in !slots.contains { $0.name == name.name } }) {
            throw fail("holds tensor '\(extra.name)', which this model does not have")
        }
        for slot in slots {
            guard let entry = given[slot.name] else { throw fail("lacks tensor '\(slot.name)'") }
            guard entry.shape == slot.shape else {
                throw fail("tensor '\(slot.name)' has shape \(entry.shape), the model needs \(slot.shape)")
            }
        }
        for slot in slots {
            let values = given[slot.name]!.values
            slot.tensor.assign(slot.transposed ? transpose(values, rows: slot.shape[0]) : values)
        }
    }
}

/// The transpose of a row-major matrix with `rows` rows.
private func transpose(_ values: [Float], rows: Int) -> [Float] {
    let columns = rows == 0 ? 0 : values.count / rows
    return [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
        for i in 0..<rows {
            for j in 0..<columns { out[j * rows + i] = values[i * columns + j] }
        }
        initialized = values.count
    }
}
