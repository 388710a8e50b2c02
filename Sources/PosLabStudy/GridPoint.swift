/// One point of a suite's grid: the model and training settings its runs share, and the swept
/// settings that tell it from the other points (suite key → value as written, e.g.
/// `training.learning_rate` → `0.001`).
public struct GridPoint: Codable, Sendable, Hashable {
    public var model: Suite.Model
    public var training: Suite.Training
    public var swept: [String: String]

    public init(model: Suite.Model, training: Suite.Training, swept: [String: String]) {
        self.model = model
        self.training = training
        self.swept = swept
    }

    /// `key=value;…` of the swept settings, keys sorted (empty when nothing is swept).
    public var label: String { swept.keys.sorted().map { "\($0)=\(swept[$0]!)" }.joined(separator: ";") }
}
