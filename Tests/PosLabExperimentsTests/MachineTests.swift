import Foundation
import Testing

/// `poslab machine` and the OpenBLAS kernel choice, seen from outside the process.
@Suite struct MachineTests {
    /// A user's OPENBLAS_CORETYPE is kept as set, even when it is a slower kernel than the CPU allows.
    @Test func aUserSetCoreTypeIsKept() throws {
        let (status, out, err) = try runPoslab(["machine"], in: temporaryDirectory(),
                                               environment: ["OPENBLAS_CORETYPE": "Prescott", "POSLAB_BLAS_TEST_DETECTED": nil])
        #expect(status == 0, "\(err)")
        #expect(out.contains("blas kernel: Prescott"), "\(out)")
        #expect(out.contains("OPENBLAS_CORETYPE=Prescott (set by you; kept as set)"), "\(out)")
        // Even when PosLab would have replaced OpenBLAS's choice.
        let (_, out2, _) = try runPoslab(["machine"], in: temporaryDirectory(),
                                         environment: ["OPENBLAS_CORETYPE": "Prescott", "POSLAB_BLAS_TEST_DETECTED": "Prescott"])
        #expect(out2.contains("blas kernel: Prescott") && out2.contains("set by you"), "\(out2)")
    }

    /// When OpenBLAS picks a fallback (simulated: POSLAB_BLAS_TEST_DETECTED stands in for its detection),
    /// PosLab re-executes with the best core for the CPU, and says so. Needs a CPU with AVX2 and FMA.
    @Test(.enabled(if: experimentsCPUHas(["avx2", "fma"]), "needs a CPU with AVX2 and FMA"))
    func aFallbackIsReplaced() throws {
        let (status, out, err) = try runPoslab(["machine"], in: temporaryDirectory(),
                                               environment: ["OPENBLAS_CORETYPE": nil, "POSLAB_BLAS_TEST_DETECTED": "Prescott"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("chosen by: PosLab (OpenBLAS had picked Prescott"), "\(out)")
        let best = out.split(separator: "\n").first { $0.hasPrefix("best for this CPU: ") }?.dropFirst("best for this CPU: ".count)
        #expect(best != nil && out.contains("blas kernel: \(best!)\n"), "\(out)")
        #expect(out.contains("product check: passed"), "\(out)")
        #expect(!out.contains("warning:"), "\(out)")
    }
}

/// Whether /proc/cpuinfo's first flags line has every one of `flags`.
func experimentsCPUHas(_ flags: [String]) -> Bool {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    return Set(line.split(separator: " ").map(String.init)).isSuperset(of: flags)
}
