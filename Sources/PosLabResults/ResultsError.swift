import PosLabCore

/// A results folder that cannot be used as asked (not PosLab's, held by another process, a
/// derived file that cannot be read): the CLI prints it and exits with status 2.
public struct ResultsError: UserError, Sendable {
    public var description: String
    public init(_ message: String) { description = message }
}
