/* trace.c - runs an optimizer on a 2-D test function and records its path,
 * for `descent trace`, the contour plots and the reference tests.
 *
 * The parameters are float32, as in a model, and the optimizer is driven
 * through ds_optim_step_fn so the rules that evaluate the objective
 * themselves (nag's look-ahead, rmsprop_nesterov, linesearch) work too. The
 * schedule sets the rate of update t before it runs, as torch's
 * `optimizer.step(); scheduler.step()` loop does. */
#include "descent/functions.h"
#include "descent/optim.h"
#include "descent/schedule.h"

#include "core/internal.h"

#include <math.h>

typedef struct trace_ctx {
    const ds_fn2d *f;
    float *x, *g;
} trace_ctx;

/* The objective callback: f and its gradient at the current float point,
 * evaluated in double. Non-finite values are passed on, not refused: the
 * trace itself stops on them, and a line search may meet them at a
 * candidate it will not keep. */
static ds_status objective(void *ctx, int need_grad, double *loss)
{
    trace_ctx *c = ctx;
    double grad[2];
    *loss = c->f->eval(c->f, (double)c->x[0], (double)c->x[1], need_grad ? grad : NULL);
    if (need_grad) {
        c->g[0] = (float)grad[0];
        c->g[1] = (float)grad[1];
    }
    return DS_OK;
}

/* Writes row `row` (the current point and f there); 0 if it is finite. */
static int record(const ds_fn2d *f, const float *x, double *out, long row)
{
    double *r = out + 3 * row;
    r[0] = (double)x[0];
    r[1] = (double)x[1];
    r[2] = f->eval(f, r[0], r[1], NULL);
    return isfinite(r[0]) && isfinite(r[1]) && isfinite(r[2]) ? 0 : -1;
}

static ds_status run(ds_optim *o, const ds_opt_params *opt, const ds_schedule *sched, trace_ctx *c,
                     long steps, double *out, long *rows)
{
    int scheduled = sched && sched->nparts > 0;
    for (long t = 0; t < steps; t++) {
        ds_status st;
        if (scheduled) {
            st = ds_optim_set_lr(o, 0, ds_schedule_lr(sched, opt->lr, t));
            if (st != DS_OK) return st;
        }
        st = ds_optim_step_fn(o, objective, c, NULL);
        if (st != DS_OK) return st;
        if (record(c->f, c->x, out, t + 1) != 0)
            return ds__fail(DS_ERR_NONFINITE,
                            "the path left the finite numbers at step %ld (x = %g, y = %g)", t + 1,
                            ds__msg_num((double)c->x[0]), ds__msg_num((double)c->x[1]));
        *rows = t + 2;
    }
    return DS_OK;
}

ds_status ds_fn2d_trace(const ds_fn2d *f, const struct ds_opt_params *opt,
                        const struct ds_schedule *sched, double x0, double y0, long steps,
                        double *out, long *rows_out)
{
    long rows = 0;
    if (rows_out) *rows_out = 0;
    if (!f || !opt || !out) return ds__fail(DS_ERR_INVALID, "ds_fn2d_trace: NULL argument");
    if (steps < 0) return ds__fail(DS_ERR_INVALID, "steps must be >= 0 (got %ld)", steps);
    float x[2] = {(float)x0, (float)y0}, g[2] = {0.0f, 0.0f};
    trace_ctx c = {f, x, g};
    if (record(f, x, out, 0) != 0)
        return ds__fail(DS_ERR_INVALID, "start point (%g, %g) is not finite in float32",
                        ds__msg_num(x0), ds__msg_num(y0));
    rows = 1;
    ds_param_group grp = {.x = x, .g = g, .n = 2, .params = NULL};
    ds_optim *o = ds_optim_init(opt, &grp, 1);
    if (!o) return DS_ERR_INVALID; /* ds_optim_init left the message */
    ds_status st = run(o, opt, sched, &c, steps, out, &rows);
    ds_optim_free(o);
    if (rows_out) *rows_out = rows;
    return st;
}
