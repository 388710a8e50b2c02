/// A configuration that cannot be run, named by the field at fault and the rule it breaks.
///
/// Thrown (never trapped) for invalid model configs, unknown encodings and bad encoding arguments,
/// so a front end can report it and exit with status 2.
public struct ConfigurationError: UserError, Equatable {
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

extension ConfigurationError {
    /// What the encoding and the task registries both throw when `name` is registered a second time:
    /// the first registration stays, and the error names where each came from (`built-in`, a
    /// plugin's path, a test).
    public static func registeredTwice(_ name: String, kind: String, first: String, second: String) -> ConfigurationError {
        ConfigurationError(field: name, rule: "a\("aeiou".contains(kind.prefix(1)) ? "n" : "") \(kind) of this name is already "
                           + "registered by \(first) and again by \(second); rename one of them")
    }
}
