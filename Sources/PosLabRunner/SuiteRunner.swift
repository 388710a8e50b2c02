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
        /// runs.csv as this call wrote it (`ResultsStore.Rebuilt.runsTable`), so that what is derived
        /// from it (summary.csv, the report) reads exactly its strings without reading the file again.
        public var runsTable = CSVTable(header: ResultsStore.runColumns)
    }

    /// Runs the suite. `stopAfter` stops once that many runs have been trained in this call, as an
    /// interruption would (`poslab run --limit`). With `evaluateOnly` nothing is trained: runs are
    /// only evaluated from their checkpoints, and those that cannot be are listed in the outcome.
    @discardableResult
    public func run(stopAfter: Int? = nil, evaluateOnly: Bool = false) throws -> Outcome {
        let resolved = try resolveRuns()
        // Another suite live in the folder is refused before anything is written; the same suite shares it.
        let live = try SuiteLock.acquire(store, suite: suite, runs: resolved.map(\.id))
        defer { withExtendedLifetime(live) {} }
        for note in store.removeStaleLeftovers() { log(note) }
        for file in store.foreignFiles() { log("warning: \(file) is not a PosLab record; left alone") }

        let survey = self.survey(resolved, evaluateOnly: evaluateOnly)
        announceEvaluations(survey.toEvaluate)
        if !survey.pending.isEmpty, !allowMixedKernels { try refuseMixedKernels(survey.records) }
        // Evaluating only, a damaged checkpoint is bad input: named before anything is written.
        if evaluateOnly, !survey.damagedCheckpoints.isEmpty {
            throw ResultsError(survey.damagedCheckpoints.joined(separator: "\n") + "\n"
                               + "`poslab run` of the suite retrains \(survey.damagedCheckpoints.count == 1 ? "this run" : "these runs") (nothing was written)")
        }

        var manifest = try startManifest(resolved, done: survey.done)
        let (outcome, trained) = try work(survey, total: resolved.count, stopAfter: stopAfter, evaluateOnly: evaluateOnly,
                                          manifest: manifest)
        return try finish(resolved, outcome: outcome, trained: trained, manifest: &manifest)
    }

    /// The suite's runs resolved to their identities; two runs with one identity are refused.
    private func resolveRuns() throws -> [ResolvedRun] {
        let resolved = try trainer.resolve(suite.runs)
        var seen: [String: String] = [:]
        for run in resolved {
            if let other = seen[run.id] {
                throw ResultsError("suite \(suite.name): runs \(other) and \(run.plan.id) have the same resolved configuration; list it once")
            }
            seen[run.id] = run.plan.id
        }
        return resolved
    }

    /// What the records already say: which runs are done, which to train, which to evaluate from
    /// their checkpoints (and why).
    private struct Survey {
        var pending: [ResolvedRun] = []
        var failedBefore: [String: String] = [:]  // id → checksum of its failed record
        var records: [String: RunRecord] = [:]    // id → its record, if readable
        var done = 0
        var outcome = Outcome()
        var damagedCheckpoints: [String] = []
        var toEvaluate: [String: Int] = [:]  // why → runs evaluated from their checkpoints for it
    }

    /// Reads every run's record (logging what will be retried or retrained) into a `Survey`.
    private func survey(_ resolved: [ResolvedRun], evaluateOnly: Bool) -> Survey {
        var survey = Survey()
        func needsTraining(_ run: ResolvedRun, _ reason: String) {
            if evaluateOnly { survey.outcome.needTraining.append((run.plan.id, reason)) } else { survey.pending.append(run) }
        }
        for run in resolved {
            switch store.record(run.id) {
            case .failure(let damage):
                if !evaluateOnly { log("warning: \(damage); run \(run.plan.id) will be trained again") }
                needsTraining(run, "its record \(damage.file) is damaged")
            case .success(nil):
                needsTraining(run, "it has not been trained")
            case .success(let record?):
                survey.records[run.id] = record
                if record.status == .failed {
                    if !evaluateOnly { log("retrying \(run.plan.id), which failed before: \(record.message ?? "")") }
                    survey.failedBefore[run.id] = record.checksum
                    needsTraining(run, "it failed: \(record.message ?? "")")
                } else if !record.covers(suite.evaluation) {
                    let why = Self.whyEvaluate(record, suite.evaluation)
                    switch store.checkpointProblem(record) {
                    case nil:
                        survey.toEvaluate[why, default: 0] += 1
                        survey.pending.append(run)
                    case let problem?:
                        if !evaluateOnly { log("retraining \(run.plan.id): \(why), and \(problem)") }
                        if problem.damaged { survey.damagedCheckpoints.append("\(run.plan.id): \(problem)") }
                        needsTraining(run, problem.description)
                    }
                } else {
                    survey.done += 1
                }
            }
        }
        return survey
    }

    /// Why a record that does not cover `evaluation` needs evaluating.
    private static func whyEvaluate(_ record: RunRecord, _ evaluation: Suite.Evaluation) -> String {
        let missing = Set(evaluation.lengths).subtracting(record.results.map(\.length)).sorted()
        let unvalidated = Set(evaluation.validation).subtracting((record.validation ?? []).map(\.length)).sorted()
        return record.evaluationSize != evaluation.size || record.evaluationSeed != evaluation.seed
            ? "its evaluation set changed (size \(record.evaluationSize) → \(evaluation.size), seed \(record.evaluationSeed) → \(evaluation.seed))"
            : missing.isEmpty
            ? "its record lacks validation length\(unvalidated.count == 1 ? "" : "s") \(unvalidated.map(String.init).joined(separator: ", "))"
            : "its record lacks evaluation length\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", "))"
    }

    /// Says how many runs are evaluated from their checkpoints, and why.
    private func announceEvaluations(_ toEvaluate: [String: Int]) {
        for (why, count) in toEvaluate.sorted(by: { $0.key < $1.key }) {
            log(count == 1 ? "evaluating 1 run from its checkpoint, not training it: \(why)"
                           : "evaluating \(count) runs from their checkpoints, not training them: \(why.replacingOccurrences(of: "its record lacks", with: "their records lack").replacingOccurrences(of: "its evaluation set", with: "their evaluation set"))")
        }
    }

    /// Refuses to mix new numbers with records (the survey's, by run id) computed with another OpenBLAS kernel.
    private func refuseMixedKernels(_ records: [String: RunRecord]) throws {
        var others: [String: Int] = [:]
        for record in records.values where record.status != .failed {
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

    /// Writes manifest.json as the call starts: the suite, this build and machine, the runs done.
    private func startManifest(_ resolved: [ResolvedRun], done: Int) throws -> Manifest {
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
        return manifest
    }

    /// Works through the pending runs on `jobs` threads; returns the outcome and how many runs were trained.
    private func work(_ survey: Survey, total: Int, stopAfter: Int?, evaluateOnly: Bool,
                      manifest: Manifest) throws -> (Outcome, trained: Int) {
        let liveManifest = LiveManifest(manifest, url: store.manifestURL)
        // One BLAS thread per run (runs fill the cores), for this call only: the caller's setting is
        // restored on return, so that a program embedding PosLab keeps its own.
        let callersBLASThreads = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(callersBLASThreads) }
        let progress = ProgressReporter(total: total, alreadyDone: survey.done)
        let queue = ClaimQueue(survey.pending, limit: stopAfter, log: log)
        let failure = FailureBox()
        let outcomes = OutcomeBox(survey.outcome)
        let shared = RunWork(trainer: trainer, store: store, suite: suite, worker: worker, evaluateOnly: evaluateOnly,
                             failedBefore: survey.failedBefore, queue: queue, outcomes: outcomes, progress: progress,
                             liveManifest: liveManifest)
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(survey.pending.count, 1)) {
            let thread = Thread {
                defer { group.leave() }
                while failure.error == nil, let run = queue.next() {
                    do { try shared.take(run) } catch {
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
        return (outcomes.value, queue.trainedCount)
    }

    /// Derives runs.csv and curves.csv from the records, counts what is missing (from the records
    /// the rebuild read), and writes the manifest's final counts.
    private func finish(_ resolved: [ResolvedRun], outcome: Outcome, trained: Int, manifest: inout Manifest) throws -> Outcome {
        let rebuilt = try store.rebuild(resolved)
        for damage in rebuilt.damaged { log("warning: \(damage); its run has no rows until it is trained again") }
        for change in store.selectionChanges { log(change) }
        var result = outcome
        result.trained = trained
        result.runsTable = rebuilt.runsTable
        let complete = resolved.filter { run in
            rebuilt.records[run.id].map { $0.status != .failed && $0.covers(suite.evaluation) } ?? false
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
