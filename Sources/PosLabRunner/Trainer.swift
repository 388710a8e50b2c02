import Foundation
import PosLabModel
import PosLabResults
import PosLabStudy
import PosLabTasks

/// Trains one run and evaluates it at every evaluation length.
///
/// Pairing: the training batches (and each batch's length) come from the stream
/// `data/<task>` of the run's seed, and the shared initial weights from the stream `model`
/// (see `Transformer`), so every encoding with seed s sees the same data from the same start.
/// Evaluation sets come from the suite's evaluation seed, one stream per (task, length): the same
/// sequences for every encoding and seed. A tuned suite's validation sets come from the same seed
/// but their own streams, `validation/<task>/<length>`: never the evaluation sets' draws.
public struct Trainer: Sendable {
    public let suite: Suite
    public let encodings: EncodingRegistry
    public let tasks: TaskRegistry

    public init(suite: Suite, encodings: EncodingRegistry = .shared, tasks: TaskRegistry = .shared) {
        self.suite = suite
        self.encodings = encodings
        self.tasks = tasks
    }

    /// Trains and evaluates `plan`; `progress(step, loss)` is called every `log_every` steps, and
    /// `keep(model)` once training has ended without diverging, before evaluation (to save it).
    public func run(_ plan: RunPlan, keep: ((Transformer) throws -> Void)? = nil,
                    progress: (Int, Double) -> Void = { _, _ in }) throws -> RunResult {
        let start = Date()
        let task = try tasks.make(plan.task)
        let config = plan.modelConfig(for: task)
        let model: Transformer
        do {
            model = try Transformer(config: config, encoding: plan.encoding, seed: plan.seed, registry: encodings)
        } catch is AttentionUnsupported {  // e.g. a causal-only encoding in a bidirectional suite: no numbers, by design
            let encoding = try encodings.make(plan.encoding, context: EncodingContext(config: config, seed: plan.seed))
            return unsupported(plan, encoding: encoding, task: task, since: start)
        }
        let t = plan.training
        let optimizer = Adam(parameters: model.parameters, learningRate: Float(t.learningRate),
                             weightDecay: Float(t.weightDecay), decoupled: t.optimizer == "adamw",
                             clipNorm: t.clipNorm > 0 ? Float(t.clipNorm) : nil)
        let data = TrainingData(task: task, training: t, seed: plan.seed)

        var curve: [(step: Int, loss: Double)] = []
        var status = RunStatus.ok
        var steps = 0
        var lastLoss = Double.nan
        for step in 1...t.steps {
            let batch = data.next()
            optimizer.zeroGrad()
            let logits: Tensor
            do { logits = try model.logits(batch, training: true) } catch is LengthUnsupported where step == 1 {
                // The task's own position ids (e.g. coupled positions with a random offset) reach past
                // what the encoding can represent (a learned table): no numbers, by design.
                return unsupported(plan, encoding: model.encoding, task: task, since: start)
            }
            let loss = crossEntropy(logits, targets: batch.targets, mask: batch.mask)
            let value = Double(loss.scalar)
            guard value.isFinite else {
                // A plugin's encoding non-finite from the first step more likely has a hook returning
                // NaN than a diverging run: its hooks are called directly, and a bad one fails the run
                // with its name. (Built-ins pass the conformance checks.)
                if step == 1, !pluginLibraries(in: plan.encoding).isEmpty,
                   case (false, let problem) = try ConformanceChecker.hookOutputs(of: model, lengths: [batch.length]) {
                    throw HookValueError(description: "\(model.encoding.fullName): \(problem)")
                }
                status = .diverged
                curve.append((step, value))
                break
            }
            loss.backward()
            optimizer.step()
            steps = step
            lastLoss = value
            if step % t.logEvery == 0 || step == t.steps {
                curve.append((step, value))
                progress(step, value)
            }
        }

        if status == .ok, let keep { try keep(model) }
        let evaluations = try evaluate(status == .diverged ? nil : model, task: task, lengths: suite.evaluation.lengths,
                                       evaluation: suite.evaluation)
        let validation = try evaluate(status == .diverged ? nil : model, task: task, lengths: suite.evaluation.validation,
                                      evaluation: suite.evaluation, split: .validation)
        return RunResult(plan: plan, encodingName: model.encoding.name, encodingArguments: model.encoding.arguments,
                         taskName: task.name, taskArguments: task.arguments, status: status, steps: steps,
                         finalTrainingLoss: lastLoss, curve: curve, evaluations: evaluations, validation: validation,
                         wallSeconds: Date().timeIntervalSince(start))
    }

