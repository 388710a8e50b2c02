import PosLabCore

/// A checkpoint (or any safetensors file) that cannot be read or written: the file and, in one
/// line, what is wrong with it. Thrown, never trapped, so a front end can print it and exit 2.
public struct CheckpointError: UserError, Equatable {
    /// The file, as the caller named it.
    public var file: String
    /// What is wrong, e.g. `truncated: the header describes 6,144 data bytes, the file holds 4,000`.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
