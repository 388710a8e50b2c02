// poslab: a launcher for libPosLab.so, where the whole tool lives.
//
// PosLab is one dynamic library that the tool and every plugin link, so that a plugin's encodings,
// errors and registrations are the host's own types. This program loads that library from its own
// folder by its plain name, so that a plugin's `NEEDED libPosLab.so` is satisfied by the copy
// already loaded rather than by the plugin's own build, and hands it the command line.
//
// What the tool wants of its process, and a library must not impose on every program that loads
// it, is asked for here: the C heap's tuning and the choice of OpenBLAS's kernel.
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    // Found through this executable's run path ($ORIGIN: the build folder, where SwiftPM puts both).
    void *library = dlopen("libPosLab.so", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        fprintf(stderr, "poslab: cannot load libPosLab.so: %s\n"
                        "Build the library beside this executable: swift build -c release\n", dlerror());
        return 127;
    }
    // The heap's tuning and OpenBLAS's best kernel for this CPU, which may re-execute this program
    // once with OPENBLAS_CORETYPE set (Sources/PosLabEngine/ProgramSetup.swift), before anything runs.
    void (*prepare)(int, char **) = (void (*)(int, char **))dlsym(library, "poslab_prepare_program");
    if (!prepare) {
        fprintf(stderr, "poslab: libPosLab.so has no poslab_prepare_program: %s\n", dlerror());
        return 127;
    }
    prepare(argc, argv);
    int (*entry)(int, char **) = (int (*)(int, char **))dlsym(library, "poslab_main");
    if (!entry) {
        fprintf(stderr, "poslab: libPosLab.so has no poslab_main: %s\n", dlerror());
        return 127;
    }
    return entry(argc, argv);
}
