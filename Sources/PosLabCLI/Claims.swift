import ArgumentParser
import Foundation
import PosLabResults
import PosLabStudy

extension PosLab {
    /// `poslab claims DIR CLAIMS.yaml`: a paper's claims decided by paired tests, Holm-corrected over the file.
    struct ClaimsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "claims",
            abstract: "Check a paper's claims against a results folder: holds, contradicted or not shown; write claims.csv.",
            discussion: """
                A claims file (YAML) has `source` and `claims:`, a list of statements:
                  A > B on TASK [at lengths L1..L2 | at length L]   (A better; A < B: worse)
                  A ≈ B on TASK [...] [within 0.02]        (equivalent; margin 0.05 by default)
                  mean over tasks [on [T1, T2]]: A − B ≥ C [for X in [E1, E2]]
                "Better" follows the metric's direction (accuracies: higher; eval_loss: lower); ≤ C also works. \
                Encodings and tasks as runs.csv names them, or by a name alone when it matches one. Each claim is a \
                paired test over seeds (as compare's: paired t, or the exact sign test when every difference is \
                equal); a seed's value is its mean over the claim's lengths (all evaluated lengths by default). The \
                claims of one file form one Holm family. holds / contradicted: decided after Holm (≈ holds when the \
                interval lies within the margin); not shown: the interval includes both outcomes, or 2 or more seeds \
                lack numbers. Bad input (a malformed claim, an unknown encoding, task or length, cells the results \
                do not have) exits 2 naming the file, line and claim, and writes nothing.

                Example: a file ruoss2023.yaml holding
                  source: "Ruoss et al. 2023, Table 1"
                  claims:
                    - "randomized(rope) > rope on reverse_string at lengths 41..100"
                    - "alibi ≈ rope on parity_check"
                    - "mean over tasks: randomized(X) − X ≥ 0.05 for X in [alibi, rope]"
                checked with
                  poslab claims Results/chomsky ruoss2023.yaml
                """)

        @Argument(help: "A results folder, e.g. Results/chomsky.")
        var results: String

        @Argument(help: "A claims file (YAML).")
        var claimsFile: String

        @Option(help: "token_accuracy, sequence_accuracy, generated_token_accuracy, eval_loss (also: loss), or for text tasks perplexity or bits_per_byte (default: the claims file's metric:, else token_accuracy).")
        var metric: Metric?

        @Option(help: "The significance level: verdicts use p_holm < alpha, and intervals are at level 1 - alpha.")
        var alpha: Double = 0.05

        @Flag(help: "In a tuned study, show every grid point, each as its own setting (by default each task and encoding is shown at its grid point selected on validation; see selection.csv).")
        var allGridPoints = false

        func validate() throws {
            guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (got \(alpha))") }
        }

        func run() throws {
            let directory = URL(fileURLWithPath: results)
            let records = try RunRow.load(directory: directory, allGridPoints: allGridPoints)
            if let note = SelectionFilter.note(directory: directory, allGridPoints: allGridPoints) { print(note) }
            let claims = try Claims(file: claimsFile, records: records, metric: metric, alpha: alpha)
            let output = directory.appendingPathComponent("claims.csv")
            do { try claims.table.write(to: output) } catch {
                throw ClaimsError("\(output.path): cannot be written (\((error as NSError).localizedDescription))")
            }
            print(claims.render())
            print("Wrote \(output.path)")
        }
    }
}
