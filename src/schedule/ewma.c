/* ewma.c - exponentially weighted moving averages with bias correction.
 *
 * Ng, "Optimization Algorithms" (deeplearning.ai, course 2 week 2):
 * v_t = beta v_{t-1} + (1 - beta) theta_t from v_0 = 0, which averages about
 * 1/(1 - beta) recent values; dividing by 1 - beta^t removes the pull toward
 * v_0 = 0 in the first steps (the same correction as Adam's, Kingma & Ba 2015,
 * section 3). beta^t is kept as a running product so no pow() per update. */
#include "descent/ewma.h"

#include <math.h>

ds_ewma ds_ewma_init(double beta)
{
    ds_ewma e = {.beta = beta, .value = 0.0, .beta_t = 1.0, .t = 0};
    return e;
}

double ds_ewma_update(ds_ewma *e, double theta)
{
    e->value = e->beta * e->value + (1.0 - e->beta) * theta;
    e->beta_t *= e->beta;
    e->t++;
    return e->value;
}

double ds_ewma_value(const ds_ewma *e)
{
    return e->value;
}

double ds_ewma_corrected(const ds_ewma *e)
{
    return e->t > 0 ? e->value / (1.0 - e->beta_t) : 0.0;
}

void ds_ewma_update_array(float *avg, const float *x, size_t n, double beta)
{
    /* Coefficients rounded once, as the optimizers do with their betas. */
    const float b = (float)beta, c = (float)(1.0 - beta);
    for (size_t i = 0; i < n; i++)
        avg[i] = b * avg[i] + c * x[i];
}

void ds_ewma_correct_array(float *out, const float *avg, size_t n, double beta, int64_t t)
{
    const float scale = t > 0 ? (float)(1.0 / (1.0 - pow(beta, (double)t))) : 1.0f;
    for (size_t i = 0; i < n; i++)
        out[i] = avg[i] * scale;
}
