import Foundation
import PosLabResults
import Testing

/// The statistics edges a newcomer hit (issue 24), one test per edge, each named after it.
@Suite struct StatisticsEdgeTests {
    /// One runs.csv row: `values` overrides the columns of an ok run of `shift` at length 6.
    static func row(_ values: [String: String]) -> [String] {
        let defaults: [String: String] = [
            "suite": "s", "task": "shift", "task_args": "symbols=8", "encoding_args": "", "d_model": "16", "layers": "1",
            "heads": "2", "attention": "bidirectional", "training_steps": "10", "batch_size": "8", "train_length_min": "6",
            "train_length_max": "6", "optimizer": "adam", "learning_rate": "0.001", "weight_decay": "0.0", "clip_norm": "1.0",
            "log_every": "10", "eval_length": "6", "sequence_length": "6", "eval_size": "16", "eval_seed": "7",
            "eval_protocol": "sampled", "token_accuracy": "0.5", "sequence_accuracy": "0.1", "generated_token_accuracy": "",
            "eval_loss": "1.5", "perplexity": "", "bits_per_byte": "", "status": "ok", "steps": "10",
            "final_train_loss": "1.4", "wall_seconds": "1.000", "message": "",
        ]
        return ResultsStore.runColumns.map { values[$0] ?? defaults[$0]! }
    }

    /// A results folder whose runs.csv holds `rows` (each a `row` override); returns the folder.
    static func folder(_ rows: [[String: String]], name: String = #function) throws -> URL {
        let dir = temporaryDirectory(name)
        try CSVTable(header: ResultsStore.runColumns, rows: rows.map(row)).write(to: dir.appendingPathComponent("runs.csv"))
        return dir
    }

    /// Encodings a and b on seeds 1–3 at lengths 6 and 12, accuracies a little apart.
    static func study() -> [[String: String]] {
        var rows: [[String: String]] = []
        for (encoding, base) in [("a", 0.8), ("b", 0.5)] {
            for seed in 1...3 {
                for length in [6, 12] {
                    let acc = base + 0.01 * Double(seed) - 0.1 * Double(length / 12)
                    rows.append(["run_id": "\(encoding)\(seed)", "encoding": encoding, "seed": String(seed), "eval_length": String(length),
                                 "sequence_length": String(length), "token_accuracy": "\(acc)", "eval_loss": "\(2 - acc)"])
                }
            }
        }
        return rows
    }

