// The test runner prepares its process as the `poslab` launcher does (the heap's tuning, OpenBLAS's
// kernel: Sources/PosLabEngine/ProgramSetup.swift), so that the tests run the kernel and the bytes
// that poslab runs. A constructor, because the runner's `main` is not ours.
#include "test_program.h"

extern void poslab_prepare_program(int argc, char **argv);

__attribute__((constructor)) static void poslab_prepare_test_program(int argc, char **argv, char **envp) {
    (void)envp;
    poslab_prepare_program(argc, argv);
}
