#ifndef POSLAB_BLAS_KERNEL_H
#define POSLAB_BLAS_KERNEL_H
// Choosing OpenBLAS's kernel before it runs anything (see blas_kernel.c).

/// The OpenBLAS core PosLab should force, or NULL to keep the current one. A pure function:
/// `current` is the core OpenBLAS picked; `cpu_flags` the CPU's feature flags, space-separated as in
/// /proc/cpuinfo; `user_setting` the user's OPENBLAS_CORETYPE, or NULL when the variable is unset
/// (any value, even empty, is kept as is); `available` the cores this OpenBLAS build has, space-separated.
const char *poslab_blas_choose_core(const char *current, const char *cpu_flags, const char *user_setting,
                                    const char *available);

/// A core's instruction-set level (1 = SSE3 … 8 = Sapphire Rapids), or -1 for a name PosLab does not know.
int poslab_blas_core_level(const char *core);

/// What the start-up choice did, for the manifest and the benchmark.
typedef struct {
    const char *core;       ///< the core OpenBLAS runs (openblas_get_corename())
    const char *source;     ///< "openblas" (its own detection), "poslab" (chosen here) or "user" (OPENBLAS_CORETYPE)
    const char *replaced;   ///< the core OpenBLAS had picked, when PosLab chose another; else ""
    const char *best;       ///< the best core this build has for the CPU's flags ("" if none is known)
    int check_passed;       ///< 1 if a small sgemm matched the plain reference
    double check_error;     ///< its largest error, relative to the sum of |a|·|b| terms
    const char *note;       ///< a warning for the user, or ""
} poslab_blas_kernel_t;

/// Chooses OpenBLAS's kernel for this program: when OpenBLAS picked an older core than the CPU and
/// this build allow, and OPENBLAS_CORETYPE is unset, re-executes the program (`argv`, through
/// /proc/self/exe) with the better core set; then checks a small product. Call it first thing in
/// `main`, before any product and before starting threads; later calls do nothing. Loading the
/// library never calls it: a program embedding PosLab keeps its own process unless it asks.
void poslab_blas_choose_kernel(int argc, char **argv);

/// The kernel this process runs and how it was chosen: by `poslab_blas_choose_kernel` if the program
/// called it, else OpenBLAS's own choice (described and checked on the first call).
const poslab_blas_kernel_t *poslab_blas_kernel(void);

/// Runs the small-product check now (m×k by k×n, row-major) and returns its largest relative error.
double poslab_blas_check_product(int m, int n, int k);
#endif
