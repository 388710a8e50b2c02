/// Reads an encoding's or a task's arguments strictly: typed, range-checked, and no key left unread.
///
/// A factory reads each argument it knows with a default, then calls `finish()`, which throws
/// for any argument it did not read (a misspelt key is an error, never silently ignored).
public struct SpecArguments {
    /// The spec being read.
    public let spec: Spec
    private var unread: Set<String>
    /// Every key the factory asked for, given or not: the arguments it takes (named in `finish()`'s error).
    private var known: Set<String> = []

    public init(_ spec: Spec) {
        self.spec = spec
        unread = Set(spec.arguments.keys)
    }

    /// An integer argument within `range`, or `defaultValue` when absent.
    public mutating func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = 1...Int.max) throws -> Int {
        unread.remove(key)
        known.insert(key)
        guard let text = spec.arguments[key] else { return defaultValue }
        guard let value = Int(text) else { throw error(key, "must be an integer (got '\(text)')") }
        guard range.contains(value) else {
            throw error(key, "must be in \(range.lowerBound)...\(range.upperBound == Int.max ? "" : "\(range.upperBound)") (got \(value))")
        }
        return value
    }

    /// A real argument within `range`, or `defaultValue` when absent.
    public mutating func double(_ key: String, default defaultValue: Double,
                                in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
        unread.remove(key)
        known.insert(key)
        guard let text = spec.arguments[key] else { return defaultValue }
        guard let value = Double(text), value.isFinite else { throw error(key, "must be a number (got '\(text)')") }
        guard range.contains(value) else { throw error(key, "must be in \(range) (got \(value))") }
        return value
    }

    /// A string argument, or nil when absent.
    public mutating func string(_ key: String) -> String? {
        unread.remove(key)
        known.insert(key)
        return spec.arguments[key]
    }

    /// Throws if any argument was not read by the factory, naming the arguments it does take (the
    /// nearest one first, when one is close: a misspelling) so the message says the fix.
    public func finish() throws {
        if let key = unread.sorted().first {
            let takes = known.sorted()
            let fix = takes.isEmpty ? "it takes no arguments"
                : (nearest(to: key, in: takes).map { "did you mean '\($0)'? " } ?? "") + "its arguments: \(takes.joined(separator: ", "))"
            throw error(key, "unknown argument of '\(spec.name)'; \(fix)")
        }
    }

    /// An error about argument `key` of this encoding.
    public func error(_ key: String, _ rule: String) -> ConfigurationError {
        ConfigurationError(field: "\(spec.name).\(key)", rule: rule)
    }
}
