/* descent/comm.h - the processes a trainer runs in (ds_train_params.comm):
 * a type only, so that libdescent-mpi (descent/dist.h) and the trainer
 * (descent/train.h) share it without depending on each other. */
#ifndef DESCENT_COMM_H
#define DESCENT_COMM_H

#include "descent/error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Data-parallel training (doc/distributed.md): the collectives the trainer
 * needs from the processes it runs in, supplied by the program so that
 * libdescent links no MPI (libdescent-mpi's ds_dist_comm() gives MPI's).
 * Every rank builds the same trainer on the same data; each global batch is
 * split into contiguous shares and the weighted per-rank gradients summed.
 * Each function gets `ctx` first and returns DS_OK or leaves a message
 * (ds_set_error); every rank calls them in the same order. */
typedef struct ds_comm {
    int rank; /* this process, 0 .. size - 1 */
    int size; /* number of processes, >= 1 */
    void *ctx;
    /* x[i] = sum over ranks of x[i], in place, on every rank */
    ds_status (*sum_f32)(void *ctx, float *x, size_t n);
    ds_status (*sum_f64)(void *ctx, double *x, size_t n);
    /* copies rank 0's x to every rank */
    ds_status (*broadcast_f32)(void *ctx, float *x, size_t n);
} ds_comm;

#ifdef __cplusplus
}
#endif
#endif
