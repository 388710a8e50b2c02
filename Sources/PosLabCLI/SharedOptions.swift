import ArgumentParser
import Foundation
import PosLabResults
import PosLabStudy

/// `--plugin`, as every command that may meet a plugin's encodings takes it.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin"), help: ArgumentHelp(
        "A plugin: a library, or a .swift file or a folder of them, built on first use (repeatable).", valueName: "path"))
    var paths: [String] = []
}

/// How `run` and `eval` execute runs: `--jobs` and `--allow-mixed-kernels`.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Runs trained or evaluated at once, each on one BLAS thread; defaults to the number of cores.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Let new numbers join runs computed with another OpenBLAS kernel (refused by default: kernels give slightly different numbers).")
    var allowMixedKernels = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
    }
}

// The options' value types, parsed and listed in `--help` by ArgumentParser (a metric also as `loss`).
extension Metric: ExpressibleByArgument {}
extension DivergedPolicy: ExpressibleByArgument {}
extension ComparisonFamily: ExpressibleByArgument {}
