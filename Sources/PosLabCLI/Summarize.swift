import ArgumentParser
import Foundation
import PosLabResults
import PosLabStudy

extension PosLab {
    /// `poslab summarize DIR`: the distribution over seeds of every result.
    struct Summarize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarize a results folder over seeds: write summary.csv and rankings.csv, print a table.",
            discussion: """
                summary.csv has one row per task × encoding × evaluation length × metric: n (runs with numbers) of \
                n_total, n_excluded (diverged, or unsupported at that length), mean, sd, the 95% t interval of the mean \
                clipped to the metric's range (ci_low, ci_high; ci_method says so), median, min and max (the best seed, \
                to compare with tables that report it), whether the task is an order-insensitive control \
                (control_task) and whether the encoding is blind to order (control_encoding: none under bidirectional \
                attention), and the task's chance level (the token accuracy of the best input-blind guess). \
                rankings.csv ranks encodings per task by the chosen metric, and gives each one's mean rank and mean \
                reciprocal rank across the tasks that are not controls, at the training and the longest length. \
                `poslab run` writes both when it finishes.

                Examples:
                  poslab summarize Results/quick
                  poslab summarize Results/quick --metric eval_loss --lengths all
                  poslab summarize Results/standard --lengths 16,32,64 --diverged worst
                """)

        @Argument(help: "A results folder, e.g. Results/quick.")
        var results: String

        @Option(help: "The metric of the table and rankings.csv: token_accuracy, sequence_accuracy, generated_token_accuracy (tasks scored by generation), eval_loss (also: loss), or for text tasks perplexity or bits_per_byte.")
        var metric: Metric = .tokenAccuracy

        @Option(help: ArgumentHelp("Lengths the table shows: all, or a list (default: every length when there are at most 4, else the training length, twice it and the longest).",
                                   valueName: "all|L,L,…"))
        var lengths: String?

        @Option(help: ArgumentHelp("Diverged runs: drop (left out) or worst (counted as the metric's worst value, 0 for accuracies).",
                                   valueName: "drop|worst"))
        var diverged: DivergedPolicy = .drop

        @Flag(help: "Rank control tasks in the across-task aggregate too (left out by default).")
        var includeControls = false

        @Option(help: ArgumentHelp("The accuracy at which a seed counts as solving a cell: summary.csv's `solved` column is the fraction of seeds that reach it, and the table marks a cell where some do and some do not as bimodal.",
                                   valueName: "0.9"))
        var solvedAt: Double = 0.9

        @Flag(help: "In a tuned study, show every grid point, each as its own setting (by default each task and encoding is shown at its grid point selected on validation; see selection.csv).")
        var allGridPoints = false

        func validate() throws {
            if let lengths, lengths != "all" { _ = try Self.parseLengths(lengths) }
            guard solvedAt.isFinite, (0...1).contains(solvedAt) else { throw ValidationError("--solved-at must be an accuracy between 0 and 1 (got \(solvedAt))") }
        }

        static func parseLengths(_ text: String) throws -> [Int] {
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--lengths must be all or a list of lengths like 8,16,32 (got '\(text)')")
            }
            return parts.map { $0! }
        }

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let analysis = try Analysis(directory: directory, metric: metric,
                                        diverged: diverged, includeControls: includeControls, solvedAt: solvedAt,
                                        allGridPoints: allGridPoints)
            if let problem = RunRow.missingMetric(analysis.metric, in: analysis.records, directory: directory) { throw ResultsError(problem) }
            var shown: [Int]?
            if let lengths {
                shown = lengths == "all" ? analysis.allLengths : try Self.parseLengths(lengths)
                if let missing = shown!.first(where: { !analysis.allLengths.contains($0) }) {
                    throw ResultsError("--lengths: \(missing) was not evaluated; \(directory.path) has \(analysis.allLengths.map(String.init).joined(separator: ", "))")
                }
            }
            try analysis.write(to: directory)
            if let note = SelectionFilter.note(directory: directory, allGridPoints: allGridPoints) { print(note + "\n") }
            print(analysis.render(lengths: shown))
            print("\nWrote \(directory.path)/summary.csv and rankings.csv")
        }
    }
}