    /// An ok run whose evaluation loss is NaN at one length (runs.csv has it empty) used to keep its
    /// accuracies there, dropped from the loss statistics without a word, and `--diverged worst`
    /// could not catch it: its model's outputs overflowed at that length, so it is diverged there.
    @Test func okRunWithNaNEvalLossAtALengthIsDivergedThere() throws {
        var rows = Self.study()
        let i = try #require(rows.firstIndex { $0["run_id"] == "a3" && $0["eval_length"] == "12" })
        rows[i]["eval_loss"] = ""
        let records = try RunRow.load(directory: try Self.folder(rows))
        let overflowed = try #require(records.first { $0.encoding == "a" && $0.seed == 3 && $0.evalLength == 12 })
        #expect(overflowed.status == .diverged && overflowed.tokenAccuracy == nil && overflowed.evalLoss == nil)
        #expect(records.filter { $0.status == .diverged }.count == 1, "only that length of that run")
        let dropped = try #require(Summary(records: records).rows.first { $0.encoding == "a" && $0.evalLength == 12 && $0.metric == .tokenAccuracy })
        #expect(dropped.n == 2 && dropped.diverged == 1)
        let worst = try #require(Summary(records: records, diverged: .worst).rows.first {
            $0.encoding == "a" && $0.evalLength == 12 && $0.metric == .tokenAccuracy
        })
        #expect(worst.n == 3 && worst.stats?.min == 0, "--diverged worst counts it as 0")
    }

    /// With one shared seed the README promises Welch's test; the code paired it and printed
    /// "better … on every seed (1/1)".
    @Test func oneSharedSeedIsWelchNotPaired() throws {
        let records = ComparisonVerdictTests.records(["a": [0.9], "b": [0.4]])
        let row = try #require(try Comparison(records: records, metric: .tokenAccuracy, lengths: .train).rows.first)
        #expect(!row.paired && row.test.kind == .welchT, "\(row.test.kind)")
        #expect(row.seedsBetter == nil && !row.verdict.contains("every seed"), "\(row.verdict)")
        #expect(row.effectName == "d" && row.rankTest.kind == .mannWhitney)
    }

    /// `--metric perplexity` on a study without a text task exited 0 and replaced comparisons.csv
    /// with "no numbers to compare": it is bad input, refused with exit 2 before anything is written.
    @Test func perplexityOnAStudyWithoutTextExitsTwoBeforeWriting() throws {
        let dir = try Self.folder(Self.study())
        let kept = dir.appendingPathComponent("comparisons.csv")
        try Data("task,earlier\n".utf8).write(to: kept)
        let (status, out, err) = try runPoslab(["compare", dir.path, "--metric", "perplexity"], in: dir)
        #expect(status == 2, "\(out)\(err)")
        #expect(err.contains("\(dir.path)/runs.csv") && err.contains("perplexity") && err.contains("--metric"), "\(err)")
        #expect(try String(contentsOf: kept, encoding: .utf8) == "task,earlier\n", "comparisons.csv was replaced")
        let (summarized, _, why) = try runPoslab(["summarize", dir.path, "--metric", "bits_per_byte"], in: dir)
        #expect(summarized == 2 && why.contains("bits_per_byte"), "\(why)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("summary.csv").path))
    }

    /// Verdicts printed "0.001 vs 0.001, CI [-0.000, -0.000]" for small losses: the numbers keep
    /// three significant digits, so the printed interval is the row's.
    @Test func smallLossVerdictsUseSignificantDigits() throws {
        let records = [("a", [0.00121, 0.00123, 0.00122]), ("b", [0.00131, 0.00134, 0.00133])].flatMap { enc, losses in
            losses.enumerated().map { i, loss in
                RunRow(task: "shift", encoding: enc, seed: UInt64(i + 1), trainLengthMax: 8, evalLength: 8, status: .ok,
                          tokenAccuracy: 0.5, sequenceAccuracy: 0.1, evalLoss: loss)
            }
        }
        let row = try #require(try Comparison(records: records, metric: .loss, lengths: .train).rows.first)
        #expect(row.better == "a")
        let ci = try #require(row.interval)
        #expect(!row.verdict.contains("0.001 vs 0.001") && !row.verdict.contains("-0.000,") && !row.verdict.contains("-0.000]"), "\(row.verdict)")
        let printed = try #require(row.verdict.components(separatedBy: "CI [").dropFirst().first?.components(separatedBy: "]").first)
        let bounds = printed.components(separatedBy: ", ").compactMap { Double($0) }
        #expect(bounds.count == 2, "\(printed)")
        for (shown, value) in zip(bounds, [ci.low, ci.high]) {
            #expect(abs(shown - value) <= 0.01 * abs(value), "\(shown) printed for \(value)")
        }
        let means = try #require(row.verdict.components(separatedBy: "eval_loss ").dropFirst().first?.components(separatedBy: ", ").first)
        let shown = means.components(separatedBy: " vs ").compactMap { Double($0) }
        #expect(shown.count == 2 && abs(shown[0] - 0.00122) < 1e-6 && abs(shown[1] - 0.0013266) < 1e-6, "\(means)")
    }

    /// A duplicated row in runs.csv was counted twice (n = 4 from 3 seeds): it is refused, naming
    /// both lines and the fix.
    @Test func duplicatedRowInRunsCSVIsRefused() throws {
        var rows = Self.study()
        rows.append(rows[2])  // a2 at length 6 (line 4) again, as line 14
        let dir = try Self.folder(rows)
        var message = ""
        do { _ = try RunRow.load(directory: dir) } catch { message = "\(error)" }
        #expect(message.contains("\(dir.path)/runs.csv:14") && message.contains("line 4") && message.contains("poslab rebuild"), "\(message)")
        let (status, _, err) = try runPoslab(["summarize", dir.path], in: dir)
        #expect(status == 2 && err.contains("line 4"), "\(err)")
    }

    /// A diverged row carrying numbers was used as if it were ok: a diverged run has no numbers, so
    /// the row is refused, naming the file, the line and the column.
    @Test func divergedRowCarryingNumbersIsRefused() throws {
        var rows = Self.study()
        rows[4]["status"] = "diverged"  // a3 at length 6 (line 6), still with its accuracy and loss
        let dir = try Self.folder(rows)
        var message = ""
        do { _ = try RunRow.load(directory: dir) } catch { message = "\(error)" }
        #expect(message.contains("\(dir.path)/runs.csv:6") && message.contains("token_accuracy") && message.contains("diverged"), "\(message)")
        let (status, _, err) = try runPoslab(["compare", dir.path], in: dir)
        #expect(status == 2 && err.contains("runs.csv:6"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("comparisons.csv").path))
    }
}
