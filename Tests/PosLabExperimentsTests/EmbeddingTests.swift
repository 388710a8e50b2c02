import Foundation
import PosLabTestSupport
import Testing

/// A program that loads libPosLab.so keeps its process as it was: loading runs no code that
/// re-executes it, chooses OpenBLAS's kernel or marks its environment (issue 25: a library without
/// side effects). The embedding program here is Python, loading the library with ctypes.
@Suite struct EmbeddingTests {
    /// With OpenBLAS's choice simulated as the old Prescott fallback (`POSLAB_BLAS_TEST_DETECTED`), a
    /// program that loads the library is not re-executed (its first line is printed once) and its
    /// environment gains none of the kernel choice's markers; the same program asking for the choice
    /// (`poslab_prepare_program`, as the `poslab` launcher does) is re-executed once with the better core.
    @Test(.enabled(if: experimentsCPUHas(["avx2", "fma"]), "needs a CPU with AVX2 and FMA, where Prescott is a fallback"))
    func loadingTheLibraryLeavesTheProcessAlone() throws {
        let library = poslabExecutable.deletingLastPathComponent().appendingPathComponent("libPosLab.so").path
        let script = """
            import ctypes, os, sys
            print("started", os.getpid(), flush=True)
            poslab = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
            if sys.argv[2] == "prepare":
                argv = (ctypes.c_char_p * 6)(sys.executable.encode(), b"-c", os.environ["SCRIPT"].encode(), sys.argv[1].encode(), b"prepare", None)
                poslab.poslab_prepare_program(5, argv)
            libc = ctypes.CDLL(None)
            libc.getenv.restype = ctypes.c_char_p
            for name in ["POSLAB_BLAS_DONE", "POSLAB_BLAS_REEXEC", "OPENBLAS_CORETYPE"]:
                value = libc.getenv(name.encode())
                print(name, value.decode() if value else "-")
            """
        func run(_ mode: String) throws -> [String] {
            let (status, out, err) = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                                    ["python3", "-c", script, library, mode],
                                                    environment: ["SCRIPT": script, "POSLAB_BLAS_TEST_DETECTED": "Prescott",
                                                                  "OPENBLAS_CORETYPE": nil, "POSLAB_BLAS_DONE": nil])
            #expect(status == 0, "\(err)")
            return out.split(separator: "\n").map(String.init)
        }
        let loaded = try run("load")
        #expect(loaded.filter { $0.hasPrefix("started ") }.count == 1, "\(loaded)")
        #expect(loaded.suffix(3) == ["POSLAB_BLAS_DONE -", "POSLAB_BLAS_REEXEC -", "OPENBLAS_CORETYPE -"], "\(loaded)")

        let prepared = try run("prepare")
        #expect(prepared.filter { $0.hasPrefix("started ") }.count == 2, "\(prepared)")  // re-executed once
        #expect(prepared.contains { $0.hasPrefix("POSLAB_BLAS_DONE ") && $0 != "POSLAB_BLAS_DONE -" }, "\(prepared)")
    }
}
