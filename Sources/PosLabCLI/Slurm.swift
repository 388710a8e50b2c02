import ArgumentParser
import Foundation
import PosLabModel
import PosLabStudy

extension PosLab {
    /// `poslab slurm SUITE --array N`: a Slurm job array whose tasks train one suite into one shared folder.
    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write (and with --submit, submit) a Slurm job array that runs a suite on many machines.",
            discussion: """
                Writes RESULTS/slurm/run.sbatch: an array of N tasks, each `poslab run SUITE --out RESULTS` on its own \
                machine. The tasks share the results folder (it must be on a filesystem every node sees): each run is \
                claimed before it is trained, so no run is trained twice, and a task that dies leaves its run to be \
                taken over. RESULTS/slurm/finish.sbatch rebuilds runs.csv, the summary and the report once the array \
                has ended (submitted with --dependency=afterany). Paths in the scripts are absolute.

                Examples:
                  poslab slurm Experiments/standard.yaml --array 8 --partition cpu --time 2:00:00 --submit
                  poslab slurm Experiments/quick.yaml --array 4 --out /shared/poslab/quick     # write only; sbatch it yourself
                """)

        @Argument(help: "The suite file (YAML).")
        var suite: String

        @Option(help: "Tasks in the array (machines working at once).")
        var array: Int

        @Option(help: "The results folder, shared by every node (default: Results/<suite name>).")
        var out: String?

        @Option(help: "Slurm partition (default: the cluster's default).")
        var partition: String?

        @Option(help: "Time limit of each task, as Slurm reads it (e.g. 30:00, 2:00:00).")
        var time: String?

        @Option(help: "CPUs per task; each task trains this many runs at once (--jobs).")
        var cpusPerTask = 2

        @Option(help: ArgumentHelp("Memory of each task, as Slurm reads it (a number of MB, or with K, M, G or T): written as #SBATCH --mem, "
                                   + "and the suite's largest run must fit it shared by --cpus-per-task runs (default: checked against this machine's memory).",
                                   valueName: "size"))
        var mem: String?

        @OptionGroup var plugin: PluginOptions

        @Flag(help: "Submit the array and the finishing job with sbatch (needs Slurm's client commands).")
        var submit = false

        func validate() throws {
            guard (1...10_000).contains(array) else { throw ValidationError("--array must be in 1...10000 (got \(array))") }
            guard (1...1024).contains(cpusPerTask) else { throw ValidationError("--cpus-per-task must be in 1...1024 (got \(cpusPerTask))") }
            if let mem, Self.megabytes(mem) == nil {
                throw ValidationError("--mem must be a size as Slurm reads it: a whole number of megabytes, or with K, M, G or T (e.g. 4000, 16G; got '\(mem)')")
            }
            for (name, value) in [("--partition", partition), ("--time", time)] {
                if let value, value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" }) {
                    throw ValidationError("\(name) must be one word (got '\(value)')")
                }
            }
        }

        func run() throws {
            _ = try loadPlugins(plugin.paths)
            let loaded = try loadSuite(suite)  // bad suites stop here, before anything is written
            // Each task trains --cpus-per-task runs at once in what Slurm gives it (--mem), or, without --mem, in no
            // more than this machine has: a suite that cannot fit is refused here, not on the nodes.
            let limit = mem.flatMap(Self.megabytes).map { MemoryLimit(bytes: $0 * 1_048_576, source: .slurm(mem!)) }
                ?? MemoryBudget.current()
            try loaded.checkMemory(jobs: cpusPerTask, limit: limit, file: suite)
            let results = URL(fileURLWithPath: out ?? "Results/\(loaded.name)").standardizedFileURL
            if let problem = FileProblem.outputFolderProblem(results.path) { PosLab.fail(problem) }
            let folder = results.appendingPathComponent("slurm")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let poslab = Self.executablePath
            let suitePath = URL(fileURLWithPath: suite).standardizedFileURL.path
            let pluginArguments = plugin.paths.map { " --plugin \(Self.quote(URL(fileURLWithPath: $0).standardizedFileURL.path))" }.joined()
            var header = ["#!/bin/bash", "#SBATCH --job-name=poslab-\(loaded.name)", "#SBATCH --array=1-\(array)",
                          "#SBATCH --cpus-per-task=\(cpusPerTask)", "#SBATCH --output=\(folder.path)/task-%A_%a.log"]
            if let partition { header.append("#SBATCH --partition=\(partition)") }
            if let time { header.append("#SBATCH --time=\(time)") }
            if let mem { header.append("#SBATCH --mem=\(mem)") }
            let runScript = (header + [
                "# Written by `poslab slurm`: every task runs the same command; runs are claimed, never trained twice.",
                "set -euo pipefail",
                "exec \(Self.quote(poslab)) run \(Self.quote(suitePath)) --out \(Self.quote(results.path)) --jobs \"${SLURM_CPUS_PER_TASK:-\(cpusPerTask)}\"\(pluginArguments)",
            ]).joined(separator: "\n") + "\n"
            var finishHeader = ["#!/bin/bash", "#SBATCH --job-name=poslab-\(loaded.name)-finish", "#SBATCH --cpus-per-task=1",
                                "#SBATCH --output=\(folder.path)/finish-%j.log"]
            if let partition { finishHeader.append("#SBATCH --partition=\(partition)") }
            let finishScript = (finishHeader + [
                "# Written by `poslab slurm`: after the array, finish what a task that died may have left (a resume),",
                "# then the derived files: runs.csv, summary, report.",
                "set -euo pipefail",
                "\(Self.quote(poslab)) run \(Self.quote(suitePath)) --out \(Self.quote(results.path)) --jobs 1\(pluginArguments)",
                "\(Self.quote(poslab)) report \(Self.quote(results.path))",
            ]).joined(separator: "\n") + "\n"
            let runURL = folder.appendingPathComponent("run.sbatch"), finishURL = folder.appendingPathComponent("finish.sbatch")
            try Data(runScript.utf8).write(to: runURL, options: .atomic)
            try Data(finishScript.utf8).write(to: finishURL, options: .atomic)
            print("wrote \(runURL.path) (\(array) tasks × \(cpusPerTask) CPUs) and \(finishURL.path)")
            guard submit else {
                print("submit with: jobid=$(sbatch --parsable \(runURL.path)) && sbatch --dependency=afterany:$jobid \(finishURL.path)")
                return
            }
            let jobID = try Self.sbatch([runURL.path])
            let finishID = try Self.sbatch(["--dependency=afterany:\(jobID)", finishURL.path])
            print("submitted array job \(jobID) and finishing job \(finishID); watch with: squeue -j \(jobID),\(finishID)")
        }

        /// This executable's absolute path (the nodes run the same binary from the shared filesystem).
        static var executablePath: String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }

        /// Megabytes in a size as Slurm's --mem reads it: a whole number, MB unless suffixed K, M, G or T.
        static func megabytes(_ text: String) -> Int? {
            let units: [Character: Double] = ["K": 1.0 / 1024, "M": 1, "G": 1024, "T": 1_048_576]
            var digits = text.uppercased(), factor = 1.0
            if let last = digits.last, let unit = units[last] { factor = unit; digits.removeLast() }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value > 0 else { return nil }
            return max(1, Int((Double(value) * factor).rounded(.up)))
        }

        /// A single-quoted shell word.
        static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

        /// Runs `sbatch --parsable ARGS`; returns the job id, or exits 2 naming the problem.
        static func sbatch(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sbatch", "--parsable"] + arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            do { try process.run() } catch { PosLab.fail("cannot start sbatch (\(error.localizedDescription)); is Slurm installed?") }
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let id = text.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard process.terminationStatus == 0, !id.isEmpty else {
                PosLab.fail("sbatch \(arguments.joined(separator: " ")) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return id
        }
    }
}
