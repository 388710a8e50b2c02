#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PosLabCore

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
/// A plugin links the `PosLab` product, libPosLab.so, and so does the `poslab` tool: in the host's
/// process the plugin's libPosLab.so is the host's, one copy of every type, error and registry
/// (`PluginLoader` refuses a plugin that brought its own). The host passes a handshake and its plugin
/// ABI version; `PluginRegistrar.register` is compiled into the plugin, so the version it compares
/// with is the one the plugin was built against, and a stale plugin is reported instead of crashing.
public enum PluginABI {
    /// Derived from the build: a hash of the plugin-facing sources (every source of PosLabModel and
    /// of the PosLab modules it depends on, comments aside; see `interfaceFiles` and
    /// Plugins/PluginABIHash), so any change to a declaration in them refuses plugins built before it. Nobody types it. This is the host's (the library's) value; a plugin
    /// compares with its own build's `interfaceHash`, which is emitted into the plugin.
    public static var version: Int32 { interfaceHash }
    /// The C symbol every plugin exports.
    public static let entryPoint = "poslab_register_encodings"
    /// Return codes of the entry point.
    public static let ok: Int32 = 0, versionMismatch: Int32 = 1, registrationFailed: Int32 = 2
}

/// What a plugin registers through: the host's registry, and what happened.
public final class PluginRegistrar {
    let registry: EncodingRegistry
    let origin: RegistryOrigin
    /// The names registered so far.
    public private(set) var names: [String] = []
    /// The first registration error.
    var failure: String?

    init(registry: EncodingRegistry, origin: RegistryOrigin) {
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
    ///
    /// Compiled into the plugin (`@_alwaysEmitIntoClient`), so `PluginABI.interfaceHash` here is the
    /// plugin's build's, and the version check touches nothing of the host's but the handshake, a
    /// fixed C layout (`PluginHandshake`) that every version reads the same way.
    @_alwaysEmitIntoClient
    public static func register(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32,
                                _ body: (PluginRegistrar) throws -> Void) -> Int32 {
        host.storeBytes(of: PluginABI.interfaceHash, toByteOffset: 0, as: Int32.self)
        guard hostVersion == PluginABI.interfaceHash else { return 1 }  // PluginABI.versionMismatch
        let registrar = Unmanaged<PluginRegistrar>
            .fromOpaque(host.load(fromByteOffset: 8, as: UnsafeRawPointer.self)).takeUnretainedValue()
        return registrar.run(body)
    }

    /// Runs a plugin's registrations; the status code for the host.
    public func run(_ body: (PluginRegistrar) throws -> Void) -> Int32 {
        do {
            try body(self)
            return PluginABI.ok
        } catch {
            failure = "\(error)"
            return PluginABI.registrationFailed
        }
    }
}

/// What the host hands a plugin's entry point, in a layout no version changes: the plugin's ABI
/// version (written by the plugin, bytes 0–3) and the registrar (bytes 8–15).
struct PluginHandshake {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)

    init(registrar: PluginRegistrar) {
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
        memory.storeBytes(of: UnsafeRawPointer(Unmanaged.passUnretained(registrar).toOpaque()), toByteOffset: 8,
                          as: UnsafeRawPointer.self)
    }

    /// The version the plugin was built for (0: it wrote none).
    var pluginVersion: Int32 { memory.load(fromByteOffset: 0, as: Int32.self) }

    func deallocate() { memory.deallocate() }
}

/// A C symbol of libPosLab.so: the loader asks a plugin for it, and its address says which copy of
/// PosLab the plugin resolved to.
@_cdecl("poslab_library_identity")
public func poslabLibraryIdentity() -> Int32 { 0 }

/// The address of `poslab_library_identity` in this process. Taken here, in the file that defines
/// the symbol: a C-convention reference to it from another file made the compiler emit the symbol
/// in that file's object too when the two files were compiled in different batches (a duplicate
/// definition at link time).
var poslabLibraryIdentityAddress: UnsafeMutableRawPointer {
    unsafeBitCast(poslabLibraryIdentity as @convention(c) () -> Int32, to: UnsafeMutableRawPointer.self)
}

