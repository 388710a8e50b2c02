/// An encoding or a task named with its arguments, as written in suite files and on the command
/// line: `learned`, `relative-bias(buckets=16, max_distance=64)`, `shift(k=2)`,
/// `randomized(learned, max_length=256)`.
///
/// A bare argument (no `=`) is stored under the key `encoding` — the wrapped encoding of a wrapper.
public struct Spec: Hashable, Sendable, CustomStringConvertible {
    /// The registered name.
    public var name: String
    /// Arguments by key, values as written.
    public var arguments: [String: String]

    public init(name: String, arguments: [String: String] = [:]) {
        self.name = name
        self.arguments = arguments
    }

    /// Parses `name` or `name(key=value, ...)` (or `;` between arguments, as `description` writes
    /// them, so a spec read back from results is the same spec); nested parentheses are kept whole.
    public init(parsing text: String) throws {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let open = s.firstIndex(of: "(") else {
            try Self.checkName(s, in: text)
            self.init(name: s)
            return
        }
        guard s.hasSuffix(")") else {
            throw ConfigurationError(field: text, rule: "unbalanced parentheses; write name(key=value, ...)")
        }
        let name = s[..<open].trimmingCharacters(in: .whitespaces)
        try Self.checkName(name, in: text)
        let inner = s[s.index(after: open)..<s.index(before: s.endIndex)]
        var parts: [String] = [], depth = 0, current = ""
        for ch in inner {
            if ch == "(" || ch == "[" { depth += 1 }  // a nested spec, or a list of values to sweep
            if ch == ")" || ch == "]" { depth -= 1 }
            // ',' as written by people, ';' as written by `description` (CSV-safe): both separate.
            if (ch == "," || ch == ";") && depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty || !parts.isEmpty { parts.append(current) }
        var arguments: [String: String] = [:]
        for part in parts {
            let p = part.trimmingCharacters(in: .whitespaces)
            let (key, value): (String, String)
            if let eq = p.firstIndex(of: "="), !p[..<eq].contains("(") {
                key = p[..<eq].trimmingCharacters(in: .whitespaces)
                value = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            } else {
                (key, value) = ("encoding", p)
            }
            guard !key.isEmpty, !value.isEmpty else {
                throw ConfigurationError(field: text, rule: "empty argument '\(p)'; write key=value")
            }
            guard arguments[key] == nil else {
                throw ConfigurationError(field: "\(text).\(key)", rule: "given twice")
            }
            arguments[key] = value
        }
        self.init(name: name, arguments: arguments)
    }

    private static func checkName(_ name: String, in text: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConfigurationError(field: text, rule: "a name is letters, digits, '-' and '_'")
        }
    }

    /// `name` or `name(key=value;...)` with keys sorted: stable, and safe inside a CSV field.
    public var description: String {
        arguments.isEmpty ? name
            : "\(name)(\(arguments.keys.sorted().map { "\($0)=\(arguments[$0]!)" }.joined(separator: ";")))"
    }
}

import Foundation

// MARK: - Stored as text

/// A spec is stored (in manifest.json, in a worker's request) as its `description`, the text
/// `init(parsing:)` reads back to the same spec.
extension Spec: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a spec: \(error)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
