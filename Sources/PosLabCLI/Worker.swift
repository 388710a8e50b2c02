import ArgumentParser
import Foundation
import PosLabRunner

extension PosLab {
    /// `poslab worker`: hidden; one job of `poslab run` that calls a plugin's code, in its own
    /// process (see `PluginWorker`). Reads the request as JSON on standard input and answers on
    /// standard output, one line per step, the record, and `done`.
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one job of a plugin encoding's run in its own process (used by `poslab run`).",
            shouldDisplay: false)

        func run() throws {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            let status = PluginWorker.serve(input) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))  // unbuffered: the parent reads each line as it comes
            }
            if status != 0 { throw ExitCode(status) }
        }
    }
}
