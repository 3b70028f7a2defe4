/* bench.h - private benchmark helpers for `descent bench`: a monotonic
 * clock, the STREAM triad that sets the memory-bandwidth yardstick, timed
 * optimizer steps, the backend's sgemm on given shapes, and the FLOP count of an
 * MLP training step. Library code: returns statuses, never prints.
 *
 * Byte accounting (the same for the triad and the optimizers): only the
 * bytes a loop must read and write are counted, 4 per float touched, with
 * no write-allocate traffic. The triad a[i] = b[i] + s c[i] counts 12 bytes
 * per element; an optimizer counts ds_opt_bytes_per_param (Adam: x read and
 * written, g read, two moments read and written = 28; a look-ahead rule's
 * two passes count every array each pass touches). Almost every array the
 * optimizers write is also read in the same pass (the exceptions: x0 in the
 * look-ahead pass, x in the look-ahead update and line search's moves), so
 * they cause little write-allocate traffic while the triad's store to a
 * does: the comparison is, if anything, in the triad's favour. */
#ifndef DESCENT_BENCH_H
#define DESCENT_BENCH_H

#include "descent/error.h"
#include "descent/model.h"
#include "descent/optim.h"

#include <stddef.h>

/* Seconds from an arbitrary origin (CLOCK_MONOTONIC). */
double app_bench_now(void);

/* The thread count a benchmark runs with: threads if > 0, else OpenMP's
 * default (one per core unless OMP_NUM_THREADS says otherwise). */
int app_bench_threads(int threads);

/* Best of `reps` triads over n floats per array on `threads` OpenMP
 * threads (0 = the OpenMP default); *bytes_per_s = 12 n / best time.
 * Arrays are first touched by the same static schedule that runs the loop. */
ds_status app_bench_triad(size_t n, int threads, int reps, double *bytes_per_s);

/* Best time of one ds_optim_step (ds_optim_step_fn with a callback that
 * leaves the gradient as it is, for rules that need one) over n parameters,
 * after one untimed warm-up step, out of `reps` steps. */
ds_status app_bench_optim(const ds_opt_params *p, size_t n, int threads, int reps, double *seconds);

/* The three products per layer that one training step of model m does on
 * a batch of `rows` (forward A W^T, weight gradient dZ^T A, input gradient
 * dZ W except for the first layer), with the same transposes as the
 * model's backprop, timed in isolation through the sgemm of the library's
 * backend (oneDNN's dnnl_sgemm or OpenBLAS's cblas_sgemm) at the model's
 * thread count: *seconds is the best time of the whole set of products. */
ds_status app_bench_mlp_gemms(const ds_model *m, size_t rows, int reps, double *seconds);

#endif
