/* train_dist.h - the trainer's side of data-parallel training (train_dist.c;
 * doc/distributed.md). Private to the library. */
#ifndef DESCENT_TRAIN_DIST_H
#define DESCENT_TRAIN_DIST_H

#include "train/train_internal.h"

/* Checks t->p.comm (DS_ERR_INVALID); with more than one rank, shards t's iterator (this rank's
 * share of every global batch) and broadcasts rank 0's initial parameters. No-op alone. */
ds_status ds__train_dist_setup(ds_trainer *t);

/* The loss (and, need_grad, the gradient in the model's gradient array) of
 * the current global batch t->cur is a share of: this rank's forward (and
 * backward) pass on its share, weighted by share / batch rows for mean
 * losses (xent, mse; sse is a sum: weight 1), with the L2 penalty counted
 * once (on rank 0), then summed over ranks by one comm->sum_f32 of the
 * gradient array and one sum_f64 of the loss. The result equals the
 * single-process one up to float summation order; alone it is exactly the
 * model's. */
ds_status ds__train_dist_objective(ds_trainer *t, int need_grad, double *loss);

#endif
