import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabStudy
import PosLabTasks
import Testing

@Suite struct RunnerTests {
    /// Seed s gives every encoding the same batches (the data stream ignores the encoding).
    @Test func batchesArePairedAcrossEncodings() throws {
        let suite = try Suite.load(path: fixture("tiny.yaml"))
        let task = try TaskRegistry.shared.make(Spec(parsing: "shift"))
        let a = TrainingData(task: task, training: suite.training, seed: 1)
        let b = TrainingData(task: task, training: suite.training, seed: 1)
        let c = TrainingData(task: task, training: suite.training, seed: 2)
        var lengths = Set<Int>()
        for _ in 0..<20 {
            let (x, y, z) = (a.next(), b.next(), c.next())
            #expect(x.inputs == y.inputs && x.targets == y.targets && x.mask == y.mask)
            #expect(x.inputs != z.inputs)
            lengths.insert(x.length)
        }
        #expect(lengths == [4, 5, 6])  // lengths drawn from the training range
    }

    /// End to end through the trainer: an encoding whose only difference from `none` is a weight
    /// that never touches the output trains bit for bit like `none` with the same seed — same
    /// batches, same shared initial weights — and differently with another seed.
    @Test func trainerRunsArePairedAcrossEncodings() throws {
        let registry = EncodingRegistry()
        try registry.register(NoEncoding.self, origin: .builtIn)
        try registry.register(InertEncoding.self, origin: .program("test"))
        let yaml = """
            encodings: [none, inert]
            tasks: [shift]
            seeds: [1, 2]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 20, batch_size: 8, length: {min: 4, max: 6}, log_every: 1}
            evaluation: {lengths: [6], size: 16}
            """
        let suite = try Suite.parse(yaml: yaml, file: "pair.yaml", defaultName: "pair", encodings: registry)
        let trainer = Trainer(suite: suite, encodings: registry)
        func curve(_ encoding: String, _ seed: UInt64) throws -> [UInt64] {
            let plan = suite.runs.first { $0.encoding.description == encoding && $0.seed == seed }!
            return try trainer.run(plan).curve.map { $0.loss.bitPattern }
        }
        let none1 = try curve("none", 1)
        #expect(none1.count == 20)
        #expect(try curve("inert", 1) == none1)
        #expect(try curve("none", 2) != none1)
    }

    /// An interrupted suite, resumed with the same command, ends with exactly the rows of an
    /// uninterrupted one (wall-clock seconds aside).
    @Test func resumeAfterInterruptionGivesTheSameRows() throws {
        let suite = try Suite.load(path: fixture("tiny.yaml"))
        let whole = temporaryDirectory("whole"), broken = temporaryDirectory("broken")
        let reference = try ResultsStore(directory: whole, suite: suite, fresh: true)
        try SuiteRunner(suite: suite, store: reference, jobs: 2).run()

        let first = try ResultsStore(directory: broken, suite: suite, fresh: true)
        try SuiteRunner(suite: suite, store: first, jobs: 2).run(stopAfter: 3)
        #expect(first.completedRunIDs.count == 3)
        let second = try ResultsStore(directory: broken, suite: suite, fresh: false)
        #expect(second.completedRunIDs.count == 3)
        try SuiteRunner(suite: suite, store: second, jobs: 2).run()

        #expect(withoutWallTime(second.runRows) == withoutWallTime(reference.runRows))
        #expect(try String(contentsOf: second.curvesURL, encoding: .utf8) == String(contentsOf: reference.curvesURL, encoding: .utf8))
        #expect(reference.runRows.count == suite.runs.count * suite.evaluation.lengths.count)
        // A further run finds nothing to do and changes nothing.
        let third = try ResultsStore(directory: broken, suite: suite, fresh: false)
        try SuiteRunner(suite: suite, store: third, jobs: 1).run()
        #expect(third.runRows == second.runRows)
    }

