import Foundation
import PosLabModel
import PosLabResults
import PosLabStudy
import PosLabTasks

/// Runs every run of a suite that has no usable record yet, `jobs` at a time, records each as it
/// finishes, then derives runs.csv and curves.csv from the records.
///
/// A run is skipped when its record (same configuration, hence same id) has numbers for the
/// suite's evaluation settings. A record lacking an evaluation length (or evaluated on another
/// set) is evaluated from its saved model, `runs/<id>.safetensors`, without training; without a
/// usable checkpoint it is retrained (and progress says why). A failed or damaged record is
/// retrained. An error inside one run is recorded as a failed run and the others go on. Runs
/// claimed by another process sharing the folder are left to it, and waited for.
public struct SuiteRunner {
    public let suite: Suite
    public let store: ResultsStore
    public let jobs: Int
    public let trainer: Trainer
    /// Whether new numbers may join records computed with another OpenBLAS kernel (which computes
    /// slightly different numbers): refused unless set (`--allow-mixed-kernels`).
    public var allowMixedKernels = false
    /// Where runs of plugin encodings train and are evaluated: nil, in this process, as built-ins
    /// always are; `poslab run` and `poslab eval` set a worker process (`PluginWorker`), so that a
    /// crash or an `exit()` in a plugin's code fails its run, not the suite.
    public var worker: PluginWorker?
    /// Where warnings and notes go (standard error by default).
    public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    public init(suite: Suite, store: ResultsStore, jobs: Int, trainer: Trainer? = nil) {
        self.suite = suite
        self.store = store
        self.jobs = max(1, jobs)
        self.trainer = trainer ?? Trainer(suite: suite)
    }

    /// What one call did.
    public struct Outcome: Sendable {
        /// Runs trained by this call.
        public var trained = 0
        /// Runs evaluated at new lengths from their checkpoints by this call (not trained).
        public var evaluated = 0
        /// With `evaluateOnly`: runs that need training to get the new lengths, and why.
        public var needTraining: [(run: String, reason: String)] = []
        /// Runs that failed in this call: label and message.
        public var failed: [(run: String, message: String)] = []
        /// Runs of the suite without a usable record at the end (e.g. after `stopAfter`).
        public var missing = 0
    }

