import Foundation
import PosLabModel
import PosLabStudy

extension ResultsStore {
    /// What `rebuild` read and wrote, so that its callers need read neither the records nor runs.csv again.
    public struct Rebuilt: Sendable {
        /// The damaged records, in suite order (their runs have no rows).
        public var damaged: [RecordDamage] = []
        /// The records read, by run id (a run without a record, or with a damaged one, has none).
        public var records: [String: RunRecord] = [:]
        /// runs.csv as written: its header and rows, exactly the strings in the file.
        public var runsTable = CSVTable(header: ResultsStore.runColumns)
        /// The run ids with rows in `runsTable`.
        public var completedRunIDs: Set<String> { ResultsStore.runIDs(in: runsTable.rows) }
    }

    /// Rewrites runs.csv and curves.csv from the records of `runs`, in suite order, evaluated at
    /// the suite's lengths, reading each record once. Runs without a usable record have no rows; a
    /// record evaluated on the suite's set but not yet at every length (a study growing) has rows
    /// at the lengths it has. Returns the damaged records, the records read and runs.csv as written.
    @discardableResult
    public func rebuild(_ runs: [ResolvedRun]) throws -> Rebuilt {
        var rebuilt = readRecords(runs)
        var curves = CSVTable(header: Self.curveColumns)
        for run in runs {
            guard let record = rebuilt.records[run.id] else { continue }
            let e = suite.evaluation
            let lengths = record.status == .failed || record.covers(e) ? e.lengths
                : record.evaluationSize == e.size && record.evaluationSeed == e.seed
                    ? e.lengths.filter { l in record.results.contains { $0.length == l } } : []
            guard !lengths.isEmpty else { continue }
            rebuilt.runsTable.rows += Self.rows(record, suite: suite.name, lengths: lengths)
            curves.rows += record.curve.map { [record.id, String($0.step), CSVTable.field($0.loss)] }
        }
        // A tuned suite: the validation rows, and which grid point each (task, encoding) is reported at.
        var selection: Selection?
        var validation = CSVTable(header: Self.runColumns)
        if let tuning = suite.tuning {
            var scored: [(record: RunRecord, point: GridPoint)] = []
            for run in runs {
                guard let record = rebuilt.records[run.id], record.status != .failed else { continue }
                scored.append((record, run.plan.point))
                let lengths = suite.evaluation.validation.filter { l in (record.validation ?? []).contains { $0.length == l } }
                var scoredOnValidation = record
                scoredOnValidation.results = record.validation ?? []
                validation.rows += Self.rows(scoredOnValidation, suite: suite.name, lengths: lengths)
            }
            selection = Selection(tuning: tuning, lengths: suite.evaluation.validation, records: scored)
        }
        try withFolderLock {
            try curves.write(to: curvesURL)
            if let selection {
                let before = (try? SelectionFilter.load(directory: directory)) ?? nil
                selectionChanges = selection.changes(since: before)
                try validation.write(to: validationURL)
                try selection.table.write(to: selectionURL)
            }
            try rebuilt.runsTable.write(to: runsURL)
        }
        return rebuilt
    }

    /// The records of `runs`, each read once, and the damaged ones in suite order.
    private func readRecords(_ runs: [ResolvedRun]) -> Rebuilt {
        var rebuilt = Rebuilt()
        for run in runs {
            switch record(run.id) {
            case .success(let record?): rebuilt.records[run.id] = record
            case .success(nil): break
            case .failure(let damage): rebuilt.damaged.append(damage)
            }
        }
        return rebuilt
    }

    /// runs.csv rows of one record at `lengths`.
    static func rows(_ r: RunRecord, suite: String, lengths: [Int]) -> [[String]] {
        let m = r.configuration.model, t = r.configuration.training, f = CSVTable.field
        let run: [RunColumn: String] = [
            .suite: suite, .runID: r.id, .task: r.taskName, .taskArgs: r.taskArguments, .encoding: r.encodingName,
            .encodingArgs: r.encodingArguments, .seed: String(r.configuration.seed),
            .dModel: String(m.dModel), .layers: String(m.layers), .heads: String(m.heads), .attention: m.attention.rawValue,
            .trainingSteps: String(t.steps), .batchSize: String(t.batchSize), .trainLengthMin: String(t.minLength),
            .trainLengthMax: String(t.maxLength), .optimizer: t.optimizer, .learningRate: "\(t.learningRate)",
            .weightDecay: "\(t.weightDecay)", .clipNorm: "\(t.clipNorm)", .logEvery: String(t.logEvery),
            .steps: String(r.steps), .finalTrainLoss: f(r.finalTrainLoss), .wallSeconds: String(format: "%.3f", r.wallSeconds),
            .message: r.message ?? "",
        ]
        return lengths.flatMap { length in
            // One row per result at this length (a corpus task has one per protocol); a failed run has none.
            // A length whose evaluation loss overflowed (NaN or infinite: recorded before PosLab marked it) is diverged there.
            let results: [EvaluationResult?] = r.results.filter { $0.length == length }.map { e in
                guard e.status == .ok, !(e.loss?.isFinite ?? false) else { return e }
                return EvaluationResult(length: e.length, status: .diverged, evaluationProtocol: e.evaluationProtocol, sequenceLength: e.sequenceLength)
            }
            return (results.isEmpty ? [nil] : results).map { (e: EvaluationResult?) -> [String] in
                let evaluation: [RunColumn: String] = [
                    .evalLength: String(length), .sequenceLength: String(e?.sequenceLength ?? length),
                    .evalSize: String(r.evaluationSize), .evalSeed: String(r.evaluationSeed), .evalProtocol: e?.protocolName ?? "",
                    .tokenAccuracy: f(e?.tokenAccuracy), .sequenceAccuracy: f(e?.sequenceAccuracy),
                    .generatedTokenAccuracy: f(e?.generatedTokenAccuracy), .evalLoss: f(e?.loss),
                    .perplexity: f(e?.perplexity), .bitsPerByte: f(e?.bitsPerByte), .status: (e?.status ?? r.status).rawValue,
                ]
                return RunColumn.row(run.merging(evaluation) { _, evaluated in evaluated })
            }
        }
    }
}
