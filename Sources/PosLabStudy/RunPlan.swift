import PosLabModel
import PosLabTasks

/// One cell of a suite: a task, an encoding and a seed at one grid point.
public struct RunPlan: Sendable, Hashable {
    /// The position in the suite's run order (tasks, then grid points, then encodings, then seeds).
    public var index: Int
    /// The task, e.g. `shift(k=1;symbols=8)`.
    public var task: Spec
    /// The encoding, e.g. `learned`.
    public var encoding: Spec
    /// The training seed.
    public var seed: UInt64
    /// The grid point: model and training settings, and what is swept.
    public var point: GridPoint

    package init(index: Int, task: Spec, encoding: Spec, seed: UInt64, point: GridPoint) {
        self.index = index
        self.task = task
        self.encoding = encoding
        self.seed = seed
        self.point = point
    }

    public var model: Suite.Model { point.model }
    public var training: Suite.Training { point.training }

    /// A readable label: `task|encoding|seed`, then the swept settings if any. The run's identity
    /// is its configuration's hash (`RunConfiguration.id`), not this.
    public var id: String { point.swept.isEmpty ? "\(task)|\(encoding)|\(seed)" : "\(task)|\(encoding)|\(seed)|\(point.label)" }
}

extension Suite {
    /// Every run of the suite, in its canonical order.
    public var runs: [RunPlan] {
        var plans: [RunPlan] = []
        for task in tasks {
            for point in points {
                for encoding in encodings {
                    for seed in seeds {
                        plans.append(RunPlan(index: plans.count, task: task, encoding: encoding, seed: seed, point: point))
                    }
                }
            }
        }
        return plans
    }
}

extension RunPlan {
    /// The model config of this run for `task`: its vocabulary, and as max_length the tokens of the
    /// longest training sequence (the training length itself, unless the task lays an input of that
    /// size out with more tokens, as a prompt task does).
    public func modelConfig(for task: any SequenceTask) -> ModelConfig {
        ModelConfig(vocabSize: task.vocabSize, dModel: model.dModel, layers: model.layers, heads: model.heads,
                    maxLength: task.sequenceLength(size: training.maxLength), attention: model.attention)
    }
}
