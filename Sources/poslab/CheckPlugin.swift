import ArgumentParser
import Foundation
import PosLabExperiments
import PosLabModel

extension PosLab {
    /// `poslab check-plugin NAME|PATH`: the conformance checks every encoding must pass.
    struct CheckPlugin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-plugin",
            abstract: "Run the conformance checks on an encoding: a plugin library, or a registered name.",
            discussion: """
                Checks: it builds in both attention modes; the optimizer sees its parameters and a step updates \
                them; finite-difference gradients match autodiff (both modes); hooks and logits have the right \
                shapes at several lengths (both modes); a fixed seed gives bit-identical output; its declared \
                maximum length is honoured (refused cleanly beyond it, or finite at 4× the training length); and \
                a short training probe on the shift task beats `none`. Prints pass/fail per check; exits 1 if any \
                check fails, 2 if the plugin cannot be loaded.

                Examples:
                  poslab check-plugin Examples/FirePlugin/.build/release/libFirePlugin.so
                  poslab check-plugin "relative-bias(buckets=16, max_distance=64)"
                """)

        @Argument(help: "A plugin library (.so) — every encoding it registers is checked — or an encoding spec.")
        var target: String

        @Option(help: "Training steps of the order-task probe.")
        var probeSteps = 300

        func run() throws {
            var specs: [Spec] = []
            if target.hasSuffix(".so") || target.hasSuffix(".dylib") || target.contains("/") {
                let names = try PluginLoader.load(URL(fileURLWithPath: target).standardizedFileURL.path)
                specs = names.map { Spec(name: $0) }
                print("plugin \(target): \(names.joined(separator: ", "))")
            } else {
                specs = [try Spec(parsing: target)]
                // Unknown names (with a suggestion) and bad arguments stop here, with exit status 2.
                _ = try EncodingRegistry.shared.make(specs[0], context: EncodingContext(config: ModelConfig(vocabSize: 8), seed: 0))
            }
            var failed = 0
            for spec in specs {
                print("\n\(spec):")
                var checker = ConformanceChecker(spec: spec)
                checker.probeSteps = probeSteps
                for check in checker.run() {
                    print("  \(check.passed ? "PASS" : "FAIL")  \(check.name)")
                    print("        \(check.detail)")
                    if !check.passed { failed += 1 }
                }
            }
            print(failed == 0 ? "\nall checks passed" : "\n\(failed) check\(failed == 1 ? "" : "s") failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
