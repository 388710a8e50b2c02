// OpenBLAS's kernel, chosen when a program asks for it before its first product.
//
// A DYNAMIC_ARCH OpenBLAS picks its kernels when it is loaded, from the CPU model it recognises.
// A CPU newer than the OpenBLAS build (Debian 12's 0.3.21 on an Emerald Rapids Xeon) gets the
// generic SSE3 "Prescott" kernel: a quarter of the speed. OPENBLAS_CORETYPE overrides the choice,
// but only when the library loads, so `poslab_blas_choose_kernel` (called first thing by the programs
// that want it: the `poslab` launcher, poslab-bench, the test runner — never by loading the library)
// compares OpenBLAS's core with the CPU's flags and, if a better core is compiled in, re-executes the
// program once with OPENBLAS_CORETYPE set. A value the user set is always kept. Then a small product
// is checked against a plain reference. A program that never asks keeps OpenBLAS's own choice, and
// `poslab_blas_kernel` describes that (checked on first use).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "blas_kernel.h"
#include <cblas.h>
#include <ctype.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

char *openblas_get_corename(void);

// Cores PosLab may choose, best first, with the /proc/cpuinfo flags each needs.
static const struct { const char *name; int level; const char *flags; } candidates[] = {
    {"SapphireRapids", 8, "avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16 avx512_fp16 amx_tile amx_bf16"},
    {"Cooperlake", 7, "avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16"},
    {"SkylakeX", 6, "avx512f avx512dq avx512cd avx512bw avx512vl"},
    {"Haswell", 5, "avx2 fma"},
    {"Sandybridge", 4, "avx"},
    {"Nehalem", 3, "sse4_2"},
    {"Core2", 2, "ssse3"},
    {"Prescott", 1, "pni"},
};
enum { candidate_count = sizeof candidates / sizeof candidates[0] };

// Every core name OpenBLAS's x86_64 DYNAMIC_ARCH build may report, by the instructions it uses.
static const struct { const char *name; int level; } levels[] = {
    {"Katmai", 0}, {"Coppermine", 0}, {"Northwood", 0}, {"Banias", 0}, {"Athlon", 0}, {"Opteron", 0},
    {"Prescott", 1}, {"Opteron_SSE3", 1},
    {"Core2", 2}, {"Penryn", 2}, {"Dunnington", 2}, {"Atom", 2}, {"Nano", 2}, {"Bobcat", 2}, {"Barcelona", 2},
    {"Nehalem", 3},
    {"Sandybridge", 4}, {"Bulldozer", 4}, {"Piledriver", 4}, {"Steamroller", 4},
    {"Haswell", 5}, {"Zen", 5}, {"Excavator", 5},
    {"SkylakeX", 6}, {"Cooperlake", 7}, {"SapphireRapids", 8},
};

int poslab_blas_core_level(const char *core) {
    if (!core) return -1;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcasecmp(core, levels[i].name) == 0) return levels[i].level;
    return -1;
}

// Whether the space-separated `list` contains `word` (case-insensitively when `fold`).
static int has_word(const char *list, const char *word, int fold) {
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n') p++;
        const char *end = p;
        while (*end && *end != ' ' && *end != '\t' && *end != '\n') end++;
        if ((size_t)(end - p) == n && (fold ? strncasecmp(p, word, n) : strncmp(p, word, n)) == 0) return 1;
        p = end;
    }
    return 0;
}

static int has_all(const char *flags, const char *needed) {
    char word[64];
    for (const char *p = needed; *p;) {
        while (*p == ' ') p++;
        size_t n = strcspn(p, " ");
        if (n == 0) break;
        if (n >= sizeof word) return 0;
        memcpy(word, p, n);
        word[n] = 0;
        if (!has_word(flags, word, 0)) return 0;
        p += n;
    }
    return 1;
}

// The best candidate the flags allow and the build has, or NULL.
static const char *best_core(const char *cpu_flags, const char *available, int *level) {
    for (int i = 0; i < candidate_count; i++)
        if (has_word(available, candidates[i].name, 1) && has_all(cpu_flags, candidates[i].flags)) {
            *level = candidates[i].level;
            return candidates[i].name;
        }
    return NULL;
}

const char *poslab_blas_choose_core(const char *current, const char *cpu_flags, const char *user_setting,
                                    const char *available) {
    if (user_setting) return NULL;                 // the user's choice, whatever it is
    int now = poslab_blas_core_level(current);
    if (now < 0 || !cpu_flags || !available) return NULL;  // a core or machine PosLab does not know
    int best = -1;
    const char *core = best_core(cpu_flags, available, &best);
    return core && best > now ? core : NULL;
}

// MARK: - Start-up

