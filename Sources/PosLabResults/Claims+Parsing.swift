import Foundation
import PosLabCore
import PosLabStudy
import Yams

/// Reading a claims file: the grammar (see `Claims`), and how a name in a claim matches the names
/// runs.csv gives encodings and tasks.
extension Claims {
    // MARK: - Parsing

    /// The grammar, as error messages quote it.
    static let grammar = "A > B on TASK [at lengths L1..L2 | at length L], A < B on ..., A ≈ B on ... [within M], "
        + "or mean over tasks [on [T1, T2]]: A − B ≥ C [for X in [E1, E2]]"

    /// `source` and the statements of a claims file.
    public static func parse(yaml text: String, file: String) throws -> (String, [Statement]) {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ClaimsError("\(file): not valid YAML (\("\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")))")
        }
        guard let node, let mapping = node.mapping else {
            throw ClaimsError("\(file): must be a mapping with `source` and `claims:` (a list of claims)")
        }
        guard let list = mapping["claims"] else { throw ClaimsError("\(file): no `claims:` (a list of claims, e.g. - \"rope > none on shift\")") }
        for (key, _) in mapping where !["source", "metric", "claims"].contains(key.string ?? "") {
            throw ClaimsError("\(file):\(key.mark?.line ?? 0): unknown key '\(key.string ?? "?")'; allowed: source, metric, claims")
        }
        _ = try fileMetric(yaml: text, file: file)
        let source = mapping["source"]?.string ?? ""
        guard let items = list.sequence, !items.isEmpty else {
            throw ClaimsError("\(file):\(list.mark?.line ?? 0): `claims:` must be a non-empty list of claims")
        }
        var out: [Statement] = []
        for item in items {
            let line = item.mark?.line ?? 0
            guard let claim = item.scalar?.string else {
                let hint = item.mapping != nil ? "; quote it (YAML reads an unquoted 'mean over tasks: …' as a mapping)" : ""
                throw ClaimsError("\(file):\(line): a claim must be a string\(hint) (\(grammar))")
            }
            out += try parse(claim: claim, line: line, file: file)
        }
        return (source, out)
    }

    /// The metric a claims file names (`metric: eval_loss`), nil when it names none.
    static func fileMetric(yaml text: String, file: String) throws -> Metric? {
        guard let value = ((try? Yams.compose(yaml: text)) ?? nil)?.mapping?["metric"] else { return nil }
        guard let name = value.string, let metric = Metric(argument: name) else {
            throw ClaimsError("\(file):\(value.mark?.line ?? 0): metric: must be one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
                              + " (got '\(value.string ?? "?")')")
        }
        return metric
    }

    /// One claim's statements (several for `for X in [...]`).
    static func parse(claim: String, line: Int, file: String) throws -> [Statement] {
        func bad(_ why: String) -> ClaimsError { ClaimsError("\(file):\(line): \"\(claim)\": \(why)") }
        let text = claim.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("mean over tasks") {
            guard let colon = topLevelIndex(of: ":", in: text) else { throw bad("no ':' after 'mean over tasks' (\(grammar))") }
            var head = words(String(text[text.index(text.startIndex, offsetBy: "mean over tasks".count)..<colon]))
            var tasks: [String]?
            if head.first == "on" {
                guard head.count >= 2, let list = bracketList(head[1]) else { throw bad("'on' must be followed by a list of tasks, e.g. on [shift, reverse]") }
                tasks = list
                head.removeFirst(2)
            }
            let lengths = try lengthClause(&head, bad)
            guard head.isEmpty else { throw bad("unexpected '\(head.joined(separator: " "))' before ':' (\(grammar))") }
            var tail = words(String(text[text.index(after: colon)...]))
            guard tail.count >= 5, ["−", "–", "-"].contains(tail[1]) else { throw bad("expected A − B ≥ C after ':' (\(grammar))") }
            let relation: Relation
            switch tail[3] {
            case "≥", ">=": relation = .atLeast
            case "≤", "<=": relation = .atMost
            default: throw bad("expected ≥ or ≤ after A − B, got '\(tail[3])'")
            }
            guard let c = Double(tail[4]), c.isFinite else { throw bad("'\(tail[4])' is not a number") }
            let (a, b) = (tail[0], tail[2])
            tail.removeFirst(5)
            var bindings: [(String, String)?] = [nil]
            if !tail.isEmpty {
                guard tail.count == 4, tail[0] == "for", tail[2] == "in", let values = bracketList(tail[3]), !values.isEmpty,
                      tail[1].allSatisfy({ $0.isLetter }) else {
                    throw bad("unexpected '\(tail.joined(separator: " "))'; a claim may end with for X in [E1, E2]")
                }
                guard a.contains(tail[1]) || b.contains(tail[1]) else { throw bad("'\(tail[1])' does not appear in '\(a) − \(b)'") }
                bindings = values.map { (tail[1], $0) }
            }
            return bindings.map { binding in
                let sa = binding.map { substitute($0.0, $0.1, in: a) } ?? a, sb = binding.map { substitute($0.0, $0.1, in: b) } ?? b
                var s = Statement(text: binding.map { "\(text) [\($0.0) = \($0.1)]" } ?? text,
                                  line: line, a: sa, b: sb, relation: relation, task: nil, tasks: tasks, meanOverTasks: true, lengths: lengths)
                s.threshold = c
                return s
            }
        }
        var w = words(text)
        guard w.count >= 5, w[3] == "on" else { throw bad("malformed claim; expected \(grammar)") }
        let relation: Relation
        switch w[1] {
        case ">": relation = .better
        case "<": relation = .worse
        case "≈", "~=", "~": relation = .equivalent
        default: throw bad("'\(w[1])' is not one of >, <, ≈ (\(grammar))")
        }
        var s = Statement(text: text, line: line, a: w[0], b: w[2], relation: relation, task: w[4], tasks: nil, meanOverTasks: false, lengths: nil)
        w.removeFirst(5)
        s.lengths = try lengthClause(&w, bad)
        if w.first == "within" {
            guard relation == .equivalent else { throw bad("'within' belongs to ≈ claims") }
            guard w.count >= 2, let m = Double(w[1]), m > 0, m.isFinite else { throw bad("'within' must be followed by a positive margin, e.g. within 0.02") }
            s.margin = m
            w.removeFirst(2)
        }
        guard w.isEmpty else { throw bad("unexpected '\(w.joined(separator: " "))' (\(grammar))") }
        return [s]
    }

    /// Takes `at lengths L1..L2` or `at length L` off the front of `w`.
    static func lengthClause(_ w: inout [String], _ bad: (String) -> ClaimsError) throws -> ClosedRange<Int>? {
        guard w.first == "at" else { return nil }
        guard w.count >= 3 else { throw bad("'at' must be followed by 'lengths L1..L2' or 'length L'") }
        defer { w.removeFirst(3) }
        if w[1] == "length" {
            guard let l = Int(w[2]), l > 0 else { throw bad("'\(w[2])' is not a length") }
            return l...l
        }
        guard w[1] == "lengths" else { throw bad("'at' must be followed by 'lengths L1..L2' or 'length L'") }
        let parts = w[2].components(separatedBy: "..")
        guard parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo > 0, lo <= hi else {
            throw bad("'\(w[2])' is not a range of lengths like 41..100")
        }
        return lo...hi
    }

    /// Splits on spaces outside parentheses and brackets.
    static func words(_ s: String) -> [String] {
        var out: [String] = [], current = "", depth = 0
        for ch in s {
            if ch == "(" || ch == "[" { depth += 1 }
            if ch == ")" || ch == "]" { depth -= 1 }
            if ch.isWhitespace && depth == 0 {
                if !current.isEmpty { out.append(current); current = "" }
            } else { current.append(ch) }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func topLevelIndex(of target: Character, in s: String) -> String.Index? {
        var depth = 0
        for i in s.indices {
            let ch = s[i]
            if ch == "(" || ch == "[" { depth += 1 }
            if ch == ")" || ch == "]" { depth -= 1 }
            if ch == target && depth == 0 { return i }
        }
        return nil
    }

    /// `[a, b(c=1, d=2)]` as its items (commas inside parentheses kept).
    static func bracketList(_ s: String) -> [String]? {
        guard s.hasPrefix("["), s.hasSuffix("]") else { return nil }
        var out: [String] = [], current = "", depth = 0
        for ch in s.dropFirst().dropLast() {
            if ch == "(" || ch == "[" { depth += 1 }
            if ch == ")" || ch == "]" { depth -= 1 }
            if ch == "," && depth == 0 { out.append(current); current = "" } else { current.append(ch) }
        }
        out.append(current)
        let items = out.map { $0.trimmingCharacters(in: .whitespaces) }
        return items.contains(where: \.isEmpty) ? nil : items
    }

    /// `name` replaced by `value` wherever it is a whole name in `s`.
    static func substitute(_ name: String, _ value: String, in s: String) -> String {
        var out = "", run = ""
        func flush() { out += run == name ? value : run; run = "" }
        for ch in s {
            if ch.isLetter || ch.isNumber || ch == "-" || ch == "_" { run.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }

    // MARK: - Matching names

    /// Whether `wanted` (as written in a claim) names `candidate` (as runs.csv names it): the same
    /// name, and every argument given equal (nested specs matched the same way).
    static func matches(_ wanted: String, _ candidate: String) -> Bool {
        guard let w = try? Spec(parsing: wanted), let c = try? Spec(parsing: candidate) else { return wanted == candidate }
        guard w.name == c.name else { return false }
        return w.arguments.allSatisfy { key, value in
            guard let theirs = c.arguments[key] else { return false }
            if value == theirs || Double(value).map({ $0 == Double(theirs) }) == true { return true }
            return matches(value, theirs)
        }
    }

    /// The one name among `names` that `wanted` names; exit-2 errors for none or several.
    static func resolve(_ wanted: String, among names: [String], kind: String, _ bad: (String) -> ClaimsError) throws -> String {
        if let exact = names.first(where: { $0 == wanted }) { return exact }
        let found = names.filter { matches(wanted, $0) }
        if found.count == 1 { return found[0] }
        if found.count > 1 { throw bad("'\(wanted)' matches \(found.count) \(kind)s (\(found.joined(separator: ", "))); give its arguments") }
        throw bad("no \(kind) '\(wanted)' in these results; they have: \(names.joined(separator: ", "))")
    }
}
