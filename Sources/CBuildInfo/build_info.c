#include "build_info.h"

// Defined by PosLabBuildInfo (Swift, from a file written at build time) in the PosLab library; a
// weak reference, so a binary linked without that module still links and says "unknown".
extern const char *poslab_build_commit_recorded(void) __attribute__((weak));

const char *poslab_build_commit(void) {
    return poslab_build_commit_recorded ? poslab_build_commit_recorded() : "unknown";
}