    /// Runs the suite. `stopAfter` stops once that many runs have been trained in this call, as an
    /// interruption would (`poslab run --limit`). With `evaluateOnly` nothing is trained: runs are
    /// only evaluated from their checkpoints, and those that cannot be are listed in the outcome.
    @discardableResult
    public func run(stopAfter: Int? = nil, evaluateOnly: Bool = false) throws -> Outcome {
        let resolved = try trainer.resolve(suite.runs)
        var seen: [String: String] = [:]
        for run in resolved {
            if let other = seen[run.id] {
                throw ResultsError("suite \(suite.name): runs \(other) and \(run.plan.id) have the same resolved configuration; list it once")
            }
            seen[run.id] = run.plan.id
        }
        // Another suite live in the folder is refused before anything is written; the same suite shares it.
        let live = try SuiteLock.acquire(store, suite: suite, runs: resolved.map(\.id))
        defer { withExtendedLifetime(live) {} }
        for note in store.removeStaleLeftovers() { log(note) }
        for file in store.foreignFiles() { log("warning: \(file) is not a PosLab record; left alone") }

        // What is there already.
        var pending: [ResolvedRun] = []
        var failedBefore: [String: String] = [:]  // id → checksum of its failed record
        var done = 0
        var outcome = Outcome()
        var damagedCheckpoints: [String] = []
        var toEvaluate: [String: Int] = [:]  // why → runs evaluated from their checkpoints for it
        func needsTraining(_ run: ResolvedRun, _ reason: String) {
            if evaluateOnly { outcome.needTraining.append((run.plan.id, reason)) } else { pending.append(run) }
        }
        for run in resolved {
            switch store.record(run.id) {
            case .failure(let damage):
                if !evaluateOnly { log("warning: \(damage); run \(run.plan.id) will be trained again") }
                needsTraining(run, "its record \(damage.file) is damaged")
            case .success(nil):
                needsTraining(run, "it has not been trained")
            case .success(let record?):
                if record.status == .failed {
                    if !evaluateOnly { log("retrying \(run.plan.id), which failed before: \(record.message ?? "")") }
                    failedBefore[run.id] = record.checksum
                    needsTraining(run, "it failed: \(record.message ?? "")")
                } else if !record.covers(suite.evaluation) {
                    let missing = Set(suite.evaluation.lengths).subtracting(record.results.map(\.length)).sorted()
                    let unvalidated = Set(suite.evaluation.validation).subtracting((record.validation ?? []).map(\.length)).sorted()
                    let why = record.evaluationSize != suite.evaluation.size || record.evaluationSeed != suite.evaluation.seed
                        ? "its evaluation set changed (size \(record.evaluationSize) → \(suite.evaluation.size), seed \(record.evaluationSeed) → \(suite.evaluation.seed))"
                        : missing.isEmpty
                        ? "its record lacks validation length\(unvalidated.count == 1 ? "" : "s") \(unvalidated.map(String.init).joined(separator: ", "))"
                        : "its record lacks evaluation length\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", "))"
                    switch store.checkpointProblem(record) {
                    case nil:
                        toEvaluate[why, default: 0] += 1
                        pending.append(run)
                    case let problem?:
                        if !evaluateOnly { log("retraining \(run.plan.id): \(why), and \(problem)") }
                        if problem.damaged { damagedCheckpoints.append("\(run.plan.id): \(problem)") }
                        needsTraining(run, problem.description)
                    }
                } else {
                    done += 1
                }
            }
        }

        for (why, count) in toEvaluate.sorted(by: { $0.key < $1.key }) {
            log(count == 1 ? "evaluating 1 run from its checkpoint, not training it: \(why)"
                           : "evaluating \(count) runs from their checkpoints, not training them: \(why.replacingOccurrences(of: "its record lacks", with: "their records lack").replacingOccurrences(of: "its evaluation set", with: "their evaluation set"))")
        }
        // Records computed with another OpenBLAS kernel would be mixed with this process's numbers.
        if !pending.isEmpty, !allowMixedKernels {
            var others: [String: Int] = [:]
            for run in resolved {
                guard case .success(let record?) = store.record(run.id), record.status != .failed else { continue }
                let core = String(record.build.blasKernel.prefix { $0 != " " })
                if core != BLAS.kernel.core { others[core, default: 0] += 1 }
            }
            if !others.isEmpty {
                let list = others.sorted { $0.key < $1.key }.map { "\($0.value) with \($0.key)" }.joined(separator: ", ")
                throw ResultsError("\(store.directory.path): \(list) of this study's runs were computed with another OpenBLAS kernel than "
                                   + "this process's \(BLAS.kernel.core), and kernels give slightly different numbers; nothing was written. "
                                   + "Run where the kernel is the same (OPENBLAS_CORETYPE=\(others.keys.sorted().first!)), use another --out, "
                                   + "or pass --allow-mixed-kernels to mix them (each record names its kernel)")
            }
        }
        // Evaluating only, a damaged checkpoint is bad input: named before anything is written.
        if evaluateOnly, !damagedCheckpoints.isEmpty {
            throw ResultsError(damagedCheckpoints.joined(separator: "\n") + "\n"
                               + "`poslab run` of the suite retrains \(damagedCheckpoints.count == 1 ? "this run" : "these runs") (nothing was written)")
        }

        let started = Manifest.now()
        var manifest = Manifest(
            suite: suite, poslabVersion: Manifest.version, gitCommit: RunRecord.commit,
            swiftVersion: Manifest.swiftVersion, machine: Manifest.currentMachine(jobs: jobs), startedAt: started,
            finishedAt: nil, runsTotal: resolved.count, runsCompleted: done)
        manifest.resolve(resolved)
        if FileManager.default.fileExists(atPath: store.manifestURL.path), Manifest.read(store.manifestURL) == nil {
            log("warning: \(store.manifestURL.path) is damaged; writing it anew")
        }
        try manifest.write(to: store.manifestURL)
        let liveManifest = LiveManifest(manifest, url: store.manifestURL)

        BLAS.setThreads(1)  // one BLAS thread per run; runs fill the cores
        let progress = ProgressReporter(total: resolved.count, alreadyDone: done)
        let queue = ClaimQueue(pending, limit: stopAfter, log: log)
        let failure = FailureBox()
        let outcomes = OutcomeBox(outcome)
        let trainer = self.trainer, store = self.store, evaluation = suite.evaluation, checkpoint = suite.checkpoint
        let suite = self.suite, worker = self.worker
        let group = DispatchGroup()
        let failedBeforeNow = failedBefore
        /// Finished for this call: a usable record, or a failure recorded since this call began.
        @Sendable func settled(_ run: ResolvedRun) -> Bool {
            guard case .success(let record?) = store.record(run.id) else { return false }
            if record.status == .failed { return failedBeforeNow[run.id] != record.checksum }
            return record.covers(evaluation)
        }
        for _ in 0..<min(jobs, max(pending.count, 1)) {
            let thread = Thread {
                defer { group.leave() }
                while failure.error == nil, let run = queue.next() {
                    do {
                        if settled(run) { queue.finished(trained: false); progress.skipped(); continue }
                        let claim: RunClaim
                        switch try RunClaim.attempt(store.claimURL(run.id)) {
                        case .held(let holder): queue.defer(run, holder: holder); continue
                        case .acquired(let c): claim = c
                        }
                        defer { claim.release() }
                        if settled(run) { queue.finished(trained: false); progress.skipped(); continue }
                        // A record whose checkpoint can give the missing lengths is evaluated, not trained.
                        if case .success(let old?) = store.record(run.id), old.status != .failed,
                           store.checkpointProblem(old) == nil {
                            let record: RunRecord
                            if let worker, !run.pluginPaths.isEmpty {
                                do {
                                    record = try Self.extendInWorker(old, run: run, worker: worker, suite: suite,
                                                                     checkpoint: store.checkpointURL(run.id))
                                } catch let death as PluginWorker.Death {  // its record is left as it was
                                    let message = Self.crashMessage(run, death)
                                    queue.finished(trained: false)
                                    outcomes.failed(run.plan.id, message)
                                    progress.failed(run.plan, message: message)
                                    continue
                                }
                            } else {
                                record = try RunGuard.during(run, results: store.directory.path) {
                                    try Self.extend(old, run: run, trainer: trainer, checkpoint: store.checkpointURL(run.id), evaluation: evaluation)
                                }
                            }
                            try store.write(record)
                            liveManifest.runCompleted()
                            queue.finished(trained: false)
                            outcomes.evaluated()
                            progress.evaluated(run.plan, headline: Self.headline(record, length: run.plan.training.maxLength))
                            continue
                        }
                        if evaluateOnly {
                            queue.finished(trained: false)
                            outcomes.needsTraining(run.plan.id, "its checkpoint became unusable while waiting")
                            continue
                        }
                        progress.started(run.plan)
                        let saveTo = checkpoint ? store.checkpointURL(run.id) : nil
                        let onStep: (Int, Double) -> Void = { step, loss in
                            claim.touch()
                            progress.step(run.plan, step: step, of: run.plan.training.steps, loss: loss)
                        }
                        let record = if let worker, !run.pluginPaths.isEmpty {
                            Self.trainInWorker(run, worker: worker, suite: suite, checkpoint: saveTo, onStep: onStep)
                        } else {
                            RunGuard.during(run, results: store.directory.path) {
                                Self.train(run, trainer: trainer, evaluation: evaluation, checkpoint: saveTo, onStep: onStep)
                            }
                        }
                        try store.write(record)
                        queue.finished(trained: true)
                        if record.status == .failed {
                            outcomes.failed(run.plan.id, record.message ?? "")
                            progress.failed(run.plan, message: record.message ?? "")
                        } else {
                            liveManifest.runCompleted()
                            progress.finished(run.plan, status: record.status, wallSeconds: record.wallSeconds,
                                              headline: Self.headline(record, length: run.plan.training.maxLength))
                        }
                    } catch {
                        failure.set(error)
                        queue.stop()
                        queue.finished(trained: false)
                    }
                }
            }
            thread.stackSize = 16 << 20
            group.enter()
            thread.start()
        }
        group.wait()
        if let error = failure.error { throw error }
        progress.finish()

        let damaged = try store.rebuild(resolved)
        for damage in damaged { log("warning: \(damage); its run has no rows until it is trained again") }
        for change in store.selectionChanges { log(change) }
        var result = outcomes.value
        result.trained = queue.trainedCount
        let complete = resolved.filter { run in
            if case .success(let r?) = store.record(run.id) { return r.status != .failed && r.covers(evaluation) }
            return false
        }.count
        result.missing = resolved.count - complete - result.failed.count - result.needTraining.count
        manifest.runsCompleted = complete
        if complete == resolved.count { manifest.finishedAt = Manifest.now() }
        try manifest.write(to: store.manifestURL)
        return result
    }

