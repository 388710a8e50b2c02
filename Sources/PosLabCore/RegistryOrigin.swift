/// Where an entry of an encoding or task registry came from.
///
/// The origin decides whether a run depends on a file: a plugin's library is hashed into the
/// identity of every run of its encodings, a built-in's is not. It is a value to switch on, not a
/// string to test with `fileExists` (a program that registered an encoding with the origin
/// "README" while a file called README sat in the working folder made that file part of its runs'
/// identity).
public enum RegistryOrigin: Sendable, Hashable, CustomStringConvertible {
    /// Shipped with PosLab.
    case builtIn
    /// Registered by the plugin library at `path`, as it was given to the loader.
    case plugin(path: String)
    /// Registered in code by a program embedding PosLab (or a test); the text says which.
    case program(String)

    /// `built-in`, the plugin's path, or the program's text: what `poslab list` and errors show.
    public var description: String {
        switch self {
        case .builtIn: "built-in"
        case .plugin(let path): path
        case .program(let text): text
        }
    }

    /// The plugin library's path, for an entry a plugin registered; nil otherwise.
    public var pluginPath: String? {
        if case .plugin(let path) = self { path } else { nil }
    }
}
