/// A text file that cannot be used: its path and what is wrong, on one line.
public struct TextFileError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { problem.hasPrefix("is ") || problem.hasPrefix("has ") ? "\(path) \(problem)" : "\(path): \(problem)" }
}