    /// Trains one run into its record, saving its model to `checkpoint` if given (before the
    /// record, so a record that names a checkpoint always has it); an error becomes a failed record
    /// with its message. `onStep(step, loss)` is called at every logged step.
    static func train(_ run: ResolvedRun, trainer: Trainer, evaluation: Suite.Evaluation, checkpoint: URL?,
                      onStep: (Int, Double) -> Void) -> RunRecord {
        let start = Date()
        var saved: RunRecord.SavedCheckpoint?
        do {
            let result = try trainer.run(run.plan, keep: { model in
                guard let checkpoint else { return }
                let data = try model.checkpointContents(
                    configuration: String(decoding: run.configuration.canonicalJSON, as: UTF8.self),
                    metadata: ["run_id": run.id, "task": run.configuration.task, "evaluation_seed": String(evaluation.seed)]
                ).encoded(file: checkpoint.path)
                try data.write(to: checkpoint, options: .atomic)
                saved = RunRecord.SavedCheckpoint(file: checkpoint.lastPathComponent, sha256: SHA256.hex(data), bytes: data.count)
            }, progress: onStep)
            return RunRecord(run: run, evaluation: evaluation, status: result.status, steps: result.steps,
                           finalTrainLoss: result.finalTrainingLoss,
                           curve: result.curve.map { RunRecord.CurvePoint(step: $0.step, loss: $0.loss) },
                           results: result.evaluations, validation: result.validation, wallSeconds: result.wallSeconds,
                           checkpoint: saved)
        } catch {
            let message = (error as? CustomStringConvertible)?.description ?? "\(error)"
            return RunRecord(run: run, evaluation: evaluation, status: .failed, message: message, steps: 0, finalTrainLoss: .nan,
                           curve: [], results: [], wallSeconds: Date().timeIntervalSince(start))
        }
    }

