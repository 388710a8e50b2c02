import Foundation

/// A PosLab checkpoint: a safetensors file with a model's tensors (names and layout in
/// `CheckpointSlot`) whose metadata says how to rebuild the model.
///
/// Metadata keys (all values are strings, as safetensors requires):
///
///     format                 pt (what Hugging Face tools expect of PyTorch weights)
///     poslab.format          1, this layout's version
///     poslab.vocab_size, poslab.d_model, poslab.layers, poslab.heads, poslab.max_length, poslab.attention
///     poslab.encoding        the encoding with its resolved arguments, e.g. relative-bias(buckets=32;max_distance=128)
///     poslab.seed            the seed the model was initialised from
///     poslab.linear_layout   out_in: linear weights are (out, in), y = x·Wᵀ + b, as in torch.nn.Linear
///     poslab.configuration   free text from the caller (the run's resolved configuration)
///
/// plus any keys of the caller's own (not `format`, not starting with `poslab.`).
public struct Checkpoint {
    /// The metadata keys PosLab writes.
    public enum Key {
        public static let format = "format", version = "poslab.format", vocabSize = "poslab.vocab_size",
                          dModel = "poslab.d_model", layers = "poslab.layers", heads = "poslab.heads",
                          maxLength = "poslab.max_length", attention = "poslab.attention", encoding = "poslab.encoding",
                          seed = "poslab.seed", linearLayout = "poslab.linear_layout", configuration = "poslab.configuration"
    }
    /// The version of this layout written in `poslab.format`.
    public static let formatVersion = "1"

    /// The file it was read from (for messages).
    public let file: String
    /// The tensors and the raw metadata.
    public let contents: SafetensorsFile
    /// The model's shape.
    public let config: ModelConfig
    /// The encoding with its resolved arguments, as `Spec(parsing:)` reads it.
    public let encoding: String
    /// The seed the model was initialised from.
    public let seed: UInt64
    /// The caller's configuration text (empty if none was given).
    public let configuration: String
    /// The caller's other metadata.
    public let extraMetadata: [String: String]

    /// Reads and checks a checkpoint; problems throw a `CheckpointError` naming the file.
    public init(contentsOf url: URL) throws {
        try self.init(contents: SafetensorsFile(contentsOf: url), file: url.path)
    }

    /// Checks the metadata of safetensors contents read from `file`.
    public init(contents: SafetensorsFile, file: String) throws {
        let metadata = contents.metadata
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem: problem) }
        func string(_ key: String) throws -> String {
            guard let value = metadata[key] else { throw fail("metadata lacks '\(key)': not a PosLab checkpoint") }
            return value
        }
        func int(_ key: String) throws -> Int {
            guard let value = Int(try string(key)), value >= 0 else { throw fail("metadata '\(key)' is '\(metadata[key]!)', not a count") }
            return value
        }
        let version = try string(Key.version)
        guard version == Self.formatVersion else {
            throw fail("PosLab checkpoint format \(version); this PosLab reads format \(Self.formatVersion)")
        }
        guard try string(Key.linearLayout) == Transformer.checkpointLinearLayout else {
            throw fail("metadata '\(Key.linearLayout)' is '\(metadata[Key.linearLayout]!)'; PosLab writes and reads \(Transformer.checkpointLinearLayout)")
        }
        guard let attention = AttentionMode(rawValue: try string(Key.attention)) else {
            throw fail("metadata '\(Key.attention)' is '\(metadata[Key.attention]!)', not bidirectional or causal")
        }
        config = ModelConfig(vocabSize: try int(Key.vocabSize), dModel: try int(Key.dModel), layers: try int(Key.layers),
                             heads: try int(Key.heads), maxLength: try int(Key.maxLength), attention: attention)
        do { try config.validate() } catch { throw fail("metadata describes an impossible model: \(error)") }
        encoding = try string(Key.encoding)
        guard let seed = UInt64(try string(Key.seed)) else { throw fail("metadata '\(Key.seed)' is '\(metadata[Key.seed]!)', not a seed") }
        self.seed = seed
        configuration = metadata[Key.configuration] ?? ""
        extraMetadata = metadata.filter { !Self.isReserved($0.key) }
        self.file = file
        self.contents = contents
    }

    /// Whether PosLab owns a metadata key.
    public static func isReserved(_ key: String) -> Bool { key == Key.format || key.hasPrefix("poslab.") }
}
