import PosLabModel
import Yams

/// Strict, typed reading of one YAML mapping in a suite file: every key must be known, every
/// value of the right type, and every error names the file, the key path and the line.
struct YAMLReader {
    let file: String
    let path: String
    let node: Node?
    private let mapping: Node.Mapping?
    /// Values that replace the file's (one grid point's value of a swept setting), by key.
    var overrides: [String: Node] = [:]

    init(file: String, path: String, node: Node?) throws {
        self.file = file
        self.path = path
        self.node = node
        if let node {
            guard let mapping = node.mapping else {
                throw SuiteError(file: file, keyPath: path, line: node.mark?.line,
                                 rule: "must be a mapping of keys to values (got \(YAMLReader.kind(node)))")
            }
            self.mapping = mapping
        } else {
            mapping = nil
        }
    }

    /// The path of `key` under this mapping.
    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, if present.
    func value(_ key: String) -> Node? { overrides[key] ?? mapping?[key] }

    /// Throws for any key not in `known`, suggesting the nearest known key.
    func rejectUnknownKeys(_ known: [String]) throws {
        guard let mapping else { return }
        for (key, _) in mapping {
            let name = key.string ?? "?"
            if !known.contains(name) {
                let hint = nearest(to: name, in: known).map { "did you mean '\($0)'? " } ?? ""
                throw SuiteError(file: file, keyPath: keyPath(name), line: key.mark?.line,
                                 rule: "unknown key; \(hint)allowed here: \(known.joined(separator: ", "))")
            }
        }
    }

    func error(_ key: String, _ rule: String) -> SuiteError {
        SuiteError(file: file, keyPath: keyPath(key), line: value(key)?.mark?.line ?? node?.mark?.line, rule: rule)
    }

    func int(_ key: String, default defaultValue: Int, min: Int = 1, max: Int = Int.max) throws -> Int {
        guard let v = value(key) else { return defaultValue }
        guard v.scalar != nil, let i = v.int else { throw error(key, "must be an integer (got \(YAMLReader.kind(v)))") }
        guard i >= min, i <= max else {
            throw error(key, "must be \(max == Int.max ? "at least \(min)" : "between \(min) and \(max)") (got \(i))")
        }
        return i
    }

    func double(_ key: String, default defaultValue: Double, min: Double = 0, max: Double = .greatestFiniteMagnitude) throws -> Double {
        guard let v = value(key) else { return defaultValue }
        guard v.scalar != nil, let d = v.float, d.isFinite else { throw error(key, "must be a number (got \(YAMLReader.kind(v)))") }
        guard d >= min, d <= max else { throw error(key, "must be between \(min) and \(max) (got \(d))") }
        return d
    }

    func string(_ key: String, default defaultValue: String, allowed: [String]? = nil) throws -> String {
        guard let v = value(key) else { return defaultValue }
        guard v.scalar != nil, let s = v.string, v.int == nil || allowed == nil else {
            throw error(key, "must be a string (got \(YAMLReader.kind(v)))")
        }
        if let allowed, !allowed.contains(s) {
            let hint = nearest(to: s, in: allowed).map { "did you mean '\($0)'? " } ?? ""
            throw error(key, "must be one of \(allowed.joined(separator: ", ")); \(hint)got '\(s)'")
        }
        return s
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let v = value(key) else { return defaultValue }
        guard v.scalar != nil, let b = v.bool else { throw error(key, "must be true or false (got \(YAMLReader.kind(v)))") }
        return b
    }

    /// A list of scalars (a single scalar counts as a list of one), as strings with their lines.
    func scalarList(_ key: String) throws -> [(String, Int?)]? {
        guard let v = value(key) else { return nil }
        if v.scalar != nil, let s = v.string { return [(s, v.mark?.line)] }
        guard let seq = v.sequence else { throw error(key, "must be a list (got \(YAMLReader.kind(v)))") }
        let items = try seq.enumerated().map { i, item in
            guard item.scalar != nil, let s = item.string else {
                throw SuiteError(file: file, keyPath: "\(keyPath(key))[\(i)]", line: item.mark?.line,
                                 rule: "must be a single value (got \(YAMLReader.kind(item)))")
            }
            return (s, item.mark?.line)
        }
        return Self.rejoiningSpecs(items)
    }

    /// A flow list splits at every comma, so `[none, relative-bias(buckets=16, max_distance=64)]`
    /// arrives as three items: an item with an unclosed parenthesis is joined with the next ones
    /// (", " between them) until its parentheses balance, giving back the specs as written.
    static func rejoiningSpecs(_ items: [(String, Int?)]) -> [(String, Int?)] {
        func depth(_ s: String) -> Int { s.reduce(0) { $0 + ($1 == "(" ? 1 : $1 == ")" ? -1 : 0) } }
        var out: [(String, Int?)] = []
        var open: (String, Int?)?
        for item in items {
            if var current = open {
                current.0 += ", " + item.0
                if depth(current.0) <= 0 { out.append(current); open = nil } else { open = current }
            } else if depth(item.0) > 0 {
                open = item
            } else {
                out.append(item)
            }
        }
        if let open { out.append(open) }  // still unbalanced: Spec(parsing:) names the problem
        return out
    }

    func child(_ key: String) throws -> YAMLReader { try YAMLReader(file: file, path: keyPath(key), node: value(key)) }

    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
