#ifndef POSLAB_CGSL_SHIM_H
#define POSLAB_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/// From gsl_randist.h, declared here because that header pulls in gsl_cblas.h, whose enums clash
/// with OpenBLAS's cblas.h in any Swift module that sees both.
double gsl_ran_gaussian(const gsl_rng *r, double sigma);

/// gsl_rng_mt19937 is a mutable C global, which Swift 6 strict concurrency rejects; read it through a function.
static inline const gsl_rng_type *poslab_rng_mt19937(void) { return gsl_rng_mt19937; }
#endif