static poslab_blas_kernel_t kernel = {"", "openblas", "", "", 0, 0, ""};
static char core_buffer[64], replaced_buffer[64], note_buffer[256], available_buffer[256];
static char flags_buffer[8192];

// The first "flags" line of /proc/cpuinfo ("" where there is none).
static const char *cpu_flags(void) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return "";
    char *line = NULL;
    size_t cap = 0;
    flags_buffer[0] = 0;
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, "flags", 5) == 0) {
            const char *colon = strchr(line, ':');
            if (colon) snprintf(flags_buffer, sizeof flags_buffer, "%s", colon + 1);
            break;
        }
    }
    free(line);
    fclose(f);
    return flags_buffer;
}

// The candidates compiled into this OpenBLAS: it exports a `gotoblas_<CORE>` table for each.
static const char *available_cores(void) {
    available_buffer[0] = 0;
    for (int i = 0; i < candidate_count; i++) {
        char symbol[64] = "gotoblas_";
        size_t n = strlen(symbol);
        for (const char *c = candidates[i].name; *c && n < sizeof symbol - 1; c++) symbol[n++] = (char)toupper(*c);
        symbol[n] = 0;
        if (dlsym(RTLD_DEFAULT, symbol)) {
            strncat(available_buffer, candidates[i].name, sizeof available_buffer - strlen(available_buffer) - 2);
            strcat(available_buffer, " ");
        }
    }
    return available_buffer;
}

double poslab_blas_check_product(int m, int n, int k) {
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    if (!a || !b || !c) { free(a); free(b); free(c); return INFINITY; }
    unsigned state = 12345;
    for (int i = 0; i < m * k; i++) { state = state * 1664525u + 1013904223u; a[i] = (float)(state >> 8) / 8388608.0f - 1; }
    for (int i = 0; i < k * n; i++) { state = state * 1664525u + 1013904223u; b[i] = (float)(state >> 8) / 8388608.0f - 1; }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    double worst = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0, scale = 0;
            for (int p = 0; p < k; p++) {
                sum += (double)a[i * k + p] * b[p * n + j];
                scale += fabs((double)a[i * k + p] * b[p * n + j]);
            }
            double error = fabs(c[i * n + j] - sum) / (scale > 0 ? scale : 1);
            if (!(error <= worst)) worst = error;  // NaN counts as the worst
        }
    free(a); free(b); free(c);
    return worst;
}

static void note(const char *text) { snprintf(note_buffer, sizeof note_buffer, "%s", text); kernel.note = note_buffer; }

// Marker variables: POSLAB_BLAS_REEXEC="<pid> <core it replaced>" travels through the re-execution;
// POSLAB_BLAS_DONE="<pid>" stops a second copy of this code (a plugin's) in the same process from
// choosing again. Neither reaches child processes with a pid of their own as a valid marker.
static int chosen;  // whether this copy of the code has filled `kernel`

// OpenBLAS's own choice, described and checked, for a program that did not ask PosLab to choose.
static void describe_without_choosing(void) {
    snprintf(core_buffer, sizeof core_buffer, "%s", openblas_get_corename());
    kernel.core = core_buffer;
    int best_level = -1;
    const char *best = best_core(cpu_flags(), available_cores(), &best_level);
    kernel.best = best ? best : "";
    if (getenv("OPENBLAS_CORETYPE")) kernel.source = "user";
    kernel.check_error = poslab_blas_check_product(37, 29, 53);
    double large = poslab_blas_check_product(96, 80, 130);
    if (!(large <= kernel.check_error)) kernel.check_error = large;
    kernel.check_passed = kernel.check_error <= 1e-4;
    if (best && poslab_blas_core_level(kernel.core) >= 0 && poslab_blas_core_level(kernel.core) < best_level) {
        char text[256];
        snprintf(text, sizeof text, "OpenBLAS runs the %s kernel; this CPU could run %s (a program choosing with "
                 "poslab_blas_choose_kernel would re-execute with it)", kernel.core, best);
        note(text);
    }
}

const poslab_blas_kernel_t *poslab_blas_kernel(void) {
    if (!chosen) {
        chosen = 1;
        describe_without_choosing();
    }
    return &kernel;
}

