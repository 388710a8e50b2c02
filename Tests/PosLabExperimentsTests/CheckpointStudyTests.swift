import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabStudy
import Testing

/// Whether a results folder holds any run checkpoint.
func hasCheckpoints(_ dir: URL) -> Bool {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("runs").path)) ?? []
    return names.contains { $0.hasSuffix(".safetensors") }
}

/// Runs that keep their models: checkpoints beside the records, and new evaluation lengths from them.
@Suite struct CheckpointStudyTests {
    /// Every run saves its final weights, named by its id, with its configuration in the metadata;
    /// the record names the file with its size and SHA-256, and the model loads back.
    @Test func runsSaveTheirModels() throws {
        let dir = temporaryDirectory()
        let suite = try smallSuite(name: "ckpt", encodings: "[learned, rope]")
        let study = try runStudy(suite, in: dir)
        #expect(study.outcome.trained == 4)
        for url in recordFiles(dir) {
            let id = url.deletingPathExtension().lastPathComponent
            guard case .success(let record?) = study.store.record(id), let saved = record.checkpoint else {
                Issue.record("run \(id) has no checkpoint in its record"); continue
            }
            let file = study.store.checkpointURL(id)
            #expect(saved.file == "\(id).safetensors")
            let data = try Data(contentsOf: file)
            #expect(saved.bytes == data.count && saved.sha256 == SHA256.hex(data))
            let checkpoint = try Checkpoint(contentsOf: file)
            #expect(checkpoint.extraMetadata["run_id"] == id && checkpoint.extraMetadata["task"] == record.configuration.task)
            #expect(checkpoint.extraMetadata["evaluation_seed"] == "7")
            #expect(checkpoint.configuration == String(decoding: record.configuration.canonicalJSON, as: UTF8.self))
            #expect(checkpoint.encoding == (record.encodingArguments.isEmpty ? record.encodingName
                    : "\(record.encodingName)(\(record.encodingArguments))"))
            _ = try Transformer(checkpoint: checkpoint)
        }
    }

    /// Growing the lengths of a study with every kind of result — ok, unsupported past a learned
    /// table, randomized positions, diverged — trains nothing and gives runs.csv and curves.csv
    /// equal to a study trained with those lengths from the start.
    @Test func newLengthsFromCheckpointsEqualTrainingFromScratch() throws {
        let registry = EncodingRegistry()
        for encoding in [NoEncoding.self, LearnedEncoding.self, RandomizedEncoding.self, ALiBiEncoding.self] as [any RegisteredEncoding.Type] {
            try registry.register(encoding, origin: .builtIn)
        }
        try registry.register(PoisonEncoding.self, origin: .program("test"))
        let encodings = "[none, learned, \"randomized(learned, max_length=24)\", alibi, poison]"
        var suite = try smallSuite(name: "grow", encodings: encodings, seeds: "[1, 2]", lengths: "[6, 9]", registry: registry)
        let dir = temporaryDirectory()
        #expect(try runStudy(suite, in: dir, encodings: registry).outcome.trained == 20)
        suite.evaluation.lengths = [6, 9, 12, 20, 30]
        let grown = try runStudy(suite, in: dir, encodings: registry)
        #expect(grown.outcome.trained == 0 && grown.outcome.evaluated == 20)
        let scratch = try runStudy(suite, in: temporaryDirectory("scratch"), encodings: registry)
        #expect(scratch.outcome.trained == 20)
        let rows = grown.store.runRows
        #expect(rows.count == 100)
        let same = withoutWallTime(rows) == withoutWallTime(scratch.store.runRows)  // (a Bool: a failure would print 100 rows)
        #expect(same)
        #expect(try Data(contentsOf: grown.store.curvesURL) == Data(contentsOf: scratch.store.curvesURL))
        let status = ResultsStore.runColumns.firstIndex(of: "status")!
        #expect(Set(rows.map { $0[status] }) == ["ok", "unsupported", "diverged"])
    }

    /// `evaluateOnly` (`poslab eval`) trains nothing: a run without a checkpoint is named with the
    /// reason, and keeps its rows at the lengths it has.
    @Test func evaluateOnlyNamesRunsWithoutCheckpoints() throws {
        var suite = try smallSuite(name: "mixed", seeds: "[1, 2]", lengths: "[6]")
        let dir = temporaryDirectory()
        suite.checkpoint = false
        try runStudy(suite, in: dir, stopAfter: 4)  // half the runs without checkpoints…
        suite.checkpoint = true
        try runStudy(suite, in: dir)  // …the other half with
        suite.evaluation.lengths = [6, 9]
        let store = try ResultsStore(directory: dir, suite: suite, fresh: false)
        let notes = Notes()
        var runner = SuiteRunner(suite: suite, store: store, jobs: 2)
        runner.log = { notes.add($0) }
        let outcome = try runner.run(evaluateOnly: true)
        #expect(outcome.trained == 0 && outcome.evaluated == 4 && outcome.needTraining.count == 4)
        #expect(outcome.needTraining.allSatisfy { $0.reason.hasPrefix("it has no checkpoint (trained with training.checkpoint: false") })
        let length = ResultsStore.runColumns.firstIndex(of: "eval_length")!
        #expect(store.runRows.filter { $0[length] == "6" }.count == 8)
        #expect(store.runRows.filter { $0[length] == "9" }.count == 4)
        #expect(!notes.lines.contains { $0.contains("retraining") })
    }

    /// A checkpoint changed after its run is named, never used. Evaluating only, that is bad input
    /// (exit 2 from `poslab eval`) and nothing is written; `poslab run` retrains that run alone.
    @Test func damagedCheckpointIsNamed() throws {
        var suite = try smallSuite(name: "damage", lengths: "[6]")
        let dir = temporaryDirectory()
        try runStudy(suite, in: dir)
        let id = recordFiles(dir)[0].deletingPathExtension().lastPathComponent
        let file = dir.appendingPathComponent("runs/\(id).safetensors")
        var data = try Data(contentsOf: file)
        data[data.count - 3] ^= 0x40  // one weight changed: same size, another SHA-256
        try data.write(to: file)
        suite.evaluation.lengths = [6, 9]
        let before = try [Data(contentsOf: dir.appendingPathComponent("runs.csv")), Data(contentsOf: dir.appendingPathComponent("manifest.json"))]
        let store = try ResultsStore(directory: dir, suite: suite, fresh: false)
        #expect {
            try SuiteRunner(suite: suite, store: store, jobs: 1).run(evaluateOnly: true)
        } throws: { error in
            "\(error)".contains("its checkpoint \(file.path) differs from the one written") && "\(error)".contains("nothing was written")
        }
        #expect(try [Data(contentsOf: dir.appendingPathComponent("runs.csv")), Data(contentsOf: dir.appendingPathComponent("manifest.json"))] == before)
        let run = try runStudy(suite, in: dir)
        #expect(run.outcome.trained == 1 && run.outcome.evaluated == 3)
        #expect(run.notes.contains { $0.hasPrefix("retraining") && $0.contains(file.path) })

        // Truncated: named with its size.
        let record = try #require(try run.store.record(id).get())
        #expect(run.store.checkpointProblem(record) == nil)
        try Data(try Data(contentsOf: file).prefix(100)).write(to: file)
        #expect(run.store.checkpointProblem(record)?.description
                == "its checkpoint \(file.path) has 100 bytes where \(record.checkpoint!.bytes) were written (truncated or replaced)")
        try FileManager.default.removeItem(at: file)
        #expect(run.store.checkpointProblem(record)?.description == "its checkpoint \(file.path) is missing")
    }

    /// `poslab eval` as a user runs it: the lengths are added without training, a run without a
    /// checkpoint is named (exit 1), a damaged checkpoint or a folder without a manifest is exit 2.
    @Test func evalCommand() throws {
        let dir = temporaryDirectory()
        let suiteFile = dir.appendingPathComponent("s.yaml")
        try """
            name: s
            encodings: [none, alibi]
            tasks: [shift]
            seeds: [1]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 10, batch_size: 8, length: 6}
            evaluation: {lengths: [6], size: 16}
            """.write(to: suiteFile, atomically: true, encoding: .utf8)
        let (s0, o0, e0) = try runPoslab(["eval", "out", "--lengths", "9"], in: dir)
        #expect(s0 == 2 && o0.isEmpty && e0.hasPrefix("error: \(dir.path)/out/manifest.json is missing") && e0.split(separator: "\n").count == 1, "\(e0)")

        #expect(try runPoslab(["run", "s.yaml", "--out", "out"], in: dir).0 == 0)
        let (s1, o1, _) = try runPoslab(["eval", "out", "--lengths", "9,12"], in: dir)
        #expect(s1 == 0 && o1.hasPrefix("Evaluated 2 of 2 runs from their checkpoints at lengths 9, 12; trained nothing."), "\(o1)")
        let rows = try String(contentsOf: dir.appendingPathComponent("out/runs.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 1 + 2 * 3)

        #expect(try runPoslab(["run", "s.yaml", "--out", "bare", "--no-checkpoint"], in: dir).0 == 0)
        let (s2, o2, _) = try runPoslab(["eval", "bare", "--lengths", "9"], in: dir)
        #expect(s2 == 1 && o2.contains("2 runs cannot be evaluated without training")
                && o2.contains("  shift|none|1: it has no checkpoint"), "\(o2)")

        let checkpoint = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out/runs").path)
            .first { $0.hasSuffix(".safetensors") })
        let path = dir.appendingPathComponent("out/runs/\(checkpoint)").path
        try Data(repeating: 0, count: 10).write(to: URL(fileURLWithPath: path))
        let (s3, _, e3) = try runPoslab(["eval", "out", "--lengths", "20"], in: dir)
        #expect(s3 == 2 && e3.contains("error: ") && e3.contains("its checkpoint \(path) has 10 bytes"), "\(e3)")
    }

    /// `training.checkpoint` in a suite file: true by default, false turns saving off, anything else is named.
    @Test func checkpointKey() throws {
        let yaml = { (value: String) in """
            encodings: [none]
            tasks: [shift]
            training: {steps: 5, length: 6\(value)}
            """ }
        #expect(try Suite.parse(yaml: yaml(""), file: "c.yaml", defaultName: "c").checkpoint)
        #expect(try !Suite.parse(yaml: yaml(", checkpoint: false"), file: "c.yaml", defaultName: "c").checkpoint)
        #expect {
            try Suite.parse(yaml: yaml(", checkpoint: sometimes"), file: "c.yaml", defaultName: "c")
        } throws: { error in
            "\(error)" == "c.yaml:3: training.checkpoint: must be true or false (got 'sometimes')"
        }
    }
}
