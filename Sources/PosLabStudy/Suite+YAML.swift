import Foundation
import PosLabModel
import PosLabTasks
import Yams

/// A plugin library a suite file lists under `plugins:`, resolved relative to the file, and where
/// the file names it. Reading a suite records its plugins; the caller loads them (the command line
/// does, into the shared registry) before the suite is validated against the encodings they add.
public struct SuitePlugin: Sendable, Equatable {
    /// The library's absolute path.
    public var path: String
    /// The suite file, the key path (`plugins[0]`) and the line that name it.
    public var file: String, keyPath: String, line: Int?

    public init(path: String, file: String, keyPath: String, line: Int?) {
        self.path = path
        self.file = file
        self.keyPath = keyPath
        self.line = line
    }

    /// A plugin that cannot be loaded, reported at its place in the suite file.
    public func error(_ rule: String) -> SuiteError { SuiteError(file: file, keyPath: keyPath, line: line, rule: rule) }
}

/// A suite file read, its keys and its plugins checked, but not yet validated: its encodings may
/// come from its plugins, so those are loaded (`plugins`) before `validate` checks every name.
public struct SuiteFile {
    /// The file, as given (used in error messages).
    public let file: String
    /// The plugin libraries it lists, in order.
    public let plugins: [SuitePlugin]
    /// The suite's name when the file gives none.
    let defaultName: String
    let top: YAMLReader

    /// Reads the suite file at `path`.
    public init(path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            let problem = FileProblem.unreadable(path, error: error).dropFirst(path.count + 2)
            throw SuiteError(file: path, keyPath: "", rule: "cannot read the suite file: it \(problem)")
        }
        try self.init(yaml: text, file: path, defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    /// Reads suite YAML; `file` is used in error messages and to resolve relative paths.
    public init(yaml text: String, file: String, defaultName: String) throws {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw SuiteError(file: file, keyPath: "", rule: "not valid YAML: \(error)")
        }
        guard let root else { throw SuiteError(file: file, keyPath: "", rule: "the file is empty; see Experiments/quick.yaml") }
        let top = try YAMLReader(file: file, path: "", node: root)
        try top.rejectUnknownKeys(["name", "plugins", "encodings", "tasks", "seeds", "model", "training", "evaluation", "grid", "tune"])
        // Plugins are recorded, not loaded: relative paths are relative to the suite file.
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        plugins = try (top.scalarList("plugins") ?? []).enumerated().map { i, item in
            let url = item.0.hasPrefix("/") ? URL(fileURLWithPath: item.0) : base.appendingPathComponent(item.0)
            return SuitePlugin(path: url.standardizedFileURL.path, file: file, keyPath: "plugins[\(i)]", line: item.1)
        }
        self.file = file
        self.defaultName = defaultName
        self.top = top
    }
}

extension Suite {
    /// Reads and strictly validates the suite file at `path`; the plugins it lists must be loaded
    /// into `encodings` already (see `SuiteFile`, whose `plugins` the command line loads first).
    ///
    /// Everything that can be checked before training is checked here — unknown keys, wrong types,
    /// unknown encodings and tasks (with the nearest name suggested), bad encoding or task
    /// arguments, impossible model shapes and lengths — so a run never starts on a bad file.
    public static func load(path: String, encodings: EncodingRegistry = .shared, tasks: TaskRegistry = .shared) throws -> Suite {
        try SuiteFile(path: path).validate(encodings: encodings, tasks: tasks)
    }

    /// Parses and validates suite YAML; `file` is used in error messages and to resolve relative
    /// paths. Its plugins must be loaded into `encodings` already.
    public static func parse(yaml text: String, file: String, defaultName: String,
                             encodings: EncodingRegistry = .shared, tasks: TaskRegistry = .shared) throws -> Suite {
        try SuiteFile(yaml: text, file: file, defaultName: defaultName).validate(encodings: encodings, tasks: tasks)
    }
}

extension SuiteFile {
    /// An encoding or task spec as listed: the spec, its key path (`encodings[2]`) and its line.
    typealias ListedSpec = (spec: Spec, path: String, line: Int?)

