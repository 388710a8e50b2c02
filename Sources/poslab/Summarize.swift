import ArgumentParser
import Foundation
import PosLabExperiments

extension PosLab {
    /// `poslab summarize DIR`: the distribution over seeds of every result.
    struct Summarize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarize a results folder over seeds: write summary.csv and rankings.csv, print a table.",
            discussion: """
                summary.csv has one row per task × encoding × evaluation length × metric: n (runs with numbers), \
                n_excluded (diverged, or unsupported at that length), mean, sd, the 95% t interval of the mean \
                (ci_low, ci_high), median, min and max (max over seeds, to compare with tables that report the \
                best seed). rankings.csv ranks encodings by mean token accuracy per task, and gives each one's \
                mean rank and mean reciprocal rank across tasks, at the training and the longest length. \
                `poslab run` writes both when it finishes.

                Example:
                  poslab summarize Results/quick
                """)

        @Argument(help: "A results folder, e.g. Results/quick.")
        var results: String

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let analysis = try Analysis(directory: directory)
            try analysis.write(to: directory)
            print(analysis.render())
            print("\nWrote \(directory.path)/summary.csv and rankings.csv")
        }
    }
}
