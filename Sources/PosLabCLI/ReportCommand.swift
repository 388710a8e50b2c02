import ArgumentParser
import Foundation
import PosLabModel
import PosLabReport
import PosLabResults

extension PosLab {
    /// `poslab report RESULTS`: figures of a study, from its results folder alone.
    struct ReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Draw a study's figures: report.html (self-contained) and one SVG per figure.",
            discussion: """
                Reads runs.csv (and curves.csv, manifest.json, comparisons.csv, claims.csv when present) and draws: the metric \
                against evaluation length per task, with the seeds' interval, the training lengths and the chance \
                level; a task × encoding overview at the training and the longest length; training curves; and it lists \
                compare's verdicts and the claims with theirs. Each \
                SVG stands alone (rsvg-convert -f pdf turns it into a PDF). `poslab run` writes the report too.

                Examples:
                  poslab report Results/quick                       # Results/quick/report/report.html
                  poslab report Results/standard --metric sequence_accuracy --out figures/
                """)

        @Argument(help: "A results folder (Results/<suite>).")
        var results: String

        @Option(help: "Where to write report.html and the SVG files (default: RESULTS/report).")
        var out: String?

        @Option(help: "token_accuracy, sequence_accuracy or eval_loss.")
        var metric = "token_accuracy"

        @Flag(help: "In a tuned study, draw every grid point, each as its own setting (by default each task and encoding at its grid point selected on validation; see selection.csv).")
        var allGridPoints = false

        func validate() throws {
            guard ["token_accuracy", "sequence_accuracy", "eval_loss"].contains(metric) else {
                throw ValidationError("--metric must be token_accuracy, sequence_accuracy or eval_loss (got '\(metric)')")
            }
        }

        func run() throws {
            let folder = URL(fileURLWithPath: results)
            // runs.csv is read as summarize and compare read it: what they refuse is refused here, with the same words.
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs.csv").path) {
                _ = try RunRow.load(directory: folder)
            }
            let data: ReportData
            do { data = try ReportData.load(folder, allGridPoints: allGridPoints) } catch let error as ReportError { PosLab.fail(error.description) }
            let target = out.map { URL(fileURLWithPath: $0) } ?? folder.appendingPathComponent("report")
            if let problem = FileProblem.outputFolderProblem(target.path) { PosLab.fail(problem) }
            let url = try Report(data: data, metric: metric).write(to: target)
            if let note = SelectionFilter.note(directory: folder, allGridPoints: allGridPoints) { print(note) }
            print("wrote \(url.path) and its figures (\(data.rows.map(\.runID).uniqued().count) runs)")
        }
    }
}