    /// `record` evaluated at the lengths (and validation lengths) of `evaluation` it lacks (all of
    /// them if its evaluation set changed) from its checkpoint; a diverged run's new lengths are diverged too.
    static func extend(_ record: RunRecord, run: ResolvedRun, trainer: Trainer, checkpoint: URL,
                       evaluation: Suite.Evaluation) throws -> RunRecord {
        let start = Date()
        let sameSet = record.evaluationSize == evaluation.size && record.evaluationSeed == evaluation.seed
        let have = Set(sameSet ? record.results.map(\.length) : [])
        let lengths = evaluation.lengths.filter { !have.contains($0) }
        let haveValidation = Set(sameSet ? (record.validation ?? []).map(\.length) : [])
        let model = record.status == .diverged ? nil : checkpoint
        let results = try trainer.evaluate(checkpoint: model, task: run.plan.task, lengths: lengths, evaluation: evaluation)
        let validation = try trainer.evaluate(checkpoint: model, task: run.plan.task,
                                              lengths: evaluation.validation.filter { !haveValidation.contains($0) },
                                              evaluation: evaluation, split: .validation)
        return record.extended(with: results, validation: validation, evaluation: evaluation, seconds: Date().timeIntervalSince(start))
    }

    static func headline(_ record: RunRecord, length: Int) -> String {
        let loss = record.finalTrainLoss.isFinite ? String(format: "loss %.4f", record.finalTrainLoss) : "loss NaN"
        guard let e = record.results.first(where: { $0.length == length }) ?? record.results.first,
              let acc = e.tokenAccuracy else { return loss }
        return loss + String(format: ", accuracy@%d %.3f", e.length, acc)
    }
}