    /// Validates the suite against the encodings and tasks the registries know (load `plugins` into
    /// `encodings` first) and returns it, fully resolved.
    public func validate(encodings encodingRegistry: EncodingRegistry = .shared, tasks taskRegistry: TaskRegistry = .shared) throws -> Suite {
        let name = try readName()
        let encodingSpecs = try specs("encodings")
        let taskSpecs = try specs("tasks")
        let seeds = try readSeeds()

        var m = try top.child("model")
        try m.rejectUnknownKeys(["d_model", "layers", "heads", "attention"])
        var t = try top.child("training")
        try t.rejectUnknownKeys(["steps", "batch_size", "length", "optimizer", "learning_rate", "weight_decay", "clip_norm", "log_every", "checkpoint"])
        let checkpoint = try t.bool("checkpoint", default: true)
        // Tuned settings are swept like any list (see TuneBlock), then selected on validation.
        let tune = try TuneBlock(top: top, model: &m, training: &t)
        let (points, sweptLines) = try readPoints(model: m, training: t)
        let (evaluation, lengthsLine) = try readEvaluation(points: points, tune: tune)

        var suite = Suite(name: name, plugins: plugins.map(\.path), encodings: encodingSpecs.map(\.spec),
                          tasks: taskSpecs.map(\.spec), seeds: seeds, model: points[0].model, training: points[0].training,
                          evaluation: evaluation)
        if !points[0].swept.isEmpty { suite.grid = points }
        suite.checkpoint = checkpoint
        suite.tuning = tune?.tuning

        // Combinations: at every grid point, the model shape, each encoding and each task must accept it.
        for (index, point) in points.enumerated() {
            let at = point.swept.isEmpty ? "" : " (at grid point \(point.label))"
            // The line of the swept value at fault: the field's own, else one swept in the same section.
            func line(_ field: String, _ fallback: Int?) -> Int? {
                let section = field.prefix { $0 != "." }
                return sweptLines[index][field] ?? sweptLines[index].filter { $0.key.hasPrefix(section + ".") }.min { $0.key < $1.key }?.value ?? fallback
            }
            let probe = ModelConfig(vocabSize: 2, dModel: point.model.dModel, layers: point.model.layers, heads: point.model.heads,
                                    maxLength: point.training.maxLength, attention: point.model.attention)
            do { try probe.validate() } catch let error as ConfigurationError {
                throw SuiteError(file: file, keyPath: error.field, line: line(error.field, top.value("model")?.mark?.line), rule: error.rule + at)
            }
            for (spec, path, specLine) in encodingSpecs {
                do {
                    _ = try encodingRegistry.make(spec, context: EncodingContext(config: probe, seed: 0))
                } catch let error as ConfigurationError {
                    let field = error.field.hasPrefix("model.") ? error.field : path
                    throw SuiteError(file: file, keyPath: field, line: specLine, rule: "\(error.rule) (in '\(spec)')" + at)
                }
            }
            for (spec, path, specLine) in taskSpecs {
                let task: any SequenceTask
                do { task = try taskRegistry.make(spec) } catch let error as ConfigurationError {
                    throw SuiteError(file: file, keyPath: path, line: specLine, rule: "\(error.rule) (in '\(spec)')")
                }
                try check(task, at: point, evaluation: evaluation, lengthsLine: lengthsLine, tune: tune, line: line, suffix: at)
                try checkSequences(of: task, at: point, encodings: encodingSpecs, registry: encodingRegistry, suffix: at)
            }
        }
        return suite
    }

    /// The suite's name: a plain folder name (it names the results folder).
    private func readName() throws -> String {
        let name = try top.string("name", default: defaultName)
        guard isPlainName(name) else {
            throw top.error("name", "must be a plain folder name: 1 to 64 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit (got '\(name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined())'); it names the results folder")
        }
        return name
    }

