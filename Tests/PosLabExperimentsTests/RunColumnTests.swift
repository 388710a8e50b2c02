import PosLabResults
import PosLabStudy
import Testing

/// runs.csv's columns are one schema, `RunColumn`, that the writer fills by name and the readers
/// look up by name; its order is the file format, which pandas and R users index by.
@Suite struct RunColumnTests {
    /// The header as runs.csv has had it since prompt tasks (2026-11): moving or renaming a case of
    /// `RunColumn` changes every results folder's file, so it fails here first.
    @Test func theHeaderIsTheFileFormat() {
        #expect(ResultsStore.runColumns == [
            "suite", "run_id", "task", "task_args", "encoding", "encoding_args", "seed",
            "d_model", "layers", "heads", "attention", "training_steps", "batch_size", "train_length_min", "train_length_max",
            "optimizer", "learning_rate", "weight_decay", "clip_norm", "log_every",
            "eval_length", "sequence_length", "eval_size", "eval_seed", "eval_protocol",
            "token_accuracy", "sequence_accuracy", "generated_token_accuracy", "eval_loss",
            "perplexity", "bits_per_byte", "status", "steps", "final_train_loss", "wall_seconds", "message",
        ])
        #expect(ResultsStore.settingColumns == Array(ResultsStore.runColumns[7...19]))
    }

    /// Every metric a study can be summarized by is a column of runs.csv, under its own name.
    @Test func everyMetricIsAColumn() {
        for metric in Metric.allCases {
            #expect(RunColumn(rawValue: metric.rawValue) != nil, "\(metric.rawValue)")
        }
    }
}