void poslab_blas_choose_kernel(int argc, char **argv) {
    (void)argc;
    if (chosen) return;
    chosen = 1;
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    const char *done = getenv("POSLAB_BLAS_DONE");
    if (done && strcmp(done, pid) == 0) {   // a second copy, loaded later into the same process
        kernel.core = "";
        return;
    }
    snprintf(core_buffer, sizeof core_buffer, "%s", openblas_get_corename());
    kernel.core = core_buffer;
    const char *flags = cpu_flags();
    const char *available = available_cores();
    int best_level = -1;
    const char *best = best_core(flags, available, &best_level);
    kernel.best = best ? best : "";

    const char *reexec = getenv("POSLAB_BLAS_REEXEC");
    int ours = 0;
    if (reexec && strncmp(reexec, pid, strlen(pid)) == 0 && reexec[strlen(pid)] == ' ') {
        ours = 1;  // this process is the re-execution with PosLab's choice
        snprintf(replaced_buffer, sizeof replaced_buffer, "%s", reexec + strlen(pid) + 1);
        kernel.replaced = replaced_buffer;
        kernel.source = "poslab";
        const char *asked = getenv("OPENBLAS_CORETYPE");
        if (!asked || strcasecmp(asked, kernel.core) != 0) {
            char text[256];
            snprintf(text, sizeof text, "asked OpenBLAS for the %s kernel, but it runs %s", asked ? asked : "?", kernel.core);
            note(text);
        }
        unsetenv("OPENBLAS_CORETYPE");   // child processes choose for themselves
        unsetenv("POSLAB_BLAS_REEXEC");
        unsetenv("POSLAB_BLAS_TEST_DETECTED");
    } else {
        const char *user = getenv("OPENBLAS_CORETYPE");
        if (user) {
            kernel.source = "user";
            if (best && poslab_blas_core_level(kernel.core) >= 0 && poslab_blas_core_level(kernel.core) < best_level) {
                char text[256];
                snprintf(text, sizeof text, "OPENBLAS_CORETYPE=%s (set in the environment) runs the %s kernel; "
                         "this CPU could run %s (unset the variable to let PosLab choose)", user, kernel.core, best);
                note(text);
            }
        }
        const char *rejected = getenv("POSLAB_BLAS_REJECTED");
        int was_rejected = rejected && strcmp(rejected, pid) == 0;
        unsetenv("POSLAB_BLAS_REJECTED");
        // POSLAB_BLAS_TEST_DETECTED stands in for OpenBLAS's detection, so that tests can exercise the
        // re-execution on a CPU that OpenBLAS already knows.
        const char *detected = getenv("POSLAB_BLAS_TEST_DETECTED");
        const char *seen = detected && !user ? detected : kernel.core;
        const char *choice = was_rejected ? NULL : poslab_blas_choose_core(seen, flags, user, available);
        if (was_rejected) {
            note("PosLab's choice of kernel failed the product check; OpenBLAS's own choice runs");
        } else if (choice && argv && argv[0]) {
            char marker[128];
            snprintf(marker, sizeof marker, "%s %s", pid, seen);
            setenv("POSLAB_BLAS_REEXEC", marker, 1);
            setenv("OPENBLAS_CORETYPE", choice, 1);
            fflush(NULL);
            execv("/proc/self/exe", argv);
            // Could not re-execute: go on with OpenBLAS's kernel, and say so.
            unsetenv("POSLAB_BLAS_REEXEC");
            unsetenv("OPENBLAS_CORETYPE");
            char text[256];
            snprintf(text, sizeof text, "OpenBLAS runs the %s kernel; %s would be faster, but re-executing with "
                     "OPENBLAS_CORETYPE=%s failed", kernel.core, choice, choice);
            note(text);
        } else if (!user && best && poslab_blas_core_level(kernel.core) >= 0 &&
                   poslab_blas_core_level(kernel.core) < best_level) {
            char text[256];
            snprintf(text, sizeof text, "OpenBLAS runs the %s kernel; this CPU could run %s", kernel.core, best);
            note(text);
        }
    }
    setenv("POSLAB_BLAS_DONE", pid, 1);

    // One small product against the plain reference, with odd sizes that exercise the edge kernels.
    kernel.check_error = poslab_blas_check_product(37, 29, 53);
    double large = poslab_blas_check_product(96, 80, 130);
    if (!(large <= kernel.check_error)) kernel.check_error = large;
    kernel.check_passed = kernel.check_error <= 1e-4;  // float32 over k = 130 terms: ~1e-6
    if (!kernel.check_passed && ours && argv && argv[0]) {
        // PosLab's own choice computes wrong products: go back to OpenBLAS's.
        unsetenv("OPENBLAS_CORETYPE");
        unsetenv("POSLAB_BLAS_DONE");
        fprintf(stderr, "poslab: the %s kernel failed the product check (error %.2g); using OpenBLAS's own choice\n",
                kernel.core, kernel.check_error);
        char marker[64];
        snprintf(marker, sizeof marker, "%s", pid);
        setenv("POSLAB_BLAS_REJECTED", marker, 1);
        execv("/proc/self/exe", argv);
    }
    if (!kernel.check_passed) {
        char text[256];
        snprintf(text, sizeof text, "the %s kernel failed a small product check (relative error %.2g)",
                 kernel.core, kernel.check_error);
        note(text);
    }
}
