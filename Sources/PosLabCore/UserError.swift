/// An error in what the user gave PosLab — a suite file, an option, a results folder, a plugin, a
/// checkpoint — as opposed to a defect of PosLab's. The command line prints its `description` as
/// one line, `error: <description>`, naming the file, the key and the fix, and exits with `exitCode`
/// (2: bad input, refused before anything is written).
///
/// Every such error type of PosLab's conforms; the CLI catches this protocol instead of a list of types.
public protocol UserError: Error, CustomStringConvertible {
    /// The process's exit status for this error: 2 unless a type says otherwise.
    var exitCode: Int32 { get }
}

extension UserError {
    public var exitCode: Int32 { 2 }
}
