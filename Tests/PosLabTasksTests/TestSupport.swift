import PosLabCore
import PosLabTasks

/// Every built-in task name with its default arguments written out.
let defaultArguments: [String: String] = [
    "reverse": "symbols=8",
    "shift": "k=1;symbols=8",
    "lookup": "pointers=64;symbols=8",
    "before": "symbols=6",
    "duplicate": "symbols=8",
    "odds-first": "symbols=8",
    "adjacent-repeat": "symbols=3",
    "majority": "symbols=4",
]

let taskNames = defaultArguments.keys.sorted()
let orderSensitiveNames = taskNames.filter { $0 != "majority" }

func task(_ text: String) throws -> any SequenceTask {
    try TaskRegistry.shared.make(Spec(parsing: text))
}

/// The ConfigurationError `body` throws, if any.
func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do { try body() } catch let e as ConfigurationError { return e } catch { return nil }
    return nil
}

/// The targets at scored positions, nil elsewhere.
func scored(_ labels: Labels) -> [Int?] {
    zip(labels.targets, labels.mask).map { $0.1 != 0 ? $0.0 : nil }
}
