import Foundation
import PosLabEngine
import Testing

/// Feature flags as /proc/cpuinfo lists them (abridged to what matters, plus neighbours).
enum CPUFlags {
    /// Intel Xeon, Emerald Rapids (CPUID model 207): AVX-512 with FP16, BF16, VNNI and AMX.
    static let emeraldRapids = "fpu sse sse2 ssse3 pni sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512ifma avx512cd "
        + "avx512bw avx512vl avx512_bf16 avx512_fp16 avx512_vnni amx_bf16 amx_tile amx_int8"
    /// AMD Zen 2: AVX2 and FMA, no AVX-512.
    static let zen2 = "fpu sse sse2 ssse3 pni sse4_1 sse4_2 sse4a avx fma avx2 bmi2"
    /// Intel Skylake-SP: AVX-512 without BF16.
    static let skylakeSP = "sse sse2 ssse3 pni sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl"
    /// An old machine: SSE4.2, no AVX.
    static let westmere = "sse sse2 ssse3 pni sse4_1 sse4_2 popcnt"
}

/// The cores Debian 12's OpenBLAS 0.3.21 (DYNAMIC_ARCH) has among those PosLab chooses from.
let openBLAS0321 = ["Cooperlake", "SkylakeX", "Haswell", "Sandybridge", "Nehalem", "Core2", "Prescott"]

@Suite struct BLASKernelTests {
    /// The issue's machine: OpenBLAS 0.3.21 does not know Emerald Rapids and falls back to Prescott.
    @Test func intelFallbackIsReplacedByTheBestAVX512Core() {
        #expect(BLASKernel.choose(openBLASCore: "Prescott", cpuFlags: CPUFlags.emeraldRapids, userSetting: nil,
                                  available: openBLAS0321) == "Cooperlake")
        // A newer OpenBLAS with a Sapphire Rapids kernel gets that one.
        #expect(BLASKernel.choose(openBLASCore: "Prescott", cpuFlags: CPUFlags.emeraldRapids, userSetting: nil,
                                  available: ["SapphireRapids"] + openBLAS0321) == "SapphireRapids")
        // Without BF16: SkylakeX. A build without AVX-512 kernels: Haswell.
        #expect(BLASKernel.choose(openBLASCore: "Prescott", cpuFlags: CPUFlags.skylakeSP, userSetting: nil,
                                  available: openBLAS0321) == "SkylakeX")
        #expect(BLASKernel.choose(openBLASCore: "Prescott", cpuFlags: CPUFlags.emeraldRapids, userSetting: nil,
                                  available: ["Haswell", "Sandybridge", "Prescott"]) == "Haswell")
        // An older core than the CPU supports is replaced too, not only the generic one.
        #expect(BLASKernel.choose(openBLASCore: "Haswell", cpuFlags: CPUFlags.emeraldRapids, userSetting: nil,
                                  available: openBLAS0321) == "Cooperlake")
    }

    @Test func aGoodChoiceIsKept() {
        #expect(BLASKernel.choose(openBLASCore: "Cooperlake", cpuFlags: CPUFlags.emeraldRapids, userSetting: nil,
                                  available: openBLAS0321) == nil)
        // Zen is OpenBLAS's AVX2 kernel for AMD: as good as Haswell on a CPU without AVX-512.
        #expect(BLASKernel.choose(openBLASCore: "Zen", cpuFlags: CPUFlags.zen2, userSetting: nil,
                                  available: openBLAS0321) == nil)
        #expect(BLASKernel.choose(openBLASCore: "Prescott", cpuFlags: CPUFlags.zen2, userSetting: nil,
                                  available: openBLAS0321) == "Haswell")
        #expect(BLASKernel.choose(openBLASCore: "Nehalem", cpuFlags: CPUFlags.westmere, userSetting: nil,
                                  available: openBLAS0321) == nil)
        // Core names PosLab does not know (another architecture, a newer OpenBLAS) are left alone.
        #expect(BLASKernel.choose(openBLASCore: "NeoverseN1", cpuFlags: "fp asimd", userSetting: nil,
                                  available: openBLAS0321) == nil)
    }

    /// OPENBLAS_CORETYPE set by the user is kept as it is, even empty (OpenBLAS treats "" differently from unset).
    @Test func aUserSettingIsAlwaysKept() {
        for user in ["Prescott", "", "Haswell", "nonsense"] {
            #expect(BLASKernel.choose(openBLASCore: "Prescott", cpuFlags: CPUFlags.emeraldRapids, userSetting: user,
                                      available: openBLAS0321) == nil, "OPENBLAS_CORETYPE=\(user)")
        }
    }

    @Test func coreLevelsOrderTheInstructionSets() {
        #expect(BLASKernel.level(of: "prescott") == 1)
        #expect(BLASKernel.level(of: "Zen") == BLASKernel.level(of: "Haswell"))
        #expect(BLASKernel.level(of: "SkylakeX")! < BLASKernel.level(of: "Cooperlake")!)
        #expect(BLASKernel.level(of: "Sandybridge")! < BLASKernel.level(of: "Haswell")!)
        #expect(BLASKernel.level(of: "M1") == nil)
    }

    /// This process (the tests) runs the best kernel the CPU allows, unless the environment chose one.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
                   "OPENBLAS_CORETYPE is set in this environment: the user's kernel is kept, not checked here"))
    func theTestsRunOnTheChosenKernel() throws {
        let kernel = BLASKernel.current
        #expect(kernel.checkPassed, "\(kernel)")
        #expect(kernel.checkError < 1e-5)
        #expect(BLAS.configuration.contains(kernel.core), "\(BLAS.configuration) vs \(kernel.core)")
        guard let best = kernel.best, let bestLevel = BLASKernel.level(of: best) else {
            Issue.record("PosLab knows no core for this CPU: \(kernel)")
            return
        }
        #expect(BLASKernel.level(of: kernel.core).map { $0 >= bestLevel } == true, "\(kernel), best \(best)")
        #expect(kernel.warning == nil, "\(kernel.warning ?? "")")
    }

    /// On a CPU with AVX2 and FMA, the kernel is never a pre-AVX2 fallback.
    @Test(.enabled(if: cpuHas(["avx2", "fma"]) && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
                   "needs a CPU with AVX2 and FMA, and OPENBLAS_CORETYPE unset"))
    func noFallbackOnAnAVX2CPU() {
        #expect((BLASKernel.level(of: BLASKernel.current.core) ?? 0) >= BLASKernel.level(of: "Haswell")!,
                "\(BLASKernel.current)")
    }
}

/// Whether /proc/cpuinfo's first flags line has every one of `flags`.
func cpuHas(_ flags: [String]) -> Bool {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let have = Set(line.split(separator: " ").map(String.init))
    return flags.allSatisfy(have.contains)
}