    /// Encodings or tasks (`key`): a required, non-empty list of specs, each list argument swept.
    private func specs(_ key: String) throws -> [ListedSpec] {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        guard let list = try top.scalarList(key), !list.isEmpty else {
            throw top.error(key, "is required: a list such as \(key == "tasks" ? "[reverse, majority]" : "[none, learned]")")
        }
        var seen = Set<String>()
        return try list.enumerated().flatMap { i, item -> [ListedSpec] in
            let path = "\(key)[\(i)]"
            var swept: [Spec]
            do { swept = try Spec(parsing: item.0).sweep() } catch let e as ConfigurationError {
                throw SuiteError(file: file, keyPath: path, line: item.1, rule: "\(e.rule) (in '\(item.0)')")
            }
            return try swept.map { spec -> ListedSpec in
                var spec = spec
                // A file a task reads (text(file=…)) is relative to the suite file, like plugins.
                if key == "tasks", let given = spec.arguments["file"], !given.hasPrefix("/") {
                    spec.arguments["file"] = base.appendingPathComponent(given).standardizedFileURL.path
                }
                guard seen.insert(spec.description).inserted else {
                    let what = swept.count > 1 ? "'\(spec)' (swept from '\(item.0)')" : "'\(item.0)'"
                    throw SuiteError(file: file, keyPath: path, line: item.1, rule: "\(what) is listed twice")
                }
                return (spec: spec, path: path, line: item.1)
            }
        }
    }

    /// Seeds: a list of non-negative integers, or a count n meaning 1...n (default 1, 2, 3).
    private func readSeeds() throws -> [UInt64] {
        var seeds: [UInt64] = [1, 2, 3]
        guard let node = top.value("seeds") else { return seeds }
        if node.scalar != nil, let n = node.int {
            guard n >= 1, n <= 10_000 else { throw top.error("seeds", "a count of seeds must be between 1 and 10000 (got \(n))") }
            seeds = (1...n).map(UInt64.init)
        } else if let seq = node.sequence {
            seeds = try seq.enumerated().map { i, item in
                guard item.scalar != nil, let s = item.int, s >= 0, s <= Int(UInt32.max) else {
                    throw SuiteError(file: file, keyPath: "seeds[\(i)]", line: item.mark?.line,
                                     rule: "must be an integer in 0...\(UInt32.max) (got \(YAMLReader.kind(item)))")
                }
                return UInt64(s)
            }
            guard !seeds.isEmpty else { throw top.error("seeds", "must list at least one seed") }
            guard Set(seeds).count == seeds.count else { throw top.error("seeds", "lists a seed twice") }
        } else {
            throw top.error("seeds", "must be a list of integers or a count (got \(YAMLReader.kind(node)))")
        }
        return seeds
    }

    /// The grid points: every model or training setting given as a list is swept (see
    /// GridExpansion); with each point, the line of each swept key's value.
    private func readPoints(model m: YAMLReader, training t: YAMLReader) throws -> ([GridPoint], [[String: Int]]) {
        var points: [GridPoint] = []
        var sweptLines: [[String: Int]] = []  // per point: swept key → the line of its value
        for point in try GridExpansion.points(file: file, top: top, model: m, training: t) {
            var mp = m, tp = t
            for (key, node) in point {
                if key.hasPrefix("model.") { mp.overrides[String(key.dropFirst(6))] = node } else { tp.overrides[String(key.dropFirst(9))] = node }
            }
            let (model, training) = try Suite.readSettings(model: mp, training: tp)
            points.append(GridPoint(model: model, training: training,
                                    swept: Dictionary(uniqueKeysWithValues: point.map { ($0.key, GridExpansion.text($0.node)) })))
            sweptLines.append(Dictionary(uniqueKeysWithValues: point.compactMap { p in p.node.mark.map { (p.key, $0.line) } }))
        }
        return (points, sweptLines)
    }

