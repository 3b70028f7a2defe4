/* internal.h - private helpers shared by the library's source files.
 * Nothing here is installed or part of the public API; names carry the
 * private prefix ds__. */
#ifndef DESCENT_INTERNAL_H
#define DESCENT_INTERNAL_H

#include "descent/error.h"
#include "descent/parse.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#if defined(__GNUC__)
#define DS__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DS__PRINTF(a, b)
#endif

/* Per-function multiversioning of the hot element-wise loops: GCC compiles
 * each marked function (and the loop OpenMP outlines from it) for several
 * instruction sets and picks one at load time (an ifunc), so the binaries
 * stay portable. Measured on Zen 5, 10M parameters, one thread:
 * - DS__CLONES_WIDE (AVX-512, AVX2, baseline) for compute-bound loops (a
 *   root or a division per element: adagrad 4.52 -> 2.87 ms a step,
 *   adadelta 7.95 -> 4.43, adam 6.11 -> 4.56) and for the training passes
 *   over data that sits in cache (bias/activation, finiteness check): an
 *   epoch 8% faster with AVX-512 than with AVX2 alone;
 * - DS__CLONES (AVX2, baseline) for loops that only stream memory, where
 *   an AVX-512 clone was slower (sgd 2.54 ms against 1.56, lion 4.93
 *   against 2.94).
 * Results are identical in every clone: ISO C mode (-std=c11) implies
 * -ffp-contract=off, so no FMA is formed, and +, *, /, sqrt are correctly
 * rounded at any vector width (unit_reference and the bit-for-bit tests
 * check it). Only GCC on x86-64 Linux (glibc's ifuncs), and not under the
 * sanitizers; elsewhere the macros are empty. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define DS__CLONES      __attribute__((target_clones("avx2", "default")))
#define DS__CLONES_WIDE __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DS__CLONES
#define DS__CLONES_WIDE
#endif

/* Element-wise loops over fewer elements than this run on one thread:
 * waking the passive OpenMP team (a futex wake per region) costs more than
 * the loop. Measured on 2 threads: at 50000 floats sgd took 16-34 us a step
 * against 6-7 on one, adadelta 21 against 14; the model's bias/activation
 * loops of a 64-row batch went 6% faster an epoch below 64k. Each element is
 * still computed by one thread in a fixed order: results never depend on it. */
#define DS__PAR_MIN 65536

/* Seconds from an arbitrary origin (CLOCK_MONOTONIC): the clock of the
 * training loop's epoch times and of the products' clock (compute.h). */
static inline double ds__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Sets the thread's last-error message and returns s: the library's own
 * name for the public ds_set_error (descent/error.h), one function. */
#define ds__fail ds_set_error

/* ds__fail(DS_ERR_NOMEM, ...) with a standard message. */
ds_status ds__nomem(const char *what, size_t bytes);

/* Refuses a request for more bytes than the machine's physical memory or
 * the process's limit (RLIMIT_AS, RLIMIT_DATA) with DS_ERR_INVALID (bad
 * input, not a passing shortage), naming `what` and both sizes: called
 * before allocating what a spec or a file describes, so a crafted size
 * fails at once instead of swapping. */
ds_status ds__check_alloc(uint64_t bytes, const char *what);

/* Refuses (DS_ERR_IO, with the bytes needed and free) a file of `bytes`
 * at `path` when its folder has less room for unprivileged writers: called
 * before the temporary file is created, so nothing is left behind. */
ds_status ds__check_disk(const char *path, uint64_t bytes);

/* v as a message should show it: a NaN without its sign. glibc prints a NaN
 * whose sign bit is set as "-nan", and x86 arithmetic (inf - inf, 0 * inf)
 * makes exactly those; the sign of a NaN means nothing (IEEE 754-2008, 6.3),
 * so "x = -nan" would only puzzle the reader. Pass values through this before
 * "%g" in an error message. */
static inline double ds__msg_num(double v)
{
    return isnan(v) ? fabs(v) : v;
}

#endif
