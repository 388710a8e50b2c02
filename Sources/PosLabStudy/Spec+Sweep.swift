import PosLabModel

extension Spec {
    /// The specs this one sweeps: an argument given as a list, `relative-bias(buckets=[8, 16, 32])`,
    /// stands for one spec per value, and several lists for every combination (a full product, in
    /// the order written, the first argument varying slowest). A spec without lists is itself.
    /// Lists are read in the spec's own arguments, not inside a nested spec.
    public func sweep() throws -> [Spec] {
        var specs = [Spec(name: name, arguments: arguments)]
        for key in arguments.keys.sorted() {
            let value = arguments[key]!
            guard value.hasPrefix("["), value.hasSuffix("]") else { continue }
            let items = value.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !items.contains(where: \.isEmpty) else {
                throw ConfigurationError(field: "\(name).\(key)", rule: "a list to sweep needs values separated by commas, e.g. [8, 16] (got \(value))")
            }
            specs = specs.flatMap { spec in
                items.map { item in
                    var s = spec
                    s.arguments[key] = item
                    return s
                }
            }
        }
        return specs
    }
}
