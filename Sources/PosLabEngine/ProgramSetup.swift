import CBLASKernel
import COpenBLAS

/// What a program that trains with PosLab wants of its process, and loading the library never does
/// (a program embedding PosLab keeps its process as it was): call `ProgramSetup.prepare()` first
/// thing in `main`, before any product and before starting threads. The `poslab` launcher calls the
/// same through `poslab_prepare_program`, the test runner through a constructor of its own
/// (Tests/CTestProgram), poslab-bench from its `main`.
public enum ProgramSetup {
    /// Tunes the C heap and chooses OpenBLAS's kernel (which may re-execute the program once).
    public static func prepare() { poslabPrepareProgram(CommandLine.argc, CommandLine.unsafeArgv) }
}

/// `ProgramSetup.prepare` for C callers, with the program's `argc` and `argv`:
/// - keeps freed blocks in the C heap (`poslab_keep_freed_memory`): a training step frees and
///   reallocates the same tensor sizes every time, which glibc's defaults would page-fault and zero
///   afresh on every step;
/// - chooses OpenBLAS's best kernel for the CPU (`poslab_blas_choose_kernel`), re-executing the
///   program once with `OPENBLAS_CORETYPE` set when OpenBLAS picked an older one.
@_cdecl("poslab_prepare_program")
public func poslabPrepareProgram(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) {
    poslab_keep_freed_memory()
    poslab_blas_choose_kernel(argc, argv)
}
