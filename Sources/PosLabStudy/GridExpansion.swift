import PosLabModel
import Yams

/// How a suite's swept settings combine into grid points.
///
/// Any setting under `model:` or `training:` given as a list is swept. The rule is the full
/// product of every swept list, with an optional `grid:` block for what a product cannot say:
/// `zip` (lists that vary together, element by element), `exclude` (points to drop) and
/// `include` (points to add). Every swept setting becomes a column of runs.csv.
enum GridExpansion {
    /// One grid point: the node of each swept setting's value, in sweep order.
    typealias Point = [(key: String, node: Node)]

    /// The settings that may be swept, in column order.
    static let sweepable = [
        "model.d_model", "model.layers", "model.heads", "model.attention", "training.steps", "training.batch_size",
        "training.length", "training.optimizer", "training.learning_rate", "training.weight_decay", "training.clip_norm",
        "training.log_every",
    ]

    /// The grid points of a suite (one point with no swept setting when nothing is swept).
    static func points(file: String, top: YAMLReader, model: YAMLReader, training: YAMLReader) throws -> [Point] {
        // The swept settings and their values.
        var swept: [(key: String, values: [Node])] = []
        for key in sweepable {
            let (section, name) = key.hasPrefix("model.") ? (model, String(key.dropFirst(6))) : (training, String(key.dropFirst(9)))
            guard let node = section.value(name), let list = node.sequence else { continue }
            guard !list.isEmpty else { throw section.error(name, "is an empty list: give one value, or a list of values to sweep") }
            for (i, item) in list.enumerated() where list.prefix(i).contains(where: { same($0, item) }) {
                throw SuiteError(file: file, keyPath: "\(key)[\(i)]", line: item.mark?.line, rule: "lists \(text(item)) twice")
            }
            swept.append((key, Array(list)))
        }
        let grid = try top.child("grid")
        try grid.rejectUnknownKeys(["zip", "include", "exclude"])
        if grid.node != nil && swept.isEmpty {
            throw top.error("grid", "nothing is swept: give a model or training setting as a list, e.g. learning_rate: [0.001, 0.003]")
        }
        let sweptKeys = swept.map(\.key)
        func values(_ key: String) -> [Node] { swept.first { $0.key == key }!.values }

        // zip: groups of swept settings that vary together.
        var groups: [[String]] = []
        if let zipped = grid.value("zip") {
            guard let list = zipped.sequence, !list.isEmpty else { throw grid.error("zip", "must be a list of lists of swept settings, e.g. [[training.learning_rate, model.d_model]]") }
            for (i, item) in list.enumerated() {
                let path = "grid.zip[\(i)]"
                guard let keys = item.sequence?.compactMap(\.string), keys.count == item.sequence?.count, keys.count >= 2 else {
                    throw SuiteError(file: file, keyPath: path, line: item.mark?.line, rule: "must list two or more swept settings, e.g. [training.learning_rate, model.d_model]")
                }
                for key in keys {
                    guard sweptKeys.contains(key) else {
                        throw SuiteError(file: file, keyPath: path, line: item.mark?.line, rule: notSwept(key, sweptKeys))
                    }
                    guard !groups.joined().contains(key), keys.filter({ $0 == key }).count == 1 else {
                        throw SuiteError(file: file, keyPath: path, line: item.mark?.line, rule: "\(key) is zipped twice")
                    }
                }
                let counts = keys.map { values($0).count }
                guard Set(counts).count == 1 else {
                    throw SuiteError(file: file, keyPath: path, line: item.mark?.line,
                                     rule: "zipped lists must have the same length; got \(Swift.zip(keys, counts).map { "\($0) \($1)" }.joined(separator: ", "))")
                }
                groups.append(keys)
            }
        }

        // The product over factors: each zip group is one factor, each other swept setting another.
        var factors: [[Point]] = []
        var placed = Set<String>()
        for key in sweptKeys where !placed.contains(key) {
            let group = groups.first { $0.contains(key) } ?? [key]
            placed.formUnion(group)
            factors.append((0..<values(group[0]).count).map { i in group.map { ($0, values($0)[i]) } })
        }
        var points: [Point] = [[]]
        for factor in factors { points = points.flatMap { p in factor.map { p + $0 } } }
        func ordered(_ p: Point) -> Point { sweptKeys.map { key in p.first { $0.key == key }! } }
        points = points.map(ordered)

        // exclude: drop every point that matches all the given values.
        if let exclude = grid.value("exclude") {
            guard let list = exclude.sequence, !list.isEmpty else { throw grid.error("exclude", "must be a list of mappings, e.g. [{model.d_model: 64, training.learning_rate: 0.01}]") }
            for (i, item) in list.enumerated() {
                let filter = try assignment(item, path: "grid.exclude[\(i)]", file: file, swept: sweptKeys, values: values, complete: false)
                let before = points.count
                points.removeAll { p in filter.allSatisfy { f in same(p.first { $0.key == f.key }!.node, f.node) } }
                guard points.count < before else {
                    throw SuiteError(file: file, keyPath: "grid.exclude[\(i)]", line: item.mark?.line, rule: "matches no grid point")
                }
            }
        }
        // include: add points, each naming every swept setting.
        if let include = grid.value("include") {
            guard let list = include.sequence, !list.isEmpty else { throw grid.error("include", "must be a list of mappings naming every swept setting") }
            for (i, item) in list.enumerated() {
                let point = ordered(try assignment(item, path: "grid.include[\(i)]", file: file, swept: sweptKeys, values: nil, complete: true))
                guard !points.contains(where: { p in zip(p, point).allSatisfy { same($0.node, $1.node) } }) else {
                    throw SuiteError(file: file, keyPath: "grid.include[\(i)]", line: item.mark?.line, rule: "is already a grid point")
                }
                points.append(point)
            }
        }
        guard !points.isEmpty else { throw grid.error("exclude", "excludes every grid point") }
        return points
    }

