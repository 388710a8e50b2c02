import ArgumentParser
import Foundation
import PosLabExperiments

extension PosLab {
    /// `poslab compare DIR`: paired tests between encodings, Holm-corrected.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare encodings with paired tests and Holm-corrected p-values; write comparisons.csv.",
            discussion: """
                For each task and selected length, each pair of encodings (or each against --baseline): the mean \\
                difference with its 95% interval, the test, its statistic and p, the Holm-adjusted p over every \\
                comparison in the file, an effect size and a plain-words verdict. Runs with the same seeds on both \\
                sides are paired (same data, same shared initial weights): paired t-test, Cohen's d_z and the \\
                Wilcoxon signed-rank test; otherwise Welch's t-test, Cohen's d and the Mann-Whitney U test. Cliff's \\
                delta is given for both. Diverged and unsupported runs are left out.

                Example: poslab compare Results/standard --baseline none --length longest
                """)

        @Argument(help: "A results folder, e.g. Results/quick.")
        var results: String

        @Option(help: "Compare every encoding against this one (as named in runs.csv, e.g. none or learned(size=8)).")
        var baseline: String?

        @Option(help: "token_accuracy, sequence_accuracy or eval_loss (also: loss).")
        var metric: String = "token_accuracy"

        @Option(help: ArgumentHelp("An evaluation length, train (the longest training length), longest, or all.", valueName: "L|train|longest|all"))
        var length: String = "train"

        @Option(help: "The significance level the verdicts use (after Holm's correction).")
        var alpha: Double = 0.05

        func validate() throws {
            guard Metric(rawValue: metric == "loss" ? "eval_loss" : metric) != nil else {
                throw ValidationError("--metric must be token_accuracy, sequence_accuracy or eval_loss (got '\(metric)')")
            }
            guard LengthChoice(length) != nil else {
                throw ValidationError("--length must be a positive length, train, longest or all (got '\(length)')")
            }
            guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (got \(alpha))") }
        }

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let records = try RunRecord.load(directory: directory)
            var baseline = self.baseline
            // Accept a bare name when exactly one encoding of that name is in the results.
            if let b = baseline, !records.contains(where: { $0.encoding == b }) {
                let matches = Set(records.map(\.encoding)).filter { $0.hasPrefix(b + "(") }
                if matches.count == 1 { baseline = matches.first }
            }
            let comparison = try Comparison(records: records, metric: Metric(rawValue: metric == "loss" ? "eval_loss" : metric)!,
                                            lengths: LengthChoice(length)!, baseline: baseline, alpha: alpha)
            try comparison.table.write(to: directory.appendingPathComponent("comparisons.csv"))
            var task = ""
            for row in comparison.rows {
                let scope = row.setting.isEmpty ? row.task : "\(row.task) [\(row.setting)]"
                if scope != task {
                    task = scope
                    print("\n\(task) — \(row.metric.rawValue), \(row.paired ? "paired" : "unpaired") over \(row.valuesA.count) seeds")
                }
                print("  " + row.verdict)
            }
            print("\n\(comparison.rows.count) comparisons, Holm-corrected over all of them; wrote \(directory.path)/comparisons.csv")
        }
    }
}
