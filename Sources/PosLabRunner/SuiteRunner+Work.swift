import Foundation
import PosLabResults
import PosLabStudy

/// What the threads of `SuiteRunner.run` share, and the work on one run taken from the queue:
/// skipped when settled, else claimed, then evaluated from its checkpoint or trained, and recorded.
struct RunWork: Sendable {
    let trainer: Trainer, store: ResultsStore, suite: Suite, worker: PluginWorker?
    let evaluateOnly: Bool
    /// id → the checksum of its failed record when the call began.
    let failedBefore: [String: String]
    let queue: ClaimQueue, outcomes: OutcomeBox, progress: ProgressReporter, liveManifest: LiveManifest

    /// Finished for this call: `current`, the run's record as read now, is usable, or a failure
    /// recorded since this call began.
    func settled(_ run: ResolvedRun, _ current: Result<RunRecord?, RecordDamage>) -> Bool {
        guard case .success(let record?) = current else { return false }
        if record.status == .failed { return failedBefore[run.id] != record.checksum }
        return record.covers(suite.evaluation)
    }

    /// Works on `run`, just taken from the queue.
    func take(_ run: ResolvedRun) throws {
        if settled(run, store.record(run.id)) { queue.finished(trained: false); progress.skipped(); return }
        let claim: RunClaim
        switch try RunClaim.attempt(store.claimURL(run.id)) {
        case .held(let holder): queue.defer(run, holder: holder); return
        case .acquired(let c): claim = c
        }
        defer { claim.release() }
        let current = store.record(run.id)  // read again now that the run is ours: another process may have finished it
        if settled(run, current) { queue.finished(trained: false); progress.skipped(); return }
        // A record whose checkpoint can give the missing lengths is evaluated, not trained.
        if case .success(let old?) = current, old.status != .failed, store.checkpointProblem(old) == nil {
            try evaluate(old, run: run)
        } else if evaluateOnly {
            queue.finished(trained: false)
            outcomes.needsTraining(run.plan.id, "its checkpoint became unusable while waiting")
        } else {
            try train(run, claim: claim)
        }
    }

    /// Evaluates `old`, the record of `run`, at the lengths it lacks from its checkpoint.
    private func evaluate(_ old: RunRecord, run: ResolvedRun) throws {
        let record: RunRecord
        if let worker, !run.pluginPaths.isEmpty {
            do {
                record = try SuiteRunner.extendInWorker(old, run: run, worker: worker, suite: suite,
                                                        checkpoint: store.checkpointURL(run.id))
            } catch let death as PluginWorker.Death {  // its record is left as it was
                let message = SuiteRunner.crashMessage(run, death)
                queue.finished(trained: false)
                outcomes.failed(run.plan.id, message)
                progress.failed(run.plan, message: message)
                return
            }
        } else {
            let trainer = self.trainer, store = self.store, evaluation = suite.evaluation
            record = try RunGuard.during(run, results: store.directory.path) {
                try SuiteRunner.extend(old, run: run, trainer: trainer, checkpoint: store.checkpointURL(run.id), evaluation: evaluation)
            }
        }
        try store.write(record)
        liveManifest.runCompleted()
        queue.finished(trained: false)
        outcomes.evaluated()
        progress.evaluated(run.plan, headline: SuiteRunner.headline(record, length: run.plan.training.maxLength))
    }

    /// Trains `run`, held by `claim` (touched at every logged step), and records it.
    private func train(_ run: ResolvedRun, claim: RunClaim) throws {
        progress.started(run.plan)
        let saveTo = suite.checkpoint ? store.checkpointURL(run.id) : nil
        let progress = self.progress
        let onStep: (Int, Double) -> Void = { step, loss in
            claim.touch()
            progress.step(run.plan, step: step, of: run.plan.training.steps, loss: loss)
        }
        let trainer = self.trainer, evaluation = suite.evaluation
        let record = if let worker, !run.pluginPaths.isEmpty {
            SuiteRunner.trainInWorker(run, worker: worker, suite: suite, checkpoint: saveTo, onStep: onStep)
        } else {
            RunGuard.during(run, results: store.directory.path) {
                SuiteRunner.train(run, trainer: trainer, evaluation: evaluation, checkpoint: saveTo, onStep: onStep)
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
                              headline: SuiteRunner.headline(record, length: run.plan.training.maxLength))
        }
    }
}
