// The commit PosLab was built from, for the modules that record it (the manifest, run records).
// Declared in C so that those modules depend on this header, which never changes, and not on the
// module that changes at every commit (PosLabBuildInfo; see build_info.c).
#ifndef POSLAB_BUILD_INFO_H
#define POSLAB_BUILD_INFO_H

// The full commit hash, "<hash>-dirty" when the compiled files differed from it, or "unknown"
// (also in a binary that does not link PosLabBuildInfo, such as the test runner). Never freed.
const char *poslab_build_commit(void);

#endif
