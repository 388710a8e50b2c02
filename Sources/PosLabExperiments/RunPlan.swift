/// One cell of a suite: a task, an encoding and a seed.
public struct RunPlan: Sendable, Hashable {
    /// The position in the suite's run order (tasks, then encodings, then seeds).
    public var index: Int
    /// The task spec, e.g. `shift(k=1;symbols=8)`.
    public var task: String
    /// The encoding spec, e.g. `learned`.
    public var encoding: String
    /// The training seed.
    public var seed: UInt64

    /// A stable, readable identifier: `task|encoding|seed`.
    public var id: String { "\(task)|\(encoding)|\(seed)" }
}

extension Suite {
    /// Every run of the suite, in its canonical order.
    public var runs: [RunPlan] {
        var plans: [RunPlan] = []
        for task in tasks {
            for encoding in encodings {
                for seed in seeds {
                    plans.append(RunPlan(index: plans.count, task: task, encoding: encoding, seed: seed))
                }
            }
        }
        return plans
    }
}
