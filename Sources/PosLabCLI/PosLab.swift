import ArgumentParser
import Foundation
import PosLabModel
import PosLabReport
import PosLabResults
import PosLabStudy

/// `poslab`: compare positional encodings by training tiny transformers on order-sensitive tasks.
/// The `poslab` executable is a launcher (Sources/poslab/main.c) that calls `poslab_main` below.
struct PosLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poslab",
        abstract: "Compare positional encodings by training tiny transformers on order-sensitive tasks.",
        discussion: """
            A suite file (YAML, in Experiments/) names encodings, tasks, seeds, the model and how to train and \
            evaluate. `poslab run` trains every task × encoding × seed, evaluates each run at every evaluation \
            length, and writes tidy CSV to Results/<suite>/.

            Start with:
              poslab list                          # encodings and tasks
              poslab run Experiments/quick.yaml    # 4 encodings × 3 tasks × 3 seeds
              poslab compare Results/quick --baseline none
            """,
        version: Manifest.version,
        subcommands: [List.self, Run.self, Eval.self, Summarize.self, Compare.self, ClaimsCommand.self, Rebuild.self, CheckPlugin.self, PluginCommand.self, Tokenize.self, Windows.self, MachineInfo.self, Inspect.self, ReportCommand.self, Slurm.self, Worker.self])

    /// Parses and runs a command; bad input of any kind exits with status 2 and a message.
    static func main(arguments: [String]) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as UserError {
            fail(error.description, exitCode: error.exitCode)
        } catch let error as CocoaError {
            // A file that cannot be read or written (a folder in its place, no permission, a full disk): one line, in words.
            fail((FileProblem.path(error).map { "\($0): " } ?? "") + FileProblem.reason(error))
        } catch let error as POSIXError {
            fail((FileProblem.path(error).map { "\($0): " } ?? "") + FileProblem.reason(error))
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            if code == .validationFailure || error is ValidationError {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// Prints `error: <message>` on standard error and exits with `exitCode` (2: bad input).
    static func fail(_ message: String, exitCode: Int32 = 2) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(exitCode)
    }
}