    /// The result of a run the encoding cannot take part in: every length unsupported.
    func unsupported(_ plan: RunPlan, encoding: any PositionalEncoding, task: any SequenceTask, since start: Date) -> RunResult {
        RunResult(plan: plan, encodingName: encoding.name, encodingArguments: encoding.arguments, taskName: task.name,
                  taskArguments: task.arguments, status: .unsupported, steps: 0, finalTrainingLoss: .nan, curve: [],
                  evaluations: suite.evaluation.lengths.map { EvaluationResult(length: $0, status: .unsupported) },
                  validation: suite.evaluation.validation.map { EvaluationResult(length: $0, status: .unsupported) },
                  wallSeconds: Date().timeIntervalSince(start))
    }

    /// The plugin libraries (`RegistryOrigin.plugin` paths) of the encodings an encoding spec names, in
    /// name order: the spec's own and, for a wrapper, those of the spec in its `encoding` argument
    /// (`randomized(learned)`), walked as specs — an argument's value that happens to be an
    /// encoding's name (`rope(scaling=yarn)` beside a plugin's `yarn`) names no encoding.
    func pluginLibraries(in spec: Spec) -> [String] {
        var names: Set<String> = []
        var next: Spec? = spec
        while let current = next, names.insert(current.name).inserted {
            next = current.arguments["encoding"].flatMap { try? Spec(parsing: $0) }  // a wrapped spec is an argument's text
        }
        return names.sorted().compactMap { encodings.entry($0)?.origin.pluginPath }
    }