    /// `evaluation:` (lengths by default from the shortest training length to 4 × the longest), and
    /// the line of its `lengths` key.
    private func readEvaluation(points: [GridPoint], tune: TuneBlock?) throws -> (Suite.Evaluation, lengthsLine: Int?) {
        let minLength = points.map(\.training.minLength).min()!, maxLength = points.map(\.training.maxLength).max()!
        let e = try top.child("evaluation")
        try e.rejectUnknownKeys(["lengths", "size", "seed"])
        var lengths = Array(minLength...(4 * maxLength))
        if let node = e.value("lengths") {
            if let seq = node.sequence {
                lengths = try seq.enumerated().map { i, item in
                    guard item.scalar != nil, let l = item.int, l >= 1, l <= 100_000 else {
                        throw SuiteError(file: file, keyPath: "evaluation.lengths[\(i)]", line: item.mark?.line,
                                         rule: "must be a length between 1 and 100000 (got \(YAMLReader.kind(item)))")
                    }
                    return l
                }
            } else if node.mapping != nil {
                let r = try e.child("lengths")
                try r.rejectUnknownKeys(["from", "to", "step"])
                let from = try r.int("from", default: minLength, max: 100_000)
                let to = try r.int("to", default: 4 * maxLength, max: 100_000)
                let step = try r.int("step", default: 1, max: 100_000)
                guard from <= to else { throw r.error("to", "must be at least from (\(from)); got \(to)") }
                lengths = Array(stride(from: from, through: to, by: step))
            } else {
                throw e.error("lengths", "must be a list of lengths or a range {from: 8, to: 32, step: 1}")
            }
            guard !lengths.isEmpty else { throw e.error("lengths", "must name at least one length") }
            lengths = Array(Set(lengths)).sorted()
        }
        let evaluation = Suite.Evaluation(lengths: lengths, size: try e.int("size", default: 256, max: 1_000_000),
                                          seed: UInt64(try e.int("seed", default: 2024, min: 0, max: Int(UInt32.max))),
                                          validation: try tune?.validationLengths(points: points) ?? [])
        return (evaluation, e.value("lengths")?.mark?.line)
    }

    /// Checks that `task` is defined at `point`'s training lengths and at the evaluation (and
    /// validation) lengths, with the attention it needs; `line` finds a swept key's line.
    private func check(_ task: any SequenceTask, at point: GridPoint, evaluation: Suite.Evaluation, lengthsLine: Int?,
                       tune: TuneBlock?, line: (String, Int?) -> Int?, suffix at: String) throws {
        let lengths = evaluation.lengths
        let minLength = point.training.minLength, maxLength = point.training.maxLength
        if let needed = task.requiredAttention, needed != point.model.attention {
            throw SuiteError(file: file, keyPath: "model.attention", line: line("model.attention", top.value("model")?.mark?.line),
                             rule: "\(task.name) needs \(needed.rawValue) attention (got \(point.model.attention.rawValue))" + at)
        }
        let shortest = min(minLength, lengths.first!)
        if shortest < task.minimumLength {
            let key = minLength < task.minimumLength ? "training.length" : "evaluation.lengths"
            throw SuiteError(file: file, keyPath: key, line: line(key, nil),
                             rule: "\(task.fullName) needs sequences of at least \(task.minimumLength) tokens; got \(shortest)" + at)
        }
        if let longest = task.maximumLength, max(maxLength, lengths.last!) > longest {
            throw SuiteError(file: file, keyPath: "evaluation.lengths", line: nil,
                             rule: "\(task.fullName) is defined up to length \(longest); got \(max(maxLength, lengths.last!))" + at)
        }
        // Sizes the task does not define (beyond its minimum and maximum).
        if (minLength...maxLength).allSatisfy({ task.undefinedSizeReason($0) != nil }) {
            throw SuiteError(file: file, keyPath: "training.length", line: line("training.length", nil),
                             rule: "\(task.fullName) defines none of the sizes \(minLength)...\(maxLength): "
                                + task.undefinedSizeReason(minLength)! + at)
        }
        // Evaluation lengths it does not define are recorded `unsupported` (one length list serves
        // every task of a suite: modular_arithmetic's odd sizes beside every other task's all);
        // a list with none it defines is a mistake.
        if lengths.allSatisfy({ task.undefinedSizeReason($0) != nil }) {
            throw SuiteError(file: file, keyPath: "evaluation.lengths", line: lengthsLine,
                             rule: "\(task.fullName) defines none of the evaluation lengths "
                                + lengths.prefix(8).map(String.init).joined(separator: ", ") + (lengths.count > 8 ? ", …" : "")
                                + " (\(task.undefinedSizeReason(lengths[0])!)); list sizes it defines" + at)
        }
        if let tune, let bad = evaluation.validation.first(where: { task.undefinedSizeReason($0) != nil }) {
            throw tune.error("lengths", "\(task.fullName) does not define size \(bad): \(task.undefinedSizeReason(bad)!)")
        }
        if tune != nil, task is any CorpusTask {
            throw SuiteError(file: file, keyPath: "tune", line: top.value("tune")?.mark?.line,
                             rule: "\(task.name) cannot be tuned yet: a corpus has no validation split apart from its held-out text, "
                                + "which is what it is evaluated on; remove tune: or the text task")
        }
    }

