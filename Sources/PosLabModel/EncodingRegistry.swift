import Foundation

/// An encoding the registry can build from a spec: its name, a one-line summary and a factory.
public protocol RegisteredEncoding: PositionalEncoding, SendableMetatype {
    /// The name in suite files, e.g. `learned`.
    static var registryName: String { get }
    /// One line for `poslab list`.
    static var summary: String { get }
    /// Builds the encoding for a model, reading its arguments (each with a default) from `arguments`.
    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> Self
}

// MARK: - Defaults

extension RegisteredEncoding {
    /// A registered encoding's name is its registry name.
    public var name: String { Self.registryName }
}

/// Maps encoding names to factories. Built-ins are registered in `BuiltinEncodings.swift`;
/// plugins register theirs at load time.
public final class EncodingRegistry: @unchecked Sendable {
    /// One registered encoding.
    public struct Entry: Sendable {
        /// The name in suite files.
        public var name: String
        /// One line for `poslab list`.
        public var summary: String
        /// Where it came from: built in, a plugin library, or a program.
        public var origin: RegistryOrigin
        /// Builds it.
        public var make: @Sendable (inout SpecArguments, EncodingContext) throws -> any PositionalEncoding
    }

    /// The registry every part of PosLab uses, with the built-in encodings in it.
    public static let shared: EncodingRegistry = {
        let r = EncodingRegistry()
        for type in builtinEncodings { try! r.register(type, origin: .builtIn) }
        return r
    }()

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var plugins: Set<String> = []

    /// Records that the plugin at `path` (resolved) is loaded; false if it already was.
    func markPluginLoaded(_ path: String) -> Bool { lock.withLock { plugins.insert(path).inserted } }
    /// Forgets a mark whose load failed.
    func unmarkPluginLoaded(_ path: String) { _ = lock.withLock { plugins.remove(path) } }

    public init() {}

    /// Registers an encoding type; throws if the name is taken (as `TaskRegistry` does), naming both origins.
    public func register<E: RegisteredEncoding>(_ type: E.Type, origin: RegistryOrigin) throws {
        try register(Entry(name: E.registryName, summary: E.summary, origin: origin) { args, context in
            try E.make(&args, context: context)
        })
    }

    /// Registers an entry; throws if the name is taken.
    public func register(_ entry: Entry) throws {
        try lock.withLock {
            if let existing = entries[entry.name] {
                throw ConfigurationError.registeredTwice(entry.name, kind: "encoding", first: existing.origin.description, second: entry.origin.description)
            }
            entries[entry.name] = entry
        }
    }

    /// Every entry, sorted by name.
    public var all: [Entry] { lock.withLock { entries.values.sorted { $0.name < $1.name } } }

    /// The entry for `name`, if registered.
    public func entry(_ name: String) -> Entry? { lock.withLock { entries[name] } }

    /// Builds the encoding `spec` names for a model; unknown names suggest the nearest known one.
    public func make(_ spec: Spec, context: EncodingContext) throws -> any PositionalEncoding {
        guard let entry = entry(spec.name) else {
            let names = all.map(\.name)
            let hint = nearest(to: spec.name, in: names).map { "did you mean '\($0)'? " } ?? ""
            throw ConfigurationError(field: spec.name,
                                     rule: "unknown encoding; \(hint)known: \(names.joined(separator: ", "))")
        }
        var arguments = SpecArguments(spec)
        var context = context
        context.registry = self
        let encoding: any PositionalEncoding
        do {
            encoding = try entry.make(&arguments, context)
        } catch let error as ConfigurationError {
            throw error
        } catch {  // a plugin's own error type: name the encoding, so the front end reports it as bad input
            throw ConfigurationError(field: spec.name, rule: "cannot be built (\(entry.origin)): \(error)")
        }
        try arguments.finish()
        return encoding
    }
}
