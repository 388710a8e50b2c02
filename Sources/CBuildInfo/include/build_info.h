// The commit PosLab was built from: defined in Swift by PosLabBuildInfo (a file written at build
// time by Plugins/BuildInfo) and declared here, so that a module using it imports this header,
// which never changes, and is not compiled again at every commit.
#ifndef POSLAB_BUILD_INFO_H
#define POSLAB_BUILD_INFO_H

// The full commit hash, "<hash>-dirty" when the compiled files differed from it, or "unknown".
// Static storage: never freed.
const char *poslab_build_commit(void);

#endif