    /// Resolves every plan to its full configuration (task and encoding with every argument, the
    /// content hash of any plugin the encoding comes from), and so to its identity.
    public func resolve(_ plans: [RunPlan]) throws -> [ResolvedRun] {
        var encodingNames: [String: (String, String)] = [:]  // spec + point → (name, arguments)
        var pluginHashes: [String: String] = [:]
        return try plans.map { plan in
            let task = try tasks.make(plan.task)
            let config = plan.modelConfig(for: task)
            let key = "\(plan.encoding)\u{1}\(config)"
            if encodingNames[key] == nil {
                let encoding = try encodings.make(plan.encoding, context: EncodingContext(config: config, seed: 0))
                encodingNames[key] = (encoding.name, encoding.arguments)
            }
            let (name, arguments) = encodingNames[key]!
            // The plugins whose encodings the spec names (wrappers name others inside their arguments).
            let paths = pluginLibraries(in: plan.encoding)
            let hashes = paths.map { path in
                if pluginHashes[path] == nil {
                    pluginHashes[path] = SHA256.hex((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
                }
                return pluginHashes[path]!
            }
            let configuration = RunConfiguration(
                task: task.fullName, encoding: arguments.isEmpty ? name : "\(name)(\(arguments))", seed: plan.seed,
                model: plan.model, training: plan.training, plugins: hashes)
            return ResolvedRun(plan: plan, configuration: configuration, taskName: task.name, taskArguments: task.arguments,
                               encodingName: name, encodingArguments: arguments, pluginPaths: paths)
        }
    }

    /// The results at `lengths` of a trained model (nil: the run diverged, and every length says
    /// so): one per length, or for a corpus task one per length and protocol.
    func evaluate(_ model: Transformer?, task: any SequenceTask, lengths: [Int], evaluation: Suite.Evaluation,
                  split: EvaluationSplit = .test) throws -> [EvaluationResult] {
        try lengths.flatMap { length -> [EvaluationResult] in
            let protocols: [String?] = (task as? any CorpusTask)?.evaluationProtocols(length: length) ?? [nil]
            func all(_ status: RunStatus) -> [EvaluationResult] {
                protocols.map { EvaluationResult(length: length, status: status, evaluationProtocol: $0) }
            }
            guard let model else { return all(.diverged) }
            if task.undefinedSizeReason(length) != nil { return all(.unsupported) }  // e.g. an even size of modular_arithmetic
            if let limit = model.encoding.maximumLength, task.sequenceLength(size: length) > limit { return all(.unsupported) }
            do {
                if let corpus = task as? any CorpusTask {
                    return try protocols.map { Self.overflowChecked(try evaluate(model, corpus: corpus, length: length, protocol: $0!)) }
                }
                return [Self.overflowChecked(try evaluate(model, task: task, length: length, evaluation: evaluation, split: split))]
            } catch is LengthUnsupported {
                return all(.unsupported)
            }
        }
    }

    /// `result`, or, when its evaluation loss is NaN or infinite (the model's outputs overflow at
    /// this length), the length marked diverged without numbers: its accuracies are not results
    /// either, and statistics leave it out or (`--diverged worst`) count it as a failure.
    static func overflowChecked(_ result: EvaluationResult) -> EvaluationResult {
        guard result.status == .ok, !(result.loss?.isFinite ?? false) else { return result }
        return EvaluationResult(length: result.length, status: .diverged, evaluationProtocol: result.evaluationProtocol,
                                sequenceLength: result.sequenceLength)
    }

    /// Loss, perplexity, bits per byte and next-token accuracy of a corpus task under one protocol
    /// at `length`, over every target the protocol scores.
    func evaluate(_ model: Transformer, corpus: any CorpusTask, length: Int, protocol name: String) throws -> EvaluationResult {
        // Rows per forward pass: as for sampled sequences, and the logits (rows, T, V) kept near 16 MB.
        let rows = max(1, min(16_384 / length, (1 << 22) / (length * corpus.vocabSize)))
        var lossSum = 0.0, scored = 0.0, correct = 0.0, bytes = 0
        for batch in corpus.evaluationBatches(length: length, protocol: name, maxRows: rows) {
            let (logits, loss) = try Tensor.withoutGradients {
                let logits = try model.logits(ids: batch.inputs, batch: batch.size, length: length)
                return (logits, crossEntropy(logits, targets: batch.targets, mask: batch.mask).scalar)
            }
            let weight = Double(batch.mask.reduce(0, +))
            lossSum += Double(loss) * weight
            scored += weight
            correct += corpus.accuracy(predictions: argmax(logits), batch: batch).token * weight
            for (target, m) in zip(batch.targets, batch.mask) where m != 0 { bytes += corpus.byteCount(of: target) }
        }
        guard scored > 0 else { return EvaluationResult(length: length, status: .unsupported, evaluationProtocol: name) }
        let mean = lossSum / scored
        return EvaluationResult(length: length, status: .ok, tokenAccuracy: correct / scored, sequenceAccuracy: nil, loss: mean,
                                evaluationProtocol: name, perplexity: exp(mean), bitsPerByte: lossSum / log(2) / Double(bytes))
    }

    /// The results at `lengths` of the model saved in `checkpoint` for a run of `task` (its spec):
    /// the numbers its run would have recorded had these lengths been in its suite. A diverged
    /// run has no checkpoint (nil), and its every length is diverged.
    public func evaluate(checkpoint: URL?, task spec: Spec, lengths: [Int], evaluation: Suite.Evaluation,
                         split: EvaluationSplit = .test) throws -> [EvaluationResult] {
        let task = try tasks.make(spec)
        let model = try checkpoint.map { try Transformer(checkpoint: $0, registry: encodings) }
        return try evaluate(model, task: task, lengths: lengths, evaluation: evaluation, split: split)
    }

    /// Accuracy and loss on the evaluation set of `task` at `length`; for a prompt task in the
    /// decoder form, also what the model generates greedily from each prompt (`generate`), scored
    /// as exact match (`sequenceAccuracy`) and generated token accuracy, beside the teacher-forced
    /// token accuracy.
    func evaluate(_ model: Transformer, task: any SequenceTask, length: Int, evaluation: Suite.Evaluation,
                  split: EvaluationSplit = .test) throws -> EvaluationResult {
        let rng = RandomGenerator(seed: evaluation.seed, stream: split.stream(task: task.fullName, length: length))
        let tokens = task.sequenceLength(size: length)
        let chunk = max(1, min(evaluation.size, 16_384 / tokens))
        let generating = (task as? any PromptTask).flatMap { $0.form == .decoder ? $0 : nil }
        var remaining = evaluation.size
        var correct = 0.0, scored = 0.0, perfect = 0.0, lossSum = 0.0, lossWeight = 0.0
        var generatedRight = 0.0, generatedScored = 0.0, exact = 0.0
        while remaining > 0 {
            let size = min(chunk, remaining)
            remaining -= size
            let batch = task.batch(size: size, length: length, rng: rng)
            // One row of positions for the teacher-forced pass and the generation alike.
            let positions = batch.positions.map { Positions(perSequence: $0, rows: size) }
                ?? Positions(shared: model.encoding.positions(length: batch.length, training: false))
            let (logits, loss) = try Tensor.withoutGradients {  // no tape: intermediates are freed at once
                let logits = try model.logits(ids: batch.inputs, batch: size, length: batch.length, positions: positions)
                return (logits, crossEntropy(logits, targets: batch.targets, mask: batch.mask).scalar)
            }
            let weight = Double(batch.mask.reduce(0, +)), scoring = Double((batch.scoreMask ?? batch.mask).reduce(0, +))
            lossSum += Double(loss) * weight
            lossWeight += weight
            let acc = task.accuracy(predictions: argmax(logits), batch: batch)
            correct += acc.token * scoring
            scored += scoring
            perfect += acc.sequence * Double(size)
            if let prompt = generating {
                let p = prompt.promptLength(size: length)
                let prompts = (0..<size).flatMap { batch.inputs[($0 * batch.length)..<($0 * batch.length + p)] }
                let generated = try model.generate(prompts: prompts, batch: size, promptLength: p, steps: batch.length - p,
                                                   positions: positions)
                let score = prompt.scoreGenerated(generated, batch: batch, size: length)
                generatedRight += score.tokenAccuracy * Double(score.scored)
                generatedScored += Double(score.scored)
                exact += score.exactMatch * Double(size)
            }
        }
        return EvaluationResult(length: length, status: .ok, tokenAccuracy: scored > 0 ? correct / scored : 0,
                                sequenceAccuracy: (generating == nil ? perfect : exact) / Double(evaluation.size),
                                loss: lossWeight > 0 ? lossSum / lossWeight : 0,
                                sequenceLength: tokens == length ? nil : tokens,
                                generatedTokenAccuracy: generating == nil ? nil : generatedScored > 0 ? generatedRight / generatedScored : 0)
    }

    /// The arg-max id of each row of logits (B, T, V) → B·T ids (the first maximum on ties).
    func argmax(_ logits: Tensor) -> [Int] {
        let v = logits.shape.last!, rows = logits.count / v, z = logits.data
        return (0..<rows).map { r in
            var best = 0
            for j in 1..<v where z[r * v + j] > z[r * v + best] { best = j }
            return best
        }
    }
}

/// Which sets a model is scored on: the evaluation (test) sets every number reported comes from,
/// or a tuned suite's validation sets, which only select a grid point (`Selection`). Each has its
/// own random streams of the evaluation seed, so the two never share a draw.
public enum EvaluationSplit: String, Sendable {
    case test = "eval"
    case validation

    /// The random stream of the set of `task` at `length`.
    public func stream(task: String, length: Int) -> String { "\(rawValue)/\(task)/\(length)" }
}

/// The training batches of one run: a function of the task, the training settings and the seed
/// only — never of the encoding — which is what makes runs with the same seed paired.
public final class TrainingData {
    private let task: any SequenceTask
    private let training: Suite.Training
    private let rng: RandomGenerator

    public init(task: any SequenceTask, training: Suite.Training, seed: UInt64) {
        self.task = task
        self.training = training
        rng = RandomGenerator(seed: seed, stream: "data/\(task.fullName)")
    }

    /// The sizes of the training range the task defines (`SequenceTask.undefinedSizeReason`).
    private lazy var sizes = (training.minLength...training.maxLength).filter { task.undefinedSizeReason($0) == nil }

    /// The next batch; its length is drawn uniformly from the sizes of the training range the task defines.
    public func next() -> Batch {
        let t = training
        let length = t.minLength == t.maxLength ? t.minLength
            : sizes.count == t.maxLength - t.minLength + 1 ? rng.int(in: t.minLength...t.maxLength)
            : sizes[rng.int(below: sizes.count)]
        if let corpus = task as? any CorpusTask { return corpus.trainingBatch(size: t.batchSize, length: length, rng: rng) }
        return task.batch(size: t.batchSize, length: length, rng: rng)
    }
}

/// A hook of the run's encoding returned a non-finite value at the first step.
struct HookValueError: Error, CustomStringConvertible {
    var description: String
}