    /// The real thing: SIGKILL the CLI part-way, rerun the same command, compare with a clean run.
    @Test func killedCLIResumes() throws {
        let dir = temporaryDirectory()
        let suitePath = fixture("tiny.yaml")
        let runs = dir.appendingPathComponent("killed/runs.csv"), records = dir.appendingPathComponent("killed/runs")
        func recordCount() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: records.path)) ?? []).filter { $0.hasSuffix(".json") }.count
        }
        let process = Process()
        process.executableURL = poslabExecutable
        process.arguments = ["run", suitePath, "--out", "killed", "--jobs", "1"]
        process.currentDirectoryURL = dir
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while recordCount() == 0 && Date() < deadline { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = recordCount()
        #expect(partial > 0 && partial < 8, "killed after \(partial) records")
        #expect(!FileManager.default.fileExists(atPath: runs.path))  // runs.csv is derived at the end

        let (status, out, _) = try runPoslab(["run", suitePath, "--out", "killed", "--jobs", "2"], in: dir)
        #expect(status == 0)
        #expect(out.contains("@6 (train)"))
        let (cleanStatus, _, _) = try runPoslab(["run", suitePath, "--out", "clean", "--jobs", "2"], in: dir)
        #expect(cleanStatus == 0)
        let columns = ResultsStore.runColumns
        let resumed = try CSVTable.read(runs, expectedHeader: columns)!.rows
        let clean = try CSVTable.read(dir.appendingPathComponent("clean/runs.csv"), expectedHeader: columns)!.rows
        #expect(withoutWallTime(resumed) == withoutWallTime(clean))
    }

    /// Specs with several arguments, and wrappers, survive the trip through run ids and results.
    @Test func multiArgumentSpecsRun() throws {
        let yaml = """
            encodings: ["relative-bias(buckets=8, max_distance=20)", "randomized(relative-bias(buckets=8, max_distance=20), max_length=12)"]
            tasks: ["shift(k=2, symbols=5)"]
            seeds: [1]
            model: {d_model: 8, layers: 1, heads: 2}
            training: {steps: 3, batch_size: 4, length: 5}
            evaluation: {lengths: [5, 12, 13], size: 4}
            """
        let suite = try Suite.parse(yaml: yaml, file: "multi.yaml", defaultName: "multi")
        let store = try ResultsStore(directory: temporaryDirectory(), suite: suite, fresh: true)
        try SuiteRunner(suite: suite, store: store, jobs: 2).run()
        let c = ResultsStore.runColumns
        let rows = store.runRows
        #expect(rows.count == 6)
        #expect(rows.allSatisfy { $0[c.firstIndex(of: "task_args")!] == "k=2;symbols=5" })
        let randomized = rows.filter { $0[c.firstIndex(of: "encoding")!] == "randomized" }
        #expect(randomized.map { $0[c.firstIndex(of: "status")!] } == ["ok", "ok", "unsupported"])  // 13 > max_length 12
        #expect(randomized[0][c.firstIndex(of: "encoding_args")!] == "encoding=relative-bias(buckets=8;max_distance=20);eval=random;max_length=12")
    }

    /// Results of an edited suite are never mixed with the old ones: a changed setting is a new
    /// run, and runs.csv holds only the suite's current runs.
    @Test func editedSuiteNeverMixes() throws {
        var suite = try Suite.load(path: fixture("tiny.yaml"))
        suite.training.steps = 5
        let dir = temporaryDirectory()
        try SuiteRunner(suite: suite, store: ResultsStore(directory: dir, suite: suite, fresh: true), jobs: 2).run(stopAfter: 1)
        suite.training.steps = 6
        let store = try ResultsStore(directory: dir, suite: suite, fresh: false)
        let outcome = try SuiteRunner(suite: suite, store: store, jobs: 2).run()
        #expect(outcome.trained == suite.runs.count)
        let c = ResultsStore.runColumns.firstIndex(of: "training_steps")!
        #expect(store.runRows.count == suite.runs.count * 2 && store.runRows.allSatisfy { $0[c] == "6" })
        #expect(try ResultsStore(directory: dir, suite: suite, fresh: true).completedRunIDs.isEmpty)
    }
}