/// Hands out runs to worker threads in order, stopping after `limit` trained runs. A run held by
/// another process is deferred and offered again every half second until it is settled.
final class ClaimQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ResolvedRun]
    private var deferred: [ResolvedRun] = []
    private var remaining: Int
    private var stopped = false
    private var inFlight = 0
    private var announced = Set<String>()
    private(set) var trainedCount = 0
    private let log: @Sendable (String) -> Void

    init(_ items: [ResolvedRun], limit: Int?, log: @escaping @Sendable (String) -> Void) {
        self.items = items.reversed()
        remaining = limit ?? Int.max
        self.log = log
    }

    func next() -> ResolvedRun? {
        while true {
            lock.lock()
            if remaining <= 0 {
                let stop = inFlight == 0 || stopped
                lock.unlock()
                if stop { return nil }
                usleep(50_000)  // a run in flight may give its turn back
                continue
            }
            if let item = items.popLast() {
                inFlight += 1
                remaining -= 1  // given back if the run turns out not to need training here
                lock.unlock()
                return item
            }
            if deferred.isEmpty {
                let busy = inFlight > 0
                lock.unlock()
                if !busy { return nil }
                usleep(50_000)  // runs in flight may yet be deferred
                continue
            }
            // Only runs held elsewhere are left: wait, then offer them again.
            let batch = deferred
            deferred = []
            inFlight += 1
            lock.unlock()
            usleep(500_000)
            lock.withLock {
                inFlight -= 1
                items = batch.reversed() + items
            }
        }
    }

    /// Stops handing out runs (after an error that must end the call).
    func stop() { lock.withLock { remaining = 0; stopped = true } }

    /// A run taken by `next` was settled (trained here, or found finished).
    func finished(trained: Bool) {
        lock.withLock {
            inFlight -= 1
            if trained { trainedCount += 1 } else { remaining += 1 }
        }
    }

    /// A run taken by `next` is being trained by another process: offer it again later.
    func `defer`(_ run: ResolvedRun, holder: RunClaim.Holder) {
        lock.withLock {
            inFlight -= 1
            remaining += 1
            deferred.append(run)
            if announced.insert(run.id).inserted { log("waiting for \(run.plan.id): claimed by \(holder)") }
        }
    }
}

/// The first error any worker hit.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    var error: Error? { lock.withLock { stored } }
    func set(_ error: Error) { lock.withLock { if stored == nil { stored = error } } }
}

/// Failures and counts collected from worker threads.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: SuiteRunner.Outcome
    init(_ initial: SuiteRunner.Outcome) { stored = initial }
    var value: SuiteRunner.Outcome { lock.withLock { stored } }
    func failed(_ run: String, _ message: String) { lock.withLock { stored.failed.append((run, message)) } }
    func evaluated() { lock.withLock { stored.evaluated += 1 } }
    func needsTraining(_ run: String, _ reason: String) { lock.withLock { stored.needTraining.append((run, reason)) } }
}