/// A plugin that could not be loaded, and why.
public struct PluginError: UserError {
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
    /// Loading the same file twice into one registry does nothing the second time; after a failed
    /// load the file is not loaded, and loading it again tries again.
    ///
    /// `hostVersion` is for tests (nil: `PluginABI.version`). `requireSharedLibrary` is false only
    /// in the test binary, which links PosLab statically and so cannot share it with a plugin.
    @discardableResult
    public static func load(_ path: String, into registry: EncodingRegistry = .shared, hostVersion: Int32? = nil,
                            requireSharedLibrary: Bool = true) throws -> [String] {
        let hostVersion = hostVersion ?? PluginABI.version
        guard let resolved = realpath(path, nil) else {
            throw PluginError(path: path, reason: "no such file")
        }
        let canonical = String(cString: resolved)
        free(resolved)
        guard registry.markPluginLoaded(canonical) else {
            return registry.all.filter { [path, canonical].contains($0.origin.pluginPath) }.map(\.name)
        }
        // Marked before loading, so that a concurrent load of the same file does not register its
        // encodings twice; unmarked if this load fails, so that a retry loads it (or fails) again
        // instead of returning no names and no error.
        var loaded = false
        defer { if !loaded { registry.unmarkPluginLoaded(canonical) } }
        guard let handle = dlopen(canonical, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            let stale = reason.contains("undefined symbol")
                ? " — it was built against another PosLab; rebuild it against this one" : ""
            throw PluginError(path: path, reason: "cannot be loaded: \(reason)\(stale)")
        }
        guard let symbol = dlsym(handle, PluginABI.entryPoint) else {
            throw PluginError(path: path, reason: "missing entry point \(PluginABI.entryPoint) — export it with @_cdecl(\"\(PluginABI.entryPoint)\") (see Examples/FirePlugin)")
        }
        if requireSharedLibrary, let own = sharedLibraryProblem(handle, path: canonical) {
            throw PluginError(path: path, reason: own)
        }
        typealias Entry = @convention(c) (UnsafeMutableRawPointer, Int32) -> Int32
        let entry = unsafeBitCast(symbol, to: Entry.self)
        let registrar = PluginRegistrar(registry: registry, origin: .plugin(path: path))
        let handshake = PluginHandshake(registrar: registrar)
        defer { handshake.deallocate() }
        let status = withExtendedLifetime(registrar) { entry(handshake.memory, hostVersion) }
        switch status {
        case PluginABI.ok:
            guard !registrar.names.isEmpty else { throw PluginError(path: path, reason: "registered no encoding") }
            loaded = true
            return registrar.names
        case PluginABI.versionMismatch:
            let version = handshake.pluginVersion
            throw PluginError(path: path, reason: "built for plugin ABI version \(version == 0 ? "?" : String(version)), but this poslab has version \(hostVersion); rebuild the plugin against this PosLab")
        default:
            throw PluginError(path: path, reason: "registration failed: \(registrar.failure ?? "status \(status)")")
        }
    }

    /// Why the plugin behind `handle` does not share this process's PosLab, or nil when it does:
    /// the `poslab_library_identity` the plugin resolves to must be this library's own.
    static func sharedLibraryProblem(_ handle: UnsafeMutableRawPointer, path: String) -> String? {
        let ours = poslabLibraryIdentityAddress
        guard let theirs = dlsym(handle, "poslab_library_identity") else { return PluginLinkage.missingIdentityProblem(path) }
        guard theirs != ours else { return nil }
        return "brought its own copy of PosLab (\(mappedFile(containing: theirs))) instead of this poslab's (\(mappedFile(containing: ours))); build it against the PosLab product, a dynamic library, and load it with this poslab"
    }

    /// The file mapped at `address` in this process (from /proc/self/maps), or "?".
    static func mappedFile(containing address: UnsafeMutableRawPointer) -> String {
        let value = UInt(bitPattern: address)
        guard let file = fopen("/proc/self/maps", "r") else { return "?" }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let fields = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.split(separator: " ")
            let range = fields.first?.split(separator: "-").compactMap { UInt($0, radix: 16) } ?? []
            if range.count == 2, range[0] <= value, value < range[1], fields.count >= 6 {
                return String(fields[5...].joined(separator: " ").filter { $0 != "\n" })
            }
        }
        return "?"
    }
}
