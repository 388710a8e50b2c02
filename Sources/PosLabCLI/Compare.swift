import ArgumentParser
import Foundation
import PosLabResults
import PosLabStudy

extension PosLab {
    /// `poslab compare DIR`: paired tests between encodings, Holm-corrected within a family.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare encodings with paired tests, Holm-corrected within a family; write comparisons.csv.",
            discussion: """
                For each task and selected length, each pair of encodings (or each against --baseline): the mean \
                difference with its interval and the test's own p (the two agree: the interval excludes 0 exactly when \
                p < alpha), then p_holm, Holm's adjustment within the family (default: one task, setting, length and \
                metric; --family widens it), which decides the verdict. Runs are paired by seed over the seeds both \
                encodings have numbers for: paired t-test, Cohen's d_z, the Wilcoxon signed-rank and the exact sign \
                test; when every difference is equal the sign test is the test. Fewer than two shared seeds: Welch's \
                t-test, Cohen's d and the Mann-Whitney U test. Verdicts say which encoding is better by the metric's \
                direction (accuracies: higher; loss: lower). Unsupported runs are left out, and diverged ones too \
                unless --diverged worst counts them as the metric's worst value. An existing output is replaced only \
                by a complete new one.

                Examples:
                  poslab compare Results/quick --baseline none
                  poslab compare Results/standard --baseline 'relative-bias(buckets=32, max_distance=128)' --length longest
                  poslab compare Results/standard --metric eval_loss --length all --family task --out /tmp/loss.csv
                """)

        @Argument(help: "A results folder, e.g. Results/quick.")
        var results: String

        @Option(help: "Compare every encoding against this one, e.g. none or 'learned(size=8)' (',' or ';' between arguments).")
        var baseline: String?

        @Option(help: "The metric: token_accuracy, sequence_accuracy, generated_token_accuracy (tasks scored by generation), eval_loss (also: loss), or for text tasks perplexity or bits_per_byte.")
        var metric: Metric = .tokenAccuracy

        @Option(help: ArgumentHelp("An evaluation length, train (the longest training length), longest, or all.", valueName: "L|train|longest|all"))
        var length: String = "train"

        @Option(help: "The significance level: verdicts use p_holm < alpha, and intervals are at level 1 - alpha.")
        var alpha: Double = 0.05

        @Option(help: ArgumentHelp("The Holm family: block (one task, setting and length), task (every length of a task), length (every task at a length) or all.",
                                   valueName: "block|task|length|all"))
        var family: ComparisonFamily = .block

        @Option(help: ArgumentHelp("Diverged runs: drop (left out) or worst (counted as the metric's worst value, 0 for accuracies).",
                                   valueName: "drop|worst"))
        var diverged: DivergedPolicy = .drop

        @Option(help: "Write the table here instead of RESULTS/comparisons.csv.")
        var out: String?

        @Flag(help: "In a tuned study, show every grid point, each as its own setting (by default each task and encoding is shown at its grid point selected on validation; see selection.csv).")
        var allGridPoints = false

        func validate() throws {
            guard LengthChoice(length) != nil else {
                throw ValidationError("--length must be a positive length, train, longest or all (got '\(length)')")
            }
            guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (got \(alpha))") }
            if diverged == .worst, metric.worst == nil {
                throw ValidationError("--diverged worst needs an accuracy metric: \(metric.rawValue) has no worst value")
            }
        }

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let records = try RunRow.load(directory: directory, allGridPoints: allGridPoints)
            if let note = SelectionFilter.note(directory: directory, allGridPoints: allGridPoints) { print(note) }
            if let problem = RunRow.missingMetric(metric, in: records, directory: directory) { throw ComparisonError(problem) }
            let comparison = try Comparison(records: records, metric: metric, lengths: LengthChoice(length)!,
                                            baseline: baseline, alpha: alpha, family: family,
                                            diverged: diverged)
            guard !comparison.rows.isEmpty else {
                throw ComparisonError("\(directory.path): nothing to compare (one encoding only); nothing written")
            }
            let output = out.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("comparisons.csv")
            do { try comparison.table.write(to: output) } catch {
                throw ComparisonError("\(output.path): cannot be written (\((error as NSError).localizedDescription))")
            }
            var block = ""
            for row in comparison.rows {
                let scope = row.setting.isEmpty ? row.task : "\(row.task) [\(row.setting)]"
                let here = "\(scope), length \(row.evalLength)"
                if here != block {
                    block = here
                    let control = row.controlTask ? "; a control task (needs no order)" : ""
                    print("\n\(here) — \(row.metric.rawValue) (\(row.metric.direction))\(control)")
                }
                print("  " + row.verdict)
            }
            let families = Set(comparison.rows.map(\.family)).count
            print("\n\(comparison.rows.count) comparisons in \(families) Holm famil\(families == 1 ? "y" : "ies") (--family \(family)); "
                  + "p and the \(Int((100 * (1 - alpha)).rounded()))% CI are each test's own, p_holm is adjusted within the family; wrote \(output.path)")
        }
    }
}
