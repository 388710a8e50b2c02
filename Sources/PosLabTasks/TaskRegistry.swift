import Foundation
import PosLabCore

/// A task the registry can build from a spec.
public protocol RegisteredTask: SequenceTask, SendableMetatype {
    /// The name in suite files.
    static var registryName: String { get }
    /// One line for `poslab list`.
    static var summary: String { get }
    /// Builds the task, reading its arguments (each with a default).
    static func make(_ arguments: inout SpecArguments) throws -> Self
}

// MARK: - Defaults

extension RegisteredTask {
    /// A registered task's name is its registry name.
    public var name: String { Self.registryName }
    /// Its one-line description is the registry's.
    public var summary: String { Self.summary }
}

/// Maps task names to factories; the built-ins are listed in `BuiltinTasks.swift`.
public final class TaskRegistry: @unchecked Sendable {
    /// One registered task.
    public struct Entry: Sendable {
        public var name: String
        public var summary: String
        /// Where it came from: built in, or the program that registered it.
        public var origin: RegistryOrigin
        public var make: @Sendable (inout SpecArguments) throws -> any SequenceTask
    }

    /// The registry with the built-in tasks.
    public static let shared: TaskRegistry = {
        let r = TaskRegistry()
        for type in builtinTasks { try! r.register(type, origin: .builtIn) }
        return r
    }()

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init() {}

    /// Registers a task type; throws if the name is taken (as `EncodingRegistry` does), naming both origins.
    public func register<T: RegisteredTask>(_ type: T.Type, origin: RegistryOrigin) throws {
        try lock.withLock {
            if let existing = entries[T.registryName] {
                throw ConfigurationError.registeredTwice(T.registryName, kind: "task", first: existing.origin.description, second: origin.description)
            }
            entries[T.registryName] = Entry(name: T.registryName, summary: T.summary, origin: origin) { try T.make(&$0) }
        }
    }

    /// Every entry, sorted by name.
    public var all: [Entry] { lock.withLock { entries.values.sorted { $0.name < $1.name } } }

    /// Builds the task `spec` names; unknown names suggest the nearest known one.
    public func make(_ spec: Spec) throws -> any SequenceTask {
        guard let entry = lock.withLock({ entries[spec.name] }) else {
            let names = all.map(\.name)
            let hint = nearest(to: spec.name, in: names).map { "did you mean '\($0)'? " } ?? ""
            throw ConfigurationError(field: spec.name, rule: "unknown task; \(hint)known: \(names.joined(separator: ", "))")
        }
        var arguments = SpecArguments(spec)
        let task = try entry.make(&arguments)
        try arguments.finish()
        return task
    }
}