    /// A mapping of swept settings to values (`exclude` and `include` entries).
    static func assignment(_ item: Node, path: String, file: String, swept: [String], values: ((String) -> [Node])?,
                           complete: Bool) throws -> Point {
        guard let mapping = item.mapping, !mapping.isEmpty else {
            throw SuiteError(file: file, keyPath: path, line: item.mark?.line, rule: "must be a mapping of swept settings to values, e.g. {model.d_model: 64}")
        }
        var point: Point = []
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "?"
            guard swept.contains(key) else { throw SuiteError(file: file, keyPath: "\(path).\(key)", line: keyNode.mark?.line, rule: notSwept(key, swept)) }
            if let values, !values(key).contains(where: { same($0, value) }) {
                throw SuiteError(file: file, keyPath: "\(path).\(key)", line: value.mark?.line,
                                 rule: "\(text(value)) is not one of the swept values \(values(key).map(text).joined(separator: ", "))")
            }
            point.append((key, value))
        }
        if complete, let missing = swept.first(where: { key in !point.contains { $0.key == key } }) {
            throw SuiteError(file: file, keyPath: path, line: item.mark?.line, rule: "must give every swept setting; \(missing) is missing")
        }
        return point
    }

    static func notSwept(_ key: String, _ swept: [String]) -> String {
        sweepable.contains(key) ? "\(key) is not swept (give it as a list); swept: \(swept.joined(separator: ", "))"
            : "unknown setting '\(key)'; \(nearest(to: key, in: sweepable).map { "did you mean '\($0)'? " } ?? "")swept: \(swept.joined(separator: ", "))"
    }

    /// Whether two values are the same setting (numbers compared as numbers: 3e-3 is 0.003).
    static func same(_ a: Node, _ b: Node) -> Bool { text(a) == text(b) }

    /// A value as a column shows it: numbers in canonical form, a length range as `min..max`.
    static func text(_ node: Node) -> String {
        if let mapping = node.mapping {
            return "\(mapping["min"]?.int.map(String.init) ?? "?")..\(mapping["max"]?.int.map(String.init) ?? "?")"
        }
        if let i = node.int { return String(i) }
        if let d = node.float, node.string.map({ $0.contains { "0123456789".contains($0) } }) == true { return "\(d)" }
        return node.string ?? "?"
    }
}
