import Foundation
import PosLabResults
import PosLabRunner
import PosLabStudy
import PosLabTasks
import Testing

/// A study of prompt tasks end to end: sizes are input sizes, runs.csv says how many tokens the
/// model saw, and decoder-form tasks are scored by what the model generates.
@Suite struct PromptStudyTests {
    @Test func decoderTasksAreScoredByGenerationAndSizesAreInputSizes() throws {
        let yaml = """
            name: prompts
            encodings: [none, rope]
            tasks: [s2s_copy(symbols=4), reverse_string]
            seeds: [1]
            model: {d_model: 16, layers: 1, heads: 2, attention: causal}
            training: {steps: 20, batch_size: 8, length: {min: 1, max: 4}}
            evaluation: {lengths: [3, 5], size: 8}
            """
        let suite = try Suite.parse(yaml: yaml, file: "prompts.yaml", defaultName: "prompts")
        let dir = temporaryDirectory()
        try SuiteRunner(suite: suite, store: ResultsStore(directory: dir, suite: suite, fresh: true), jobs: 1).run()
        let table = try #require(try CSVTable.read(dir.appendingPathComponent("runs.csv"), expectedHeader: ResultsStore.runColumns))
        #expect(table.rows.count == 8)
        for row in table.rows {
            func value(_ column: String) -> String { row[table.column(column)] }
            let n = Int(value("eval_length"))!
            #expect(value("status") == "ok")
            if value("task") == "s2s_copy" {
                // COPY w₁…wₙ SEP w₁…wₙ END: 2n + 3 tokens; scored by generation.
                #expect(value("sequence_length") == String(2 * n + 3))
                let generated = try #require(Double(value("generated_token_accuracy")))
                #expect((0...1).contains(generated))
            } else {
                // The encoder form: n inputs, n placeholders; nothing generated.
                #expect(value("task") == "reverse_string" && value("sequence_length") == String(2 * n))
                #expect(value("generated_token_accuracy").isEmpty)
            }
            #expect(value("train_length_max") == "4")
        }
        // The model's table holds the longest training sequence (4 inputs: 11 tokens), not 4.
        let manifest = try String(contentsOf: dir.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(!manifest.isEmpty)
        let summary = try Analysis(directory: dir)
        #expect(summary.summary.rows.contains { $0.metric == .generatedTokenAccuracy && $0.task.hasPrefix("s2s_copy") })
        #expect(!summary.summary.rows.contains { $0.metric == .generatedTokenAccuracy && $0.task.hasPrefix("reverse_string") })
    }

    /// learned's table is the longest training sequence; a longer evaluation sequence is unsupported.
    @Test func learnedTablesHoldTheLongestTrainingSequence() throws {
        let yaml = """
            encodings: [learned]
            tasks: [reverse_string]
            seeds: [1]
            model: {d_model: 8, layers: 1, heads: 2}
            training: {steps: 5, batch_size: 4, length: {min: 2, max: 6}}
            evaluation: {lengths: [6, 7], size: 4}
            """
        let suite = try Suite.parse(yaml: yaml, file: "t.yaml", defaultName: "t")
        let result = try Trainer(suite: suite).run(suite.runs[0])
        #expect(result.encodingArguments == "size=12")                 // 6 inputs + 6 placeholders
        #expect(result.evaluations.map(\.status) == [.ok, .unsupported])
        #expect(result.evaluations[0].sequenceLength == 12)
    }
}
