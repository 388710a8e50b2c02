import ArgumentParser
import Foundation
import PosLabModel
import PosLabResults
import PosLabStudy

extension PosLab {
    /// `poslab machine`: what this machine computes with — to print beside every number you report.
    struct MachineInfo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "machine",
            abstract: "Show the CPU, the OpenBLAS kernel PosLab runs (and who chose it) and the memory per job.",
            discussion: """
                OpenBLAS picks its kernel from the CPU model it knows. On a CPU newer than the OpenBLAS build it \
                falls back to a generic kernel at a quarter of the speed; PosLab then picks the best kernel the \
                build has for the CPU's flags (re-executing itself once with OPENBLAS_CORETYPE set) and checks a \
                small product against a plain reference. An OPENBLAS_CORETYPE you set yourself is always kept. \
                Results are bit-reproducible on one machine and kernel; another kernel may change the last bits \
                of sums, and so a trained model.

                Examples:
                  poslab machine
                  OPENBLAS_CORETYPE=Haswell poslab machine     # your choice is kept, with a warning if slower
                """)

        @Option(help: "Runs trained at once (as `poslab run --jobs`), to show the memory each may use.")
        var jobs = ProcessInfo.processInfo.activeProcessorCount

        func run() throws {
            let kernel = BLAS.kernel
            let machine = Manifest.currentMachine(jobs: jobs)
            print("cpu: \(machine.cpu), \(machine.cores) cores")
            print("openblas: \(machine.blas)")
            print("blas kernel: \(kernel.core)")
            switch kernel.source {
            case .openBLAS: print("chosen by: OpenBLAS's own detection")
            case .posLab: print("chosen by: PosLab (OpenBLAS had picked \(kernel.replaced ?? "?"), older than this CPU supports)")
            case .user: print("chosen by: OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "") (set by you; kept as set)")
            }
            print("best for this CPU: \(kernel.best ?? "unknown to PosLab")")
            print(String(format: "product check: %@ (largest relative error %.1e)", kernel.checkPassed ? "passed" : "FAILED", kernel.checkError))
            if let available = MemoryBudget.availableBytes() {
                print("memory: \(MemoryEstimate.format(available)) available, \(MemoryEstimate.format(available / max(1, jobs))) per job with --jobs \(jobs)")
            }
            if let warning = kernel.warning { print("warning: \(warning)") }
        }
    }
}
