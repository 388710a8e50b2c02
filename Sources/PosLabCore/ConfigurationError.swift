/// A configuration that cannot be run, named by the field at fault and the rule it breaks.
///
/// Thrown (never trapped) for invalid model configs, unknown encodings and bad encoding arguments,
/// so a front end can report it and exit with status 2.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The field at fault, as a key path (e.g. `model.d_model`, `encodings[1].buckets`).
    public var field: String
    /// The rule broken and, where possible, how to fix it.
    public var rule: String

    public init(field: String, rule: String) {
        self.field = field
        self.rule = rule
    }

    public var description: String { "\(field): \(rule)" }
}
