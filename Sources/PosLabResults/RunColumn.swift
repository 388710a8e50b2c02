import PosLabStudy

/// One column of runs.csv, in file order: the schema the writer (`ResultsStore.rows`) fills by name
/// and the readers (`RunRow.load`, the report) look up by name, so neither depends on a position.
public enum RunColumn: String, CaseIterable, Sendable {
    // What ran.
    case suite, runID = "run_id", task, taskArgs = "task_args", encoding, encodingArgs = "encoding_args", seed
    // Its settings, every one, swept or not.
    case dModel = "d_model", layers, heads, attention, trainingSteps = "training_steps", batchSize = "batch_size"
    case trainLengthMin = "train_length_min", trainLengthMax = "train_length_max", optimizer
    case learningRate = "learning_rate", weightDecay = "weight_decay", clipNorm = "clip_norm", logEvery = "log_every"
    // The evaluation a row reports.
    case evalLength = "eval_length", sequenceLength = "sequence_length", evalSize = "eval_size", evalSeed = "eval_seed"
    case evalProtocol = "eval_protocol"
    // Its numbers (the metrics' raw values are these names).
    case tokenAccuracy = "token_accuracy", sequenceAccuracy = "sequence_accuracy"
    case generatedTokenAccuracy = "generated_token_accuracy", evalLoss = "eval_loss", perplexity, bitsPerByte = "bits_per_byte"
    // The run's outcome.
    case status, steps, finalTrainLoss = "final_train_loss", wallSeconds = "wall_seconds", message

    /// The settings a grid can sweep: d_model … log_every.
    public static let settings: [RunColumn] = [.dModel, .layers, .heads, .attention, .trainingSteps, .batchSize,
                                               .trainLengthMin, .trainLengthMax, .optimizer, .learningRate,
                                               .weightDecay, .clipNorm, .logEvery]

    /// A row of runs.csv from every column's cell, in file order. A column without a cell is a
    /// programming error, not an empty field.
    static func row(_ cells: [RunColumn: String]) -> [String] {
        allCases.map { column in
            guard let cell = cells[column] else { preconditionFailure("a runs.csv row without \(column.rawValue)") }
            return cell
        }
    }
}

extension Metric {
    /// The runs.csv column holding this metric (a metric's raw value is its column's name).
    var column: RunColumn {
        guard let column = RunColumn(rawValue: rawValue) else { preconditionFailure("runs.csv has no column \(rawValue)") }
        return column
    }
}
