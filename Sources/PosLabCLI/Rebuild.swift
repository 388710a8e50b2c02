import ArgumentParser
import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner

extension PosLab {
    /// `poslab rebuild DIR`: derive runs.csv, curves.csv, summary.csv and rankings.csv from the run records.
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite runs.csv, curves.csv, summary.csv and rankings.csv of a results folder from its run records.",
            discussion: """
                The run records (runs/<id>.json) are the results; the CSV files are derived from them, for the suite \
                in manifest.json. A damaged record is named, and its run has no rows until `poslab run` trains it again.

                Example: poslab rebuild Results/quick
                """)

        @Argument(help: "A results folder, e.g. Results/quick.")
        var results: String

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let manifestURL = directory.appendingPathComponent("manifest.json")
            guard var suite = Manifest.read(manifestURL)?.suite else {
                throw ResultsError("\(manifestURL.path) is missing or damaged: it names the suite whose rows to derive; "
                                   + "`poslab run SUITE --out \(results)` rewrites it (finished runs are not trained again)")
            }
            suite.plugins = try loadPlugins(suite.plugins)
            let store = try ResultsStore(directory: directory, suite: suite, fresh: false)
            let runs = try Trainer(suite: suite).resolve(suite.runs)
            let rebuilt = try store.rebuild(runs)
            for damage in rebuilt.damaged { FileHandle.standardError.write(Data("warning: \(damage); its run has no rows\n".utf8)) }
            let rows = rebuilt.completedRunIDs.count
            print("\(rows) of \(runs.count) runs in \(directory.path)/runs.csv")
            guard rows > 0 else { return }
            let analysis = try Analysis(records: RunRow.load(table: rebuilt.runsTable, directory: directory), directory: directory)
            try analysis.write(to: directory)
            print(analysis.render())
        }
    }
}
