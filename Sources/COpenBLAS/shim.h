#ifndef POSLAB_COPENBLAS_SHIM_H
#define POSLAB_COPENBLAS_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <cblas.h>
#include <dlfcn.h>
#include <malloc.h>

/// OpenBLAS extensions (declared here too, in case the cblas.h alternative belongs to another BLAS).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);

/// The shared object that provides cblas_sgemm at run time (to prove it is OpenBLAS, not gslcblas).
static inline const char *poslab_sgemm_provider(void) {
    Dl_info info;
    if (dladdr((void *)&cblas_sgemm, &info) && info.dli_fname) return info.dli_fname;
    return "";
}

/// Keeps freed blocks in the heap instead of returning them to the kernel: a training step frees
/// and reallocates the same tensor sizes every time, and glibc's default (mmap for blocks over
/// 128 KiB, trimmed on free) would page-fault and zero them afresh on every step.
static inline void poslab_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}
#endif
