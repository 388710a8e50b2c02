import ArgumentParser
import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner

extension PosLab {
    /// `poslab run SUITE`: train and evaluate every run of a suite, resumably.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a suite: train every task × encoding × seed, evaluate per length, write CSV.",
            discussion: """
                Results go to Results/<suite name>/ (or --out): runs/<id>.json (one record per finished run, written \
                atomically, named by the hash of its resolved configuration), and derived from them runs.csv (one row \
                per run × evaluation length), curves.csv and manifest.json. The same command resumes an interrupted \
                suite, and a grown one (more seeds, encodings, tasks, grid points, lengths) trains only the new runs. \
                Several processes may share a folder: each run is claimed before it is trained. A run that fails is \
                recorded as failed, the others go on, and the exit status is 1; running again retries it. \
                --fresh deletes the files PosLab wrote there and starts over. Each run's final weights are saved beside its \
                record (runs/<id>.safetensors, about 0.4 MB at the standard size; --no-checkpoint or \
                training.checkpoint: false to skip), so that lengths added later are evaluated, not retrained.

                Progress goes to standard error; the summary table to standard output.

                Examples:
                  poslab run Experiments/quick.yaml
                  poslab run Experiments/standard.yaml --jobs 2 --seeds 1-10 --out Results/std10
                """)

        @Argument(help: "The suite file (YAML), e.g. Experiments/quick.yaml.")
        var suite: String

        @Option(help: "The results folder (default: Results/<suite name>).")
        var out: String?

        @OptionGroup var execution: ExecutionOptions

        @Option(help: ArgumentHelp("Override the suite's seeds: a list or a range.", valueName: "1,2,3 | 1-5"))
        var seeds: String?

        @Flag(help: "Delete this suite's previous results and start over.")
        var fresh = false

        @Option(help: "Stop after this many runs (the rest are done by running the same command again).")
        var limit: Int?

        @Flag(inversion: .prefixedNo, help: ArgumentHelp(
            "Save each run's final weights as runs/<id>.safetensors (default: the suite's training.checkpoint, true if absent).",
            discussion: "A checkpoint lets `poslab eval` and a grown suite add evaluation lengths without training."))
        var checkpoint: Bool?

        @OptionGroup var plugin: PluginOptions

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (got \(limit))") }
            if let seeds { _ = try Self.parseSeeds(seeds) }
        }

        /// Seeds are 32-bit, as a suite file's `seeds` are (0...4294967295): a range is bounded like a list.
        static func parseSeeds(_ text: String) throws -> [UInt64] {
            let limit = UInt64(UInt32.max)
            let refused = ValidationError("--seeds must be a list like 1,2,3 or a range like 1-5 of distinct integers "
                + "in 0...\(limit) (got '\(text)')")
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let parts = trimmed.split(separator: "-")
            if parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b, b - a < 10_000 {
                guard b <= limit else { throw refused }
                return Array(a...b)
            }
            let list = trimmed.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard !list.isEmpty, list.allSatisfy({ $0 != nil && $0! <= limit }),
                  Set(list.map { $0! }).count == list.count else { throw refused }
            return list.map { $0! }
        }

        func run() throws {
            let loaded = try loadPlugins(plugin.paths)
            var suite = try loadSuite(self.suite)
            suite.plugins = (loaded + suite.plugins).uniqued()
            if let seeds { suite.seeds = try Self.parseSeeds(seeds) }
            if let checkpoint { suite.checkpoint = checkpoint }
            // Before anything is written: the largest run must fit the machine's memory shared by the jobs.
            try suite.checkMemory(jobs: min(execution.jobs, max(1, suite.runs.count)), file: self.suite)
            let shown = out ?? "Results/\(suite.name)"
            if let problem = FileProblem.outputFolderProblem(shown) { PosLab.fail(problem) }
            // Before anything is written: every plugin encoding must change the model's output (its
            // hooks fire), checked in a worker process, as its runs will train.
            let worker = PluginWorker.current
            try worker.refuseInertEncodings(suite, resolved: Trainer(suite: suite).resolve(suite.runs), file: self.suite)
            let directory = URL(fileURLWithPath: shown)
            let store = try ResultsStore(directory: directory, suite: suite, fresh: fresh)
            let total = suite.runs.count
            let grid = suite.grid.isEmpty ? "" : " × \(suite.grid.count) grid points"
            FileHandle.standardError.write(Data((
                "suite \(suite.name): \(suite.tasks.count) tasks\(grid) × \(suite.encodings.count) encodings × \(suite.seeds.count) seeds "
                + "= \(total) runs, \(execution.jobs) at a time → \(shown)\n").utf8))
            var runner = SuiteRunner(suite: suite, store: store, jobs: execution.jobs)
            runner.allowMixedKernels = execution.allowMixedKernels
            runner.worker = worker  // runs of plugin encodings in worker processes: a crash fails its run, not the suite
            let outcome = try runner.run(stopAfter: limit)
            if outcome.runsTable.rows.isEmpty {
                print("No run has finished yet; run the same command again to go on.")
                throw ExitCode(outcome.failed.isEmpty ? 0 : 1)
            }
            let (analysis, reportNote) = try writeDerivedFiles(directory, runs: outcome.runsTable)
            print("\nSuite \(suite.name), \(suite.model.attention.rawValue) attention, \(suite.seeds.count) paired seeds.")
            print(analysis.render())
            print("\nResults in \(shown)/: runs/ (one record per run), runs.csv, curves.csv, manifest.json, summary.csv, rankings.csv\(reportNote)")
            if !outcome.failed.isEmpty {
                print("\n\(outcome.failed.count) run\(outcome.failed.count == 1 ? "" : "s") failed (rows with status failed); run the same command again to retry:")
                for (run, message) in outcome.failed { print("  \(run): \(message)") }
                throw ExitCode(1)
            }
            if outcome.missing > 0 {
                print("\n\(outcome.missing) runs are not finished yet; run the same command again to go on.")
            }
            // `none` is the baseline to suggest only where it is the order-blind control: bidirectional attention.
            let noneIsControl = suite.encodings.contains(Spec(name: "none")) && suite.model.attention == .bidirectional
                && suite.points.allSatisfy { $0.model.attention == .bidirectional }
            print("Next: poslab compare \(shown)" + (noneIsControl ? " --baseline none" : "   # every pair of encodings; --baseline NAME compares each against one"))
        }
    }
}
