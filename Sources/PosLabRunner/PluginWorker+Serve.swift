import Foundation
import PosLabModel
import PosLabResults
import PosLabStudy
import PosLabTasks

extension PluginWorker {
    /// The worker's side (`poslab worker`): reads a `Request` from `input`, loads the suite's
    /// plugins, does the job and writes its answer lines with `write`, the last one `done`. Returns
    /// the exit status: 0 when the job ran (a run that failed is a record, not an error), 2 when the
    /// request or a plugin could not be used (an `error` line says why).
    public static func serve(_ input: Data, write: (String) -> Void) -> Int32 {
        func say(_ line: WorkerLine) { write(line.text) }
        do {
            let request = try decoder.decode(Request.self, from: input)
            let suite = request.suite
            for path in suite.plugins {
                try PluginPath.check(path)
                try PluginLoader.load(path)
            }
            let runs = suite.runs
            guard request.indices.allSatisfy(runs.indices.contains) else { throw ResultsError("worker: a run index outside the suite's \(runs.count) runs") }
            let trainer = Trainer(suite: suite)
            switch request.job {
            case .check:
                for index in request.indices {
                    let plan = runs[index]
                    say(.begin(plan.encoding.description))
                    let verdict: (Bool, String)
                    do {
                        let task = try TaskRegistry.shared.make(plan.task)
                        verdict = try ConformanceChecker.changesOutput(plan.encoding, config: plan.modelConfig(for: task), seed: plan.seed)
                    } catch {
                        verdict = (true, "not checked (\(error)); the run reports it")  // e.g. a hook's wrong shape: the run fails naming it
                    }
                    say(.verdict(spec: plan.encoding.description, changes: verdict.0, detail: verdict.1))
                }
            case .train, .extend:
                let run = try trainer.resolve([runs[request.indices[0]]])[0]
                guard run.id == request.id else {
                    throw ResultsError("worker: run \(run.plan.id) resolves to \(run.id), not \(request.id ?? "?") (a plugin changed while the suite ran?)")
                }
                BLAS.setThreads(1)  // one BLAS thread per run, as in the parent
                let checkpoint = request.checkpoint.map { URL(fileURLWithPath: $0) }
                let record: RunRecord
                if request.job == .train {
                    record = SuiteRunner.train(run, trainer: trainer, evaluation: suite.evaluation, checkpoint: checkpoint) { step, loss in
                        say(.step(step, loss))
                    }
                } else {
                    guard let old = request.record, let checkpoint else { throw ResultsError("worker: extend without a record and its checkpoint") }
                    record = try SuiteRunner.extend(old, run: run, trainer: trainer, checkpoint: checkpoint, evaluation: suite.evaluation)
                }
                say(.record(String(decoding: try RunRecord.encoder.encode(record), as: UTF8.self)))
            }
            say(.done)
            return 0
        } catch {
            say(.error((error as? CustomStringConvertible)?.description ?? "\(error)"))
            say(.done)
            return 2
        }
    }

    /// JSON for requests: a record's non-finite numbers as strings, as in run records.
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