    /// A prompt task's sequences hold the answer too: every encoding must represent them at `point`.
    private func checkSequences(of task: any SequenceTask, at point: GridPoint, encodings encodingSpecs: [ListedSpec],
                                registry encodingRegistry: EncodingRegistry, suffix at: String) throws {
        let maxLength = point.training.maxLength
        let tokens = task.sequenceLength(size: maxLength)
        guard tokens != maxLength else { return }
        let config = ModelConfig(vocabSize: 2, dModel: point.model.dModel, layers: point.model.layers, heads: point.model.heads,
                                 maxLength: tokens, attention: point.model.attention)
        for (encodingSpec, encodingPath, encodingLine) in encodingSpecs {
            let outgrown = "\(task.fullName)'s training sequences of size \(maxLength) have \(tokens) tokens (input and answer); "
                + "give it a larger size or train on shorter inputs"
            let encoding: any PositionalEncoding
            do { encoding = try encodingRegistry.make(encodingSpec, context: EncodingContext(config: config, seed: 0)) }
            catch let error as ConfigurationError {
                throw SuiteError(file: file, keyPath: encodingPath, line: encodingLine,
                                 rule: "\(error.rule) (in '\(encodingSpec)'): \(outgrown)" + at)
            }
            if let limit = encoding.maximumLength, limit < tokens {
                throw SuiteError(file: file, keyPath: encodingPath, line: encodingLine,
                                 rule: "\(encoding.fullName) represents at most \(limit) positions, but \(outgrown)" + at)
            }
        }
    }
}

extension Suite {
    /// The model and training settings of one grid point (readers carry the point's overrides).
    static func readSettings(model m: YAMLReader, training t: YAMLReader) throws -> (Model, Training) {
        let model = Model(dModel: try m.int("d_model", default: 32, max: 4096), layers: try m.int("layers", default: 2, max: 64),
                          heads: try m.int("heads", default: 4, max: 256),
                          attention: AttentionMode(rawValue: try m.string("attention", default: "bidirectional",
                                                                          allowed: AttentionMode.allCases.map(\.rawValue)))!)
        var minLength = 8, maxLength = 8
        if let node = t.value("length") {
            if node.scalar != nil {
                minLength = try t.int("length", default: 8, max: 100_000)
                maxLength = minLength
            } else {
                let range = try t.child("length")
                try range.rejectUnknownKeys(["min", "max"])
                guard range.value("min") != nil, range.value("max") != nil else {
                    throw t.error("length", "a range needs both min and max, e.g. {min: 4, max: 12}")
                }
                minLength = try range.int("min", default: 1, max: 100_000)
                maxLength = try range.int("max", default: 1, max: 100_000)
                guard minLength <= maxLength else {
                    throw range.error("max", "must be at least min (\(minLength)); got \(maxLength)")
                }
            }
        }
        let training = Training(
            steps: try t.int("steps", default: 300, max: 10_000_000),
            batchSize: try t.int("batch_size", default: 32, max: 65_536),
            minLength: minLength, maxLength: maxLength,
            optimizer: try t.string("optimizer", default: "adam", allowed: ["adam", "adamw"]),
            learningRate: try t.double("learning_rate", default: 3e-3, min: 1e-12, max: 10),
            weightDecay: try t.double("weight_decay", default: 0, max: 10),
            clipNorm: try t.double("clip_norm", default: 1, max: 1e9),
            logEvery: try t.int("log_every", default: 10))

        return (model, training)
    }
}

/// Whether `name` can name a results folder: 1–64 ASCII letters, digits, `-`, `_` or `.`, the
/// first a letter or digit (so never `.`, `..`, a hidden name, a path or a control character).
func isPlainName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
    func allowed(_ c: Unicode.Scalar) -> Bool { c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)) }
    return allowed(first) && name.unicodeScalars.allSatisfy { allowed($0) || "-_.".unicodeScalars.contains($0) }
}
