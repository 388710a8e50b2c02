import Foundation
import Testing

/// The options shared by several commands are one type each, parsed and listed by ArgumentParser.
@Suite struct CLIOptionTests {
    /// `--metric`, `--family` and `--diverged` are typed: every command's help lists the same values
    /// (before, compare's message left out generated_token_accuracy), and a wrong value is refused with
    /// exit 2 and the values it may take.
    @Test func valueOptionsListTheirValues() throws {
        let dir = temporaryDirectory()
        let metrics = "token_accuracy, sequence_accuracy, generated_token_accuracy, eval_loss, perplexity, bits_per_byte"
        for command in ["summarize", "compare", "claims"] {
            let (status, out, err) = try runPoslab([command, "--help"], in: dir)
            #expect(status == 0, "\(err)")
            #expect(words(out).contains("values: \(metrics)"), "\(command): \(out)")
        }
        let (_, compareHelp_, _) = try runPoslab(["compare", "--help"], in: dir)
        let compareHelp = words(compareHelp_)
        #expect(compareHelp.contains("values: block, task, length, all; default: block"), "\(compareHelp)")
        #expect(compareHelp.contains("values: drop, worst; default: drop"), "\(compareHelp)")

        let (status, _, err) = try runPoslab(["compare", dir.path, "--family", "everything"], in: dir)
        #expect(status == 2)
        #expect(err.contains("'everything'") && err.contains("--family") && err.contains("'block', 'task', 'length' or 'all'"), "\(err)")
        let (s2, _, e2) = try runPoslab(["summarize", dir.path, "--metric", "accuracy"], in: dir)
        #expect(s2 == 2 && e2.contains("'accuracy'") && e2.contains("- generated_token_accuracy\n"), "\(e2)")
    }

    /// `--jobs` and `--allow-mixed-kernels` are one option group in `run` and `eval`, with one check.
    @Test func runAndEvalShareTheirExecutionOptions() throws {
        let dir = temporaryDirectory()
        for command in ["run", "eval"] {
            let (status, _, err) = try runPoslab([command, "anything", "--jobs", "0"] + (command == "eval" ? ["--lengths", "64"] : []), in: dir)
            #expect(status == 2 && err.contains("--jobs must be at least 1 (got 0)"), "\(command): \(err)")
            let (_, help, _) = try runPoslab([command, "--help"], in: dir)
            #expect(help.contains("--allow-mixed-kernels") && help.contains("--plugin <path>"), "\(command): \(help)")
        }
    }

    /// Help text with every run of spaces and line breaks made one space.
    func words(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
