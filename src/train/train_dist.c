/* train_dist.c - the trainer's side of data-parallel training: shard the
 * iterator, start from rank 0's parameters, and turn per-rank passes over
 * shares of a batch into the loss and gradient of the whole batch
 * (contract in train_dist.h). The collectives come from the caller's
 * ds_train_params.comm (descent/train.h), so the library links no MPI; the
 * program passes libdescent-mpi's (src/dist/dist.c). */
#include "train/train_dist.h"

#include "core/internal.h"

#include <math.h>
#include <string.h>

/* This process's rank and the number of ranks (0 and 1 alone). */
static int rank(const ds_trainer *t)
{
    return t->p.comm ? t->p.comm->rank : 0;
}

static int ranks(const ds_trainer *t)
{
    return t->p.comm ? t->p.comm->size : 1;
}

static ds_status check_comm(const ds_comm *c)
{
    if (!c) return DS_OK;
    if (c->size < 1 || c->rank < 0 || c->rank >= c->size)
        return ds__fail(DS_ERR_INVALID, "comm: rank %d of %d processes is out of range", c->rank,
                        c->size);
    if (c->size > 1 && !(c->sum_f32 && c->sum_f64 && c->broadcast_f32))
        return ds__fail(DS_ERR_INVALID,
                        "comm: %d processes need sum_f32, sum_f64 and "
                        "broadcast_f32",
                        c->size);
    return DS_OK;
}

ds_status ds__train_dist_setup(ds_trainer *t)
{
    ds_status s = check_comm(t->p.comm);
    if (s != DS_OK || ranks(t) == 1) return s;
    s = ds_iter_set_shard(t->it, (size_t)rank(t), (size_t)ranks(t));
    if (s == DS_OK)
        s = t->p.comm->broadcast_f32(t->p.comm->ctx, ds_model_param_data(t->m),
                                     ds_model_param_count(t->m));
    return s;
}

/* This rank's pass on its share of N rows. The model's L2 term is
 * lambda / (2 n) sum ||W||^2 on n rows; the ranks' weighted sum must hold
 * the single-process lambda / (2 N) sum ||W||^2 exactly once, so rank 0
 * runs with lambda (mean loss: weight n / N turns it into lambda / (2 N))
 * or lambda n / N (summed loss, weight 1) and the other ranks with 0. */
static ds_status local_pass(ds_trainer *t, int need_grad, int summed, double *loss)
{
    double lambda = ds_model_get_params(t->m)->l2, global = (double)ds_iter_global_rows(t->it);
    int scale = ranks(t) > 1 && lambda > 0;
    if (scale)
        ds_model_set_l2(t->m, rank(t) != 0 ? 0.0
                              : summed     ? lambda * (double)t->cur.n / global
                                           : lambda);
    ds_status s = need_grad ? ds_model_forward_backward(t->m, &t->cur, loss)
                            : ds_model_evaluate(t->m, &t->cur, loss, NULL);
    if (scale) ds_model_set_l2(t->m, lambda);
    return s;
}

ds_status ds__train_dist_objective(ds_trainer *t, int need_grad, double *loss)
{
    size_t n = ds_model_param_count(t->m);
    float *g = ds_model_grad_data(t->m);
    int summed = ds_model_get_params(t->m)->loss == DS_LOSS_SSE;
    double w = summed ? 1.0 : (double)t->cur.n / (double)ds_iter_global_rows(t->it);
    ds_status s = DS_OK;
    *loss = 0.0;
    if (t->cur.n > 0) /* a share may be empty when the batch has fewer rows than ranks */
        s = local_pass(t, need_grad, summed, loss);
    else if (need_grad)
        memset(g, 0, n * sizeof *g);
    if (ranks(t) == 1) return s;
    /* A non-finite local cost still takes part in the sums (the model wrote
     * loss and gradient): the NaN reaches every rank, which all fail or
     * roll back at the same step. Any other local failure returns at once
     * and the front end ends the job (libdescent-mpi's ds_dist_finalize
     * aborts every rank),
     * so no rank waits forever in a reduction. */
    if (s != DS_OK && s != DS_ERR_NONFINITE) return s;
    if (need_grad && w != 1.0)
        for (size_t i = 0; i < n; i++)
            g[i] *= (float)w;
    if (need_grad && (s = t->p.comm->sum_f32(t->p.comm->ctx, g, n)) != DS_OK) return s;
    *loss *= w;
    if ((s = t->p.comm->sum_f64(t->p.comm->ctx, loss, 1)) != DS_OK) return s;
    return isfinite(*loss) ? DS_OK
                           : ds__fail(DS_ERR_NONFINITE, "the loss is %g", ds__msg_num(*loss));
}
