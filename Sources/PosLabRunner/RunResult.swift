import PosLabResults
import PosLabStudy

/// Everything one run produced.
public struct RunResult: Sendable {
    public var plan: RunPlan
    /// The resolved names, with every argument, as the encoding and task report them.
    public var encodingName: String, encodingArguments: String, taskName: String, taskArguments: String
    public var status: RunStatus
    /// Optimizer steps completed.
    public var steps: Int
    /// The training loss at the last completed step (NaN if none completed).
    public var finalTrainingLoss: Double
    /// (step, training loss) every `log_every` steps.
    public var curve: [(step: Int, loss: Double)]
    public var evaluations: [EvaluationResult]
    /// The results on a tuned suite's validation sets (empty when the suite is not tuned).
    public var validation: [EvaluationResult] = []
    public var wallSeconds: Double
}
