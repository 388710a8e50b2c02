import ArgumentParser
import Foundation
import PosLabModel
import PosLabReport
import PosLabResults
import PosLabRunner

extension PosLab {
    /// `poslab eval RESULTS --lengths …`: evaluate a study's saved models at new lengths, training nothing.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a study's saved models at new lengths, without training.",
            discussion: """
                Every run of the study in RESULTS (the suite in its manifest.json) whose record lacks one of the \
                lengths is evaluated at it from its checkpoint, runs/<id>.safetensors, on the evaluation set \
                `poslab run` would draw: the rows equal those of a suite trained with these lengths from the \
                start. A length an encoding cannot represent gets status unsupported; a diverged run stays \
                diverged. The records, runs.csv, summary.csv, rankings.csv, the report and manifest.json are \
                updated; nothing is trained. A run without a usable checkpoint (trained with \
                training.checkpoint: false, or its file missing or changed) is named, and the exit status is 1: \
                `poslab run` of the suite with these lengths trains it.

                --size evaluates every length, old and new, on sets of that size (the records then hold that set).

                Examples:
                  poslab eval Results/quick --lengths 64,128,256
                  poslab eval Results/standard --lengths 512 --size 512 --jobs 2
                """)

        @Argument(help: "A results folder written by `poslab run`, e.g. Results/quick.")
        var results: String

        @Option(help: ArgumentHelp("Evaluation lengths to add, comma-separated.", valueName: "64,128,256"))
        var lengths: LengthList

        @Option(help: "Sequences per length (default: the study's); a new size re-evaluates every length.")
        var size: Int?

        @OptionGroup var execution: ExecutionOptions

        @OptionGroup var plugin: PluginOptions

        func validate() throws {
            if let size, !(1...1_000_000).contains(size) { throw ValidationError("--size must be between 1 and 1000000 (got \(size))") }
        }

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let manifestURL = directory.appendingPathComponent("manifest.json")
            guard var suite = Manifest.read(manifestURL)?.suite else {
                let why = FileManager.default.fileExists(atPath: manifestURL.path) ? "is damaged" : "is missing"
                throw ResultsError("\(manifestURL.path) \(why): it names the study to evaluate; `poslab run SUITE --out \(results)` rewrites it "
                                   + "(finished runs are not trained again)")
            }
            suite.plugins = try loadPlugins((plugin.paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path } + suite.plugins).uniqued())
            let added = lengths.values.filter { !suite.evaluation.lengths.contains($0) }
            suite.evaluation.lengths = Array(Set(suite.evaluation.lengths + lengths.values)).sorted()
            if let size { suite.evaluation.size = size }
            try suite.checkMemory(jobs: min(execution.jobs, max(1, suite.runs.count)), file: manifestURL.path)
            let store = try ResultsStore(directory: directory, suite: suite, fresh: false)
            var runner = SuiteRunner(suite: suite, store: store, jobs: execution.jobs)
            runner.allowMixedKernels = execution.allowMixedKernels
            runner.worker = .current  // a plugin's crash fails its run's evaluation, not the command
            let outcome = try runner.run(evaluateOnly: true)
            let lengthsText = (added.isEmpty ? lengths.values : added).map(String.init).joined(separator: ", ")
            print("Evaluated \(outcome.evaluated) of \(suite.runs.count) runs from their checkpoints at length\(added.count == 1 ? "" : "s") "
                  + "\(lengthsText); trained nothing.")
            if !outcome.runsTable.rows.isEmpty {
                let (analysis, reportNote) = try writeDerivedFiles(directory, runs: outcome.runsTable)
                print("\nSuite \(suite.name), \(suite.model.attention.rawValue) attention, \(suite.seeds.count) paired seeds.")
                print(analysis.render())
                print("\nUpdated in \(results)/: runs/, runs.csv, summary.csv, rankings.csv, manifest.json\(reportNote)")
            }
            if !added.isEmpty {
                print("The suite file does not list \(lengthsText): add to its evaluation.lengths, or its next `poslab run` "
                      + "shows only its own lengths (the records keep these).")
            }
            if !outcome.needTraining.isEmpty {
                print("\n\(outcome.needTraining.count) run\(outcome.needTraining.count == 1 ? "" : "s") cannot be evaluated without training; "
                      + "`poslab run` of the suite with these lengths trains \(outcome.needTraining.count == 1 ? "it" : "them"):")
                for (run, reason) in outcome.needTraining { print("  \(run): \(reason)") }
                throw ExitCode(1)
            }
        }
    }
}

/// A comma-separated list of distinct evaluation lengths, e.g. `64,128,256`.
struct LengthList: ExpressibleByArgument {
    var values: [Int]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && (1...100_000).contains($0!) }) else { return nil }
        values = Array(Set(parts.map { $0! })).sorted()
    }

    static var defaultValueDescription: String { "64,128,256" }
}

/// Writes summary.csv, rankings.csv and the report of a results folder from its runs.csv as just
/// written, `table` (`SuiteRunner.Outcome.runsTable`: the file is not read again); returns the
/// analysis and, if the report was written, a note naming it.
func writeDerivedFiles(_ directory: URL, runs table: CSVTable) throws -> (Analysis, String) {
    let analysis = try Analysis(records: RunRow.load(table: table, directory: directory), directory: directory)
    try analysis.write(to: directory)
    var reportNote = ", report/report.html"
    do { try Report(data: ReportData.load(directory, runs: table)).write(to: directory.appendingPathComponent("report")) } catch {
        reportNote = ""
        FileHandle.standardError.write(Data("warning: the report was not written: \(error)\n".utf8))
    }
    return (analysis, reportNote)
}
