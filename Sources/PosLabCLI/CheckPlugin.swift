import ArgumentParser
import Foundation
import PosLabModel
import PosLabRunner

extension PosLab {
    /// `poslab check-plugin NAME|PATH`: the conformance checks every encoding must pass.
    struct CheckPlugin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-plugin",
            abstract: "Run the conformance checks on an encoding: a plugin library, or a registered name.",
            discussion: """
                Checks, in order: it builds in every attention mode it declares; each hook's output has the right \
                shape and finite values at several lengths (per mode); the optimizer sees its parameters and a step \
                updates them; finite-difference gradients match autodiff (per mode); a fixed seed gives \
                bit-identical output; its declared maximum length is honoured (refused cleanly beyond it, or finite \
                at 4× the training length); and a short training probe on the shift task beats `none`. A mode the \
                encoding does not declare is UNSUPPORTED, not a failure.

                The checks run in a child process, so an encoding that crashes or calls exit() is reported as a \
                FAIL naming the check and the signal or status, after every line printed before it. Exits 1 if \
                any check fails, 2 if the plugin cannot be loaded or the spec is invalid.

                A plugin's encodings are checked with their default arguments; `--encoding SPEC` checks one of them \
                with others, written as in a suite file (repeat it to check several). An argument the encoding does \
                not take, or a value it refuses, exits 2 naming the argument and the fix.

                Examples:
                  poslab check-plugin Examples/FirePlugin/.build/release/libFirePlugin.so
                  poslab check-plugin Examples/plugins/Sandwich.swift
                  poslab check-plugin Examples/plugins/CAPE.swift --encoding "cape(global_shift=2, global_scaling=1)"
                  poslab check-plugin "relative-bias(buckets=16, max_distance=64)"
                """)

        @Argument(help: "A plugin library (.so), or a plugin's .swift file or folder (built first) — every encoding it registers is checked — or an encoding spec.")
        var target: String

        @Option(help: "Training steps of the order-task probe.")
        var probeSteps = 300

        @Option(name: .customLong("encoding"),
                help: "Check this encoding of the plugin with these arguments, e.g. 'cape(global_shift=2)' (repeatable; default: every encoding it registers, with default arguments).")
        var encodings: [String] = []

        @Flag(help: .hidden)
        var inProcess = false

        func run() throws {
            if !encodings.isEmpty && !isPlugin {
                throw ValidationError("--encoding chooses among a plugin's encodings; '\(target)' is a spec itself: "
                                      + "write the arguments there, e.g. poslab check-plugin \"\(target)(key=value)\"")
            }
            if inProcess { return try runChecks() }
            // Swift sources are built here, so that compile errors end the command with exit 2 before any check.
            if PluginBuilder.isSource(target) { _ = try pluginLibrary(target) }
            try runInChild()
        }

        /// Marks a check's start in the child's output; the parent strips these lines.
        static let beginMarker = "@@poslab-check-begin "
        /// The child's last line when every check ran to the end.
        static let endMarker = "@@poslab-check-end"

        /// Runs this command again with `--in-process` and relays its output line by line; a child
        /// that dies by a signal or exits in the middle of a check becomes one FAIL line.
        func runInChild() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                                        ?? CommandLine.arguments[0])
            process.arguments = ["check-plugin", target, "--probe-steps", String(probeSteps), "--in-process"]
                + encodings.flatMap { ["--encoding", $0] }
            let pipe = Pipe()
            process.standardOutput = pipe  // standard error is inherited: load errors pass straight through
            try process.run()
            var current: String?, failed = 0, ended = false
            func relay(_ line: String) {
                if line.hasPrefix(Self.beginMarker) {
                    current = String(line.dropFirst(Self.beginMarker.count))
                } else if line == Self.endMarker {
                    ended = true
                } else {
                    if line.hasPrefix("  FAIL  ") { failed += 1 }
                    if line.hasPrefix("  PASS  ") || line.hasPrefix("  FAIL  ") || line.hasPrefix("  UNSUPPORTED  ") { current = nil }
                    print(line)
                    fflush(nil)
                }
            }
            pipe.fileHandleForReading.forEachLine(relay)
            process.waitUntilExit()
            let status = process.terminationStatus
            if ended || current == nil && process.terminationReason == .exit {
                if status != 0 { throw ExitCode(status) }  // 1: a check failed; 2: not loadable, reported by the child
                return
            }
            let how = process.terminationReason == .uncaughtSignal
                ? "the encoding crashed the process: signal \(status) (\(Self.signalName(status)))"
                : "the encoding ended the process with exit(\(status)) before the checks finished"
            print("  FAIL  \(current ?? "loading the plugin")")
            print("        \(how); the checks after it did not run")
            failed += 1
            print("\n\(failed) check\(failed == 1 ? "" : "s") failed")
            throw ExitCode(1)
        }

        static func signalName(_ signal: Int32) -> String { SignalName.of(signal) }

        /// Whether `target` names a plugin (a library, or Swift sources to build) rather than an encoding spec.
        var isPlugin: Bool {
            target.hasSuffix(".so") || target.hasSuffix(".dylib") || target.contains("/") || PluginBuilder.isSource(target)
        }

        /// `--encoding text` for a plugin that registers `names`: the spec, built once with the checker's
        /// model, so that an encoding the plugin does not register, an argument the encoding does not
        /// take or a value it refuses ends the command (exit 2) naming it, before any check runs.
        static func pluginSpec(_ text: String, among names: [String], plugin: String) throws -> Spec {
            let spec: Spec
            do { spec = try Spec(parsing: text) } catch let error as ConfigurationError {
                throw ConfigurationError(field: "--encoding \(text)", rule: error.rule)
            }
            guard names.contains(spec.name) else {
                let hint = nearest(to: spec.name, in: names).map { "did you mean '\($0)'? " } ?? ""
                throw ConfigurationError(field: "--encoding \(text)",
                                         rule: "plugin \(plugin) registers no encoding '\(spec.name)'; \(hint)it registers: \(names.joined(separator: ", "))")
            }
            do {
                _ = try EncodingRegistry.shared.make(spec, context: EncodingContext(config: ConformanceChecker.modelConfig(.bidirectional), seed: 0))
            } catch let error as ConfigurationError {
                throw ConfigurationError(field: "--encoding \(text): \(error.field)", rule: error.rule)
            }
            return spec
        }

        /// The checks themselves, in this process (the child): every line is flushed as it is printed.
        func runChecks() throws {
            func say(_ line: String) {
                print(line)
                fflush(nil)
            }
            var specs: [Spec] = []
            if isPlugin {
                let path = try pluginLibrary(URL(fileURLWithPath: target).standardizedFileURL.path, shown: target)
                try PluginPath.check(path)
                let names = try PluginLoader.load(path)
                specs = try encodings.isEmpty ? names.map { Spec(name: $0) } : encodings.map { try Self.pluginSpec($0, among: names, plugin: target) }
                say("plugin \(target): \(names.joined(separator: ", "))")
            } else {
                specs = [try Spec(parsing: target)]
                // Unknown names (with a suggestion) and bad arguments stop here, with exit status 2.
                _ = try EncodingRegistry.shared.make(specs[0], context: EncodingContext(config: ModelConfig(vocabSize: 8), seed: 0))
            }
            var failed = 0
            for spec in specs {
                say("\n\(spec):")
                var checker = ConformanceChecker(spec: spec)
                checker.probeSteps = probeSteps
                _ = checker.run(begin: { say(Self.beginMarker + $0) }) { check in
                    say("  \(check.status.rawValue)  \(check.name)")
                    say("        \(check.detail)")
                    if check.status == .failed { failed += 1 }
                }
            }
            say(failed == 0 ? "\nall checks passed" : "\n\(failed) check\(failed == 1 ? "" : "s") failed")
            say(Self.endMarker)
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
