/* noise.c - a function with seeded gradient noise, to show a stochastic
 * gradient's wandering (SGD's noise, lecture 5) on the 2-D functions:
 * `descent trace --noise SIGMA --seed S` and the explorer's noise control.
 *
 * The noise added to the gradient at (x, y) is a pure function of the
 * seed and the two coordinates' bits: sigma times a standard normal
 * variate for each component, drawn from a generator seeded with them. So
 * a path is reproduced exactly by the same seed, whatever else ran before
 * (the explorer reruns its optimizers in any order), on any thread; and,
 * since a path seldom revisits a float point, the draws along it are as
 * independent as a stochastic gradient's. The normal variate is the
 * Irwin-Hall sum of 12 uniforms minus 6 (mean 0, variance 1, bounded by
 * 6): plain additions, so the WebAssembly build gives the same bits as
 * the native one, where a Box-Muller draw would go through libm's cos. */
#include "descent/functions.h"
#include "descent/rng.h"

#include "core/internal.h"
#include "functions/fn2d_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct noisy_fn {
    ds_fn2d fn; /* first: a ds_fn2d * is a noisy_fn * */
    const ds_fn2d *base;
    double sigma;
    uint64_t seed;
} noisy_fn;

static double normal12(ds_rng *r)
{
    double s = -6.0;
    for (int i = 0; i < 12; i++)
        s += ds_rng_uniform(r);
    return s;
}

double ds__fn2d_noisy_eval(const ds_fn2d *f, double x, double y, double *grad)
{
    const noisy_fn *n = f->ctx;
    double v = n->base->eval(n->base, x, y, grad);
    if (grad) {
        uint64_t bx, by;
        memcpy(&bx, &x, sizeof bx);
        memcpy(&by, &y, sizeof by);
        ds_rng r = ds_rng_seed(n->seed ^ ds_rng_seed(bx).s[0] ^ ds_rng_seed(~by).s[1]);
        grad[0] += n->sigma * normal12(&r);
        grad[1] += n->sigma * normal12(&r);
    }
    return v;
}

ds_status ds_fn2d_noisy(const ds_fn2d *base, double sigma, uint64_t seed, ds_fn2d **out)
{
    if (!base || !out) return ds__fail(DS_ERR_INVALID, "ds_fn2d_noisy: NULL argument");
    if (!(sigma >= 0 && isfinite(sigma)))
        return ds__fail(DS_ERR_INVALID, "noise must be a finite number >= 0 (got %g)",
                        ds__msg_num(sigma));
    noisy_fn *n = malloc(sizeof *n);
    if (!n) return ds__nomem("a noisy function", sizeof *n);
    n->fn = *base;
    n->fn.eval = ds__fn2d_noisy_eval;
    n->fn.ctx = n;
    n->base = base;
    n->sigma = sigma;
    n->seed = seed;
    *out = &n->fn;
    return DS_OK;
}
