import Foundation
import PosLabModel
import PosLabTasks

/// Runs every run of a suite that has no usable record yet, `jobs` at a time, records each as it
/// finishes, then derives runs.csv and curves.csv from the records.
///
/// A run is skipped when its record (same configuration, hence same id) has numbers for the
/// suite's evaluation settings; a record lacking an evaluation length is retrained (and progress
/// says so); a failed or damaged record is retrained. An error inside one run is recorded as a
/// failed run and the others go on. Runs claimed by another process sharing the folder are left
/// to it, and waited for.
public struct SuiteRunner {
    public let suite: Suite
    public let store: ResultsStore
    public let jobs: Int
    public let trainer: Trainer
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
        /// Runs that failed in this call: label and message.
        public var failed: [(run: String, message: String)] = []
        /// Runs of the suite without a usable record at the end (e.g. after `stopAfter`).
        public var missing = 0
    }

    /// Runs the suite. `stopAfter` stops once that many runs have been trained in this call, as an
    /// interruption would (`poslab run --limit`).
    @discardableResult
    public func run(stopAfter: Int? = nil) throws -> Outcome {
        let resolved = try trainer.resolve(suite.runs)
        var seen: [String: String] = [:]
        for run in resolved {
            if let other = seen[run.id] {
                throw ResultsError("suite \(suite.name): runs \(other) and \(run.plan.id) have the same resolved configuration; list it once")
            }
            seen[run.id] = run.plan.id
        }
        for file in store.foreignFiles() { log("warning: \(file) is not a PosLab record; left alone") }

        // What is there already.
        var pending: [ResolvedRun] = []
        var failedBefore: [String: String] = [:]  // id → checksum of its failed record
        var done = 0
        for run in resolved {
            switch store.record(run.id) {
            case .failure(let damage):
                log("warning: \(damage); run \(run.plan.id) will be trained again")
                pending.append(run)
            case .success(nil):
                pending.append(run)
            case .success(let record?):
                if record.status == .failed {
                    log("retrying \(run.plan.id), which failed before: \(record.message ?? "")")
                    failedBefore[run.id] = record.checksum
                    pending.append(run)
                } else if !record.covers(suite.evaluation) {
                    let missing = Set(suite.evaluation.lengths).subtracting(record.results.map(\.length)).sorted()
                    let why = record.evaluationSize != suite.evaluation.size || record.evaluationSeed != suite.evaluation.seed
                        ? "its evaluation set changed (size \(record.evaluationSize) → \(suite.evaluation.size), seed \(record.evaluationSeed) → \(suite.evaluation.seed))"
                        : "its record lacks evaluation length\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", "))"
                    log("retraining \(run.plan.id): \(why) (models are not kept, so the run is trained again)")
                    pending.append(run)
                } else {
                    done += 1
                }
            }
        }

        let started = Manifest.now()
        var manifest = Manifest(
            suite: suite, poslabVersion: Manifest.version, gitCommit: RunFile.commit,
            swiftVersion: Manifest.swiftVersion, machine: Manifest.currentMachine(jobs: jobs), startedAt: started,
            finishedAt: nil, runsTotal: resolved.count, runsCompleted: done)
        if FileManager.default.fileExists(atPath: store.manifestURL.path), Manifest.read(store.manifestURL) == nil {
            log("warning: \(store.manifestURL.path) is damaged; writing it anew")
        }
        try manifest.write(to: store.manifestURL)

        BLAS.setThreads(1)  // one BLAS thread per run; runs fill the cores
        let progress = ProgressReporter(total: resolved.count, alreadyDone: done)
        let queue = ClaimQueue(pending, limit: stopAfter, log: log)
        let failure = FailureBox()
        let outcome = OutcomeBox()
        let trainer = self.trainer, store = self.store, evaluation = suite.evaluation
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
                        let record = Self.train(run, trainer: trainer, evaluation: evaluation, progress: progress, claim: claim)
                        try store.write(record)
                        queue.finished(trained: true)
                        if record.status == .failed {
                            outcome.failed(run.plan.id, record.message ?? "")
                            progress.failed(run.plan, message: record.message ?? "")
                        } else {
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
        var result = outcome.value
        result.trained = queue.trainedCount
        let complete = resolved.filter { run in
            if case .success(let r?) = store.record(run.id) { return r.status != .failed && r.covers(evaluation) }
            return false
        }.count
        result.missing = resolved.count - complete - result.failed.count
        manifest.runsCompleted = complete
        if complete == resolved.count { manifest.finishedAt = Manifest.now() }
        try manifest.write(to: store.manifestURL)
        return result
    }

    /// Trains one run into its record; an error becomes a failed record with its message.
    static func train(_ run: ResolvedRun, trainer: Trainer, evaluation: Suite.Evaluation, progress: ProgressReporter,
                      claim: RunClaim) -> RunFile {
        progress.started(run.plan)
        let start = Date()
        let steps = run.plan.training.steps
        do {
            let result = try trainer.run(run.plan) { step, loss in
                claim.touch()
                progress.step(run.plan, step: step, of: steps, loss: loss)
            }
            return RunFile(run: run, evaluation: evaluation, status: result.status, steps: result.steps,
                           finalTrainLoss: result.finalTrainingLoss,
                           curve: result.curve.map { RunFile.CurvePoint(step: $0.step, loss: $0.loss) },
                           results: result.evaluations, wallSeconds: result.wallSeconds)
        } catch {
            let message = (error as? CustomStringConvertible)?.description ?? "\(error)"
            return RunFile(run: run, evaluation: evaluation, status: .failed, message: message, steps: 0, finalTrainLoss: .nan,
                           curve: [], results: [], wallSeconds: Date().timeIntervalSince(start))
        }
    }

    static func headline(_ record: RunFile, length: Int) -> String {
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

/// Failures collected from worker threads.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = SuiteRunner.Outcome()
    var value: SuiteRunner.Outcome { lock.withLock { stored } }
    func failed(_ run: String, _ message: String) { lock.withLock { stored.failed.append((run, message)) } }
}
