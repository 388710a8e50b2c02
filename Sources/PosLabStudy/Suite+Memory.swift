import PosLabModel
import PosLabTasks

// MARK: - The memory a suite needs, checked before anything is written

extension Suite {
    /// The estimated peak memory of the suite's largest run, and which run that is.
    public func largestRun(encodings: EncodingRegistry = .shared, tasks: TaskRegistry = .shared) throws
        -> (estimate: MemoryEstimate, run: String)? {
        var largest: (estimate: MemoryEstimate, run: String)?
        let longestEvaluation = evaluation.lengths.max() ?? 1
        for point in points {
            for taskSpec in self.tasks {
                let task = try tasks.make(taskSpec)
                let config = ModelConfig(vocabSize: task.vocabSize, dModel: point.model.dModel, layers: point.model.layers,
                                         heads: point.model.heads, maxLength: task.sequenceLength(size: point.training.maxLength),
                                         attention: point.model.attention)
                for encodingSpec in self.encodings {
                    // Built-in encodings hold few weights but a learned table (bounded to 2^28 floats).
                    let encoding = try encodings.make(encodingSpec, context: EncodingContext(config: config, seed: 0))
                    let own = encoding.parameters.reduce(0) { $0 + $1.count }
                    let estimate = MemoryEstimate(config: config, encodingParameters: own, batch: point.training.batchSize,
                                                  trainLength: config.maxLength,
                                                  evaluationLength: task.sequenceLength(size: longestEvaluation),
                                                  evaluationSize: evaluation.size, blockedAttention: encoding.attentionInBlocks,
                                                  scoreHook: MemoryEstimate.scoreHookFloats(encoding))
                    if largest == nil || estimate.peak > largest!.estimate.peak {
                        let at = point.label.isEmpty ? "" : " at \(point.label)"
                        largest = (estimate, "\(taskSpec) × \(encodingSpec)\(at)")
                    }
                }
            }
        }
        return largest
    }

    /// Throws, naming the key to change, when the largest run cannot fit `available` bytes of
    /// available memory (MemAvailable) shared by `jobs` runs.
    public func checkMemory(jobs: Int, available: Int?, file: String,
                            encodings: EncodingRegistry = .shared, tasks: TaskRegistry = .shared) throws {
        try checkMemory(jobs: jobs, limit: available.map { MemoryLimit(bytes: $0, source: .memAvailable) }, file: file,
                        encodings: encodings, tasks: tasks)
    }

    /// Throws, naming the key to change and the limit that applies, when the largest run cannot fit
    /// `limit` (by default the smallest of MemAvailable, RLIMIT_AS and the cgroup's limit) shared by `jobs` runs.
    public func checkMemory(jobs: Int, limit: MemoryLimit? = MemoryBudget.current(), file: String,
                            encodings: EncodingRegistry = .shared, tasks: TaskRegistry = .shared) throws {
        // No limit could be read, or no run: nothing to check.
        guard let limit, let (e, run) = try largestRun(encodings: encodings, tasks: tasks) else { return }
        let perJob = limit.bytes / max(1, jobs)
        guard e.peak > perJob else { return }
        let key = e.parameters >= max(e.training, e.evaluation) ? "model"
            : e.training >= e.evaluation ? "training.batch_size, training.length" : "evaluation.lengths"
        let fix = key == "model" ? "make d_model or layers smaller"
            : key.hasPrefix("training") ? "make training.batch_size or training.length smaller"
            : "evaluate at shorter lengths"
        throw SuiteError(file: file, keyPath: key, rule: "the largest run (\(run)) needs about \(e); \(limit.phrase), "
            + "\(MemoryEstimate.format(perJob)) per run with --jobs \(jobs): "
            + "\(fix)\(jobs > 1 ? ", or use fewer --jobs" : "")\(limit.remedy)")
    }
}
