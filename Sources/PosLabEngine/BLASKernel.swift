import CBLASKernel

/// The OpenBLAS kernel this process runs, and how it was chosen (by `ProgramSetup.prepare()`, when
/// the program called it first thing; else OpenBLAS's own choice).
public struct BLASKernel: Sendable, Equatable, CustomStringConvertible {
    /// Who chose the kernel.
    public enum Source: String, Sendable {
        /// OpenBLAS's own CPU detection, which PosLab found good enough.
        case openBLAS = "openblas"
        /// PosLab, because OpenBLAS had picked an older core than the CPU supports.
        case posLab = "poslab"
        /// The user, through `OPENBLAS_CORETYPE` (always kept as set).
        case user = "user"
    }

    /// The core OpenBLAS runs, e.g. `Cooperlake`, `Haswell`, `Prescott`.
    public var core: String
    /// Who chose it.
    public var source: Source
    /// The core OpenBLAS had picked by itself, when PosLab replaced it.
    public var replaced: String?
    /// The best core this OpenBLAS build has for the CPU's flags, if PosLab knows one.
    public var best: String?
    /// Whether a small product matched a plain double-precision reference at start-up.
    public var checkPassed: Bool
    /// That product's largest error, relative to the sum of the |a·b| terms.
    public var checkError: Double
    /// A warning for the user (a slower kernel than the CPU allows, a failed check), if any.
    public var warning: String?

    /// The kernel of this process.
    public static let current: BLASKernel = {
        let k = poslab_blas_kernel().pointee
        func text(_ p: UnsafePointer<CChar>?) -> String? {
            guard let p else { return nil }
            let s = String(cString: p)
            return s.isEmpty ? nil : s
        }
        return BLASKernel(
            core: text(k.core) ?? "unknown", source: Source(rawValue: text(k.source) ?? "") ?? .openBLAS,
            replaced: text(k.replaced), best: text(k.best), checkPassed: k.check_passed != 0,
            checkError: k.check_error, warning: text(k.note))
    }()

    /// One line for the manifest, the benchmark and progress output.
    public var description: String {
        var parts: [String] = []
        switch source {
        case .openBLAS: parts.append("chosen by OpenBLAS")
        case .posLab: parts.append("chosen by PosLab over OpenBLAS's \(replaced ?? "?")")
        case .user: parts.append("OPENBLAS_CORETYPE set by the user")
        }
        parts.append(checkPassed ? "product check passed" : "product check FAILED")
        return "\(core) (\(parts.joined(separator: "; ")))"
    }

    /// The core PosLab would force for `openBLASCore` on a CPU with `cpuFlags` (space-separated, as in
    /// /proc/cpuinfo), given the user's `OPENBLAS_CORETYPE` (nil when unset) and the cores the build has;
    /// nil keeps OpenBLAS's choice. The same function the start-up code uses.
    public static func choose(openBLASCore: String, cpuFlags: String, userSetting: String?, available: [String]) -> String? {
        let list = available.joined(separator: " ")
        let chosen: UnsafePointer<CChar>? = userSetting.map { user in
            user.withCString { poslab_blas_choose_core(openBLASCore, cpuFlags, $0, list) }
        } ?? poslab_blas_choose_core(openBLASCore, cpuFlags, nil, list)
        return chosen.map { String(cString: $0) }
    }

    /// A core's instruction-set level (1 SSE3, 2 SSSE3, 3 SSE4.2, 4 AVX, 5 AVX2+FMA, 6 AVX-512, 7 +BF16,
    /// 8 Sapphire Rapids), or nil for a name PosLab does not know.
    public static func level(of core: String) -> Int? {
        let l = Int(poslab_blas_core_level(core))
        return l < 0 ? nil : l
    }

    /// The largest relative error of an m×k by k×n product against a plain double-precision reference.
    public static func checkProduct(m: Int, n: Int, k: Int) -> Double {
        poslab_blas_check_product(Int32(m), Int32(n), Int32(k))
    }
}
