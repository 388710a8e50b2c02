#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Out-of-tree encodings: a plugin is a dynamic library that exports one C function,
/// `poslab_register_encodings`, which registers its encodings with the host's registry.
///
/// In the plugin (see `Examples/FirePlugin`):
///
///     @_cdecl("poslab_register_encodings")
///     public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
///         PluginRegistrar.register(host, hostVersion) { try $0.register(FireEncoding.self) }
///     }
///
/// The host passes its registrar and its plugin ABI version; a plugin built against another
/// version refuses to register (status 1), so a stale plugin is reported instead of crashing.
public enum PluginABI {
    /// Derived from the build: a hash of the plugin-facing sources (`PositionalEncoding`, its
    /// context, the registrar, `Tensor`; see `interfaceFiles`), so any change to them refuses
    /// plugins built before it. Nobody types it.
    public static let version: Int32 = interfaceHash
    /// The C symbol every plugin exports.
    public static let entryPoint = "poslab_register_encodings"
    /// Return codes of the entry point.
    public static let ok: Int32 = 0, versionMismatch: Int32 = 1, registrationFailed: Int32 = 2
}

/// What a plugin registers through: the host's registry, and what happened.
public final class PluginRegistrar {
    let registry: EncodingRegistry
    let origin: String
    /// The names registered so far.
    public private(set) var names: [String] = []
    /// The first registration error.
    var failure: String?
    /// The plugin's ABI version when it refused to register.
    var pluginVersion: Int32?

    init(registry: EncodingRegistry, origin: String) {
        self.registry = registry
        self.origin = origin
    }

    /// Registers an encoding type under its `registryName`.
    public func register<E: RegisteredEncoding>(_ type: E.Type) throws {
        try registry.register(type, origin: origin)
        names.append(E.registryName)
    }

    /// The body of a plugin's entry point: checks the ABI version, then runs `body` with the
    /// host's registrar, and turns the outcome into the status code the host expects.
    public static func register(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32,
                                _ body: (PluginRegistrar) throws -> Void) -> Int32 {
        let registrar = Unmanaged<PluginRegistrar>.fromOpaque(host).takeUnretainedValue()
        guard hostVersion == PluginABI.version else {
            registrar.pluginVersion = PluginABI.version
            return PluginABI.versionMismatch
        }
        do {
            try body(registrar)
            return PluginABI.ok
        } catch {
            registrar.failure = "\(error)"
            return PluginABI.registrationFailed
        }
    }
}

/// A plugin that could not be loaded, and why.
public struct PluginError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "plugin \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Loads plugins into a registry.
public enum PluginLoader {
    /// Loads the dynamic library at `path` and registers its encodings; returns their names.
    /// Loading the same file twice into one registry does nothing the second time.
    @discardableResult
    /// `hostVersion` is for tests (nil: `PluginABI.version`, read here rather than in a caller, where a
    /// cross-module-optimised build could keep a stale copy of the derived value).
    public static func load(_ path: String, into registry: EncodingRegistry = .shared, hostVersion: Int32? = nil) throws -> [String] {
        let hostVersion = hostVersion ?? PluginABI.version
        guard let resolved = realpath(path, nil) else {
            throw PluginError(path: path, reason: "no such file")
        }
        let canonical = String(cString: resolved)
        free(resolved)
        guard registry.markPluginLoaded(canonical) else {
            return registry.all.filter { $0.origin == path || $0.origin == canonical }.map(\.name)
        }
        guard let handle = dlopen(canonical, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginError(path: path, reason: "cannot be loaded: \(reason)")
        }
        guard let symbol = dlsym(handle, PluginABI.entryPoint) else {
            throw PluginError(path: path, reason: "missing entry point \(PluginABI.entryPoint) — export it with @_cdecl(\"\(PluginABI.entryPoint)\") (see Examples/FirePlugin)")
        }
        typealias Entry = @convention(c) (UnsafeMutableRawPointer, Int32) -> Int32
        let entry = unsafeBitCast(symbol, to: Entry.self)
        let registrar = PluginRegistrar(registry: registry, origin: path)
        let status = withExtendedLifetime(registrar) {
            entry(Unmanaged.passUnretained(registrar).toOpaque(), hostVersion)
        }
        switch status {
        case PluginABI.ok:
            guard !registrar.names.isEmpty else { throw PluginError(path: path, reason: "registered no encoding") }
            return registrar.names
        case PluginABI.versionMismatch:
            throw PluginError(path: path, reason: "built for plugin ABI version \(registrar.pluginVersion.map(String.init) ?? "?"), but this poslab has version \(hostVersion); rebuild the plugin against this PosLab")
        default:
            throw PluginError(path: path, reason: "registration failed: \(registrar.failure ?? "status \(status)")")
        }
    }
}
