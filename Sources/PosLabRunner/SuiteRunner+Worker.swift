import Foundation
import PosLabResults
import PosLabStudy

/// A plugin encoding's run in a worker process (`PluginWorker`): a crash or an `exit()` in the
/// plugin's code becomes that run's failure, named with the signal or the status, and the suite goes on.
extension SuiteRunner {
    /// `train` done by `worker`; a worker that dies gives a failed record whose message names the
    /// encoding, its plugin and how the worker ended (e.g. "signal 11 (SIGSEGV)").
    static func trainInWorker(_ run: ResolvedRun, worker: PluginWorker, suite: Suite, checkpoint: URL?,
                              onStep: (Int, Double) -> Void) -> RunRecord {
        let start = Date()
        let message: String
        do {
            return try worker.record(for: PluginWorker.Request(job: .train, suite: suite, indices: [run.plan.index], id: run.id,
                                                               checkpoint: checkpoint?.path), onStep: onStep)
        } catch let death as PluginWorker.Death {
            message = crashMessage(run, death)
        } catch {
            message = (error as? CustomStringConvertible)?.description ?? "\(error)"
        }
        return RunRecord(run: run, evaluation: suite.evaluation, status: .failed, message: message, steps: 0, finalTrainLoss: .nan,
                       curve: [], results: [], wallSeconds: Date().timeIntervalSince(start))
    }

    /// `extend` done by `worker`. Throws `PluginWorker.Death` when the worker dies (the record is
    /// then left as it is), and what the worker reported when it could not evaluate.
    static func extendInWorker(_ record: RunRecord, run: ResolvedRun, worker: PluginWorker, suite: Suite, checkpoint: URL) throws -> RunRecord {
        try worker.record(for: PluginWorker.Request(job: .extend, suite: suite, indices: [run.plan.index], id: run.id,
                                                    checkpoint: checkpoint.path, record: record))
    }

    /// What a failed run's record says when its worker died.
    static func crashMessage(_ run: ResolvedRun, _ death: PluginWorker.Death) -> String {
        "encoding \(run.plan.encoding) from plugin \(run.pluginPaths.joined(separator: ", ")) \(death); "
            + "the other runs went on, and `poslab run` retries this one: fix or remove the encoding first (`poslab check-plugin` on the plugin names the hook)"
    }
}
