import Foundation
import PosLabModel
import PosLabTasks

/// Runs every unfinished run of a suite, `jobs` at a time, and records each as it finishes.
public struct SuiteRunner {
    public let suite: Suite
    public let store: ResultsStore
    public let jobs: Int
    public let trainer: Trainer

    public init(suite: Suite, store: ResultsStore, jobs: Int, trainer: Trainer? = nil) {
        self.suite = suite
        self.store = store
        self.jobs = max(1, jobs)
        self.trainer = trainer ?? Trainer(suite: suite)
    }

    /// Runs the suite. `stopAfter` stops once that many runs have finished in this call, as an
    /// interruption would (`poslab run --limit`).
    public func run(stopAfter: Int? = nil) throws {
        let started = Manifest.now()
        let all = suite.runs
        let done = store.completedRunIDs
        let pending = all.filter { !done.contains($0.id) }
        var manifest = Manifest.read(store.manifestURL) ?? Manifest(
            suite: suite, poslabVersion: Manifest.version, gitCommit: Manifest.gitCommit(),
            swiftVersion: Manifest.swiftVersion, machine: Manifest.currentMachine(jobs: jobs), startedAt: started,
            finishedAt: nil, runsTotal: all.count, runsCompleted: done.count)
        try manifest.write(to: store.manifestURL)

        BLAS.setThreads(1)  // one BLAS thread per run; runs fill the cores
        let progress = ProgressReporter(total: all.count, alreadyDone: done.count)
        let queue = WorkQueue(pending, limit: stopAfter)
        let failure = FailureBox()
        let trainer = self.trainer, store = self.store, steps = suite.training.steps
        let headlineLength = suite.training.maxLength
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(pending.count, 1)) {
            let thread = Thread {
                defer { group.leave() }
                while failure.error == nil, let plan = queue.next() {
                    progress.started(plan)
                    do {
                        let result = try trainer.run(plan) { step, loss in
                            progress.step(plan, step: step, of: steps, loss: loss)
                        }
                        try store.record(result)
                        progress.finished(result, headline: Self.headline(result, length: headlineLength))
                    } catch {
                        failure.set(error)
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
        if store.completedRunIDs.count == all.count {
            try store.sortByRunOrder()
            manifest.finishedAt = Manifest.now()
        }
        manifest.runsCompleted = store.completedRunIDs.count
        try manifest.write(to: store.manifestURL)
    }

    static func headline(_ result: RunResult, length: Int) -> String {
        let loss = result.finalTrainingLoss.isFinite ? String(format: "loss %.4f", result.finalTrainingLoss) : "loss NaN"
        guard let e = result.evaluations.first(where: { $0.length == length }) ?? result.evaluations.first,
              let acc = e.tokenAccuracy else { return loss }
        return loss + String(format: ", accuracy@%d %.3f", e.length, acc)
    }
}

/// Hands out runs to worker threads in order; stops after `limit` if given.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RunPlan]
    private var remaining: Int

    init(_ items: [RunPlan], limit: Int?) {
        self.items = items.reversed()
        remaining = limit ?? Int.max
    }

    func next() -> RunPlan? {
        lock.withLock {
            guard remaining > 0, let item = items.popLast() else { return nil }
            remaining -= 1
            return item
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
