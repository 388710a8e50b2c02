// CBuildInfo has no code of its own: `poslab_build_commit` is defined by PosLabBuildInfo.
#include "build_info.h"
