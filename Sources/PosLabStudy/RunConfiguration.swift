import Foundation
import PosLabSupport

/// Everything that can change a trained model, fully resolved: a run's identity.
///
/// Two runs with the same configuration are the same run (`id`, a hash of it); anything else is
/// a different run. Evaluation settings are not part of it: evaluations are rows attached to a run.
public struct RunConfiguration: Codable, Sendable, Hashable {
    /// Bumped whenever a code change makes the same configuration train to different numbers, so
    /// runs of older builds are never mixed with new ones (they become other runs).
    public static let numericsVersion = 1

    /// The task with every argument, e.g. `shift(k=1;symbols=8)`.
    public var task: String
    /// The encoding with every argument, e.g. `learned(size=8)`.
    public var encoding: String
    public var seed: UInt64
    public var model: Suite.Model
    public var training: Suite.Training
    /// SHA-256 of each plugin library the encoding comes from (empty for built-ins).
    public var plugins: [String]
    public var numerics: Int

    public init(task: String, encoding: String, seed: UInt64, model: Suite.Model, training: Suite.Training, plugins: [String]) {
        self.task = task
        self.encoding = encoding
        self.seed = seed
        self.model = model
        self.training = training
        self.plugins = plugins
        numerics = Self.numericsVersion
    }

    /// The configuration as canonical JSON (sorted keys, no whitespace).
    public var canonicalJSON: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)  // only strings, integers and finite numbers
    }

    /// The run's identity: the first 20 hex digits of the SHA-256 of `canonicalJSON`.
    public var id: String { String(SHA256.hex(canonicalJSON).prefix(20)) }
}
