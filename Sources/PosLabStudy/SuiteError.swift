import PosLabCore

/// A suite file that cannot be run: which file, where in it, and what rule it breaks.
///
/// The CLI prints it and exits with status 2, having written nothing.
public struct SuiteError: UserError, Equatable {
    /// The suite file.
    public var file: String
    /// The key path at fault, e.g. `training.steps` or `encodings[2]` (empty for the whole file).
    public var keyPath: String
    /// The line in the file, when known.
    public var line: Int?
    /// The rule broken, and how to fix it.
    public var rule: String

    public init(file: String, keyPath: String, line: Int? = nil, rule: String) {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.rule = rule
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(place): \(rule)" : "\(place): \(keyPath): \(rule)"
    }
}
