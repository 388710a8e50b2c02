import PosLabCore
import Yams

/// A suite's `tune:` block, read and checked:
///
/// ```yaml
/// tune:
///   learning_rate: [0.0003, 0.001, 0.003]
///   select_on: {lengths: [16], metric: token_accuracy}
/// ```
///
/// Each tuned setting (a training or model setting, by its short name or as `training.learning_rate`)
/// is swept like a list in `training:` or `model:` — every run is trained at every value — and is
/// then *selected* per (task, encoding) on validation sets (`Selection`). `select_on.lengths` must
/// be training lengths: tuning on a longer length would tune on the extrapolation the suite tests.
struct TuneBlock {
    /// The settings that may be tuned (suite keys).
    static let tunable = ["training.learning_rate", "training.weight_decay", "training.clip_norm", "training.optimizer",
                          "training.steps", "training.batch_size", "model.d_model", "model.layers", "model.heads"]

    let reader: YAMLReader
    /// The tuned settings, suite keys in the order written.
    let keys: [String]
    /// `select_on.lengths` (nil: the longest training length).
    let lengths: [Int]?
    let metric: Metric

    var tuning: Suite.Tuning { Suite.Tuning(keys: keys, metric: metric.rawValue) }

    /// Reads `tune:` (nil when the suite has none) and hands each tuned list to the section it
    /// belongs to, where `GridExpansion` sweeps it.
    init?(top: YAMLReader, model: inout YAMLReader, training: inout YAMLReader) throws {
        guard top.value("tune") != nil else { return nil }
        let tune = try top.child("tune")
        guard let mapping = tune.node?.mapping else {
            throw top.error("tune", "must be a mapping of settings to lists, and select_on, e.g. "
                            + "{learning_rate: [0.0003, 0.001, 0.003], select_on: {lengths: [16], metric: token_accuracy}}")
        }
        var keys: [String] = []
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? "?"
            if name == "select_on" { continue }
            let key = name.contains(".") ? name : Self.tunable.first { $0.hasSuffix(".\(name)") } ?? name
            guard Self.tunable.contains(key) else {
                let names: [String] = Self.tunable.map { String($0.split(separator: ".")[1]) }
                let suggestion: String = nearest(to: name, in: names + ["select_on"]).map { "did you mean '\($0)'? " } ?? ""
                let list: String = names.joined(separator: ", ")
                throw tune.error(name, "cannot be tuned; " + suggestion + "tunable: " + list + ", and select_on")
            }
            guard let list = value.sequence, list.count >= 2 else {
                throw tune.error(name, "must list two or more values to select from, e.g. [0.0003, 0.001, 0.003]")
            }
            let (section, short) = (String(key.prefix { $0 != "." }), String(key.drop { $0 != "." }.dropFirst()))
            let reader = section == "model" ? model : training
            if reader.node?.mapping?[short] != nil {
                throw tune.error(name, "\(key) is given in \(section): too; give it in one place (tune: sweeps it and selects one value per task and encoding)")
            }
            if section == "model" { model.overrides[short] = value } else { training.overrides[short] = value }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw top.error("tune", "names no setting to tune, e.g. learning_rate: [0.0003, 0.001, 0.003]") }

        let select = try tune.child("select_on")
        try select.rejectUnknownKeys(["lengths", "metric"])
        var lengths: [Int]?
        if let node = select.value("lengths") {
            guard let list = node.sequence, !list.isEmpty else { throw select.error("lengths", "must be a list of training lengths, e.g. [16]") }
            lengths = try list.enumerated().map { i, item in
                guard item.scalar != nil, let l = item.int, l >= 1 else {
                    throw SuiteError(file: top.file, keyPath: "tune.select_on.lengths[\(i)]", line: item.mark?.line,
                                     rule: "must be a length (got \(YAMLReader.kind(item)))")
                }
                return l
            }
            lengths = Array(Set(lengths!)).sorted()
        }
        let name = try select.string("metric", default: Metric.tokenAccuracy.rawValue,
                                     allowed: Metric.allCases.map(\.rawValue) + ["loss"])
        self.reader = tune
        self.keys = keys
        self.lengths = lengths
        metric = Metric(argument: name)!
    }

    /// The validation lengths: `select_on.lengths`, each inside every grid point's training range
    /// (in distribution), or by default the longest training length they share.
    func validationLengths(points: [GridPoint]) throws -> [Int] {
        let low = points.map(\.training.minLength).max()!, high = points.map(\.training.maxLength).min()!
        guard let lengths else {
            guard low <= high else { throw error("lengths", "the grid points share no training length; give select_on.lengths") }
            return [high]
        }
        if let outside = lengths.first(where: { !(low...high).contains($0) }) {
            throw error("lengths", "\(outside) is not a training length (\(low)...\(high)): selecting on a length the model was not "
                        + "trained on would tune on the extrapolation the suite tests; use lengths in \(low)...\(high)")
        }
        return lengths
    }

    /// An error at `select_on.<key>`.
    func error(_ key: String, _ rule: String) -> SuiteError {
        SuiteError(file: reader.file, keyPath: "tune.select_on.\(key)", line: reader.value("select_on")?.mark?.line ?? reader.node?.mark?.line,
                   rule: rule)
    }
}
