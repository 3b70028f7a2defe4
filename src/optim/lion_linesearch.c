/* lion_linesearch.c - the two rules whose step length is not scaled by
 * gradient statistics: Lion's sign update and CS7015's line search.
 *
 * Lion: Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"
 *   (arXiv:2302.06675, Program 1):
 *   c = b1 m + (1 - b1) g;  x -= lr (sign(c) + wd x);  m = b2 m + (1 - b2) g
 *   with sign(0) = 0.
 * Line search: CS7015 Lecture 5 - take the gradient once, move to
 *   x0 - eta_i g for every candidate eta_i, keep the lowest loss. The handle
 *   (optim.c) drives the candidates; this file supplies the move. */
#include "optim/rules.h"

static int lion_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    out[0] = (ds__buf){"exp_avg", 0.0f};
    return 1;
}

DS__CLONES static void lion_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict m = st->s[0];
    const float *restrict g = st->g;
    const ds_opt_params *p = st->p;
    const float b1 = (float)p->lion.beta1, b1c = (float)(1.0 - p->lion.beta1);
    const float b2 = (float)p->lion.beta2, b2c = (float)(1.0 - p->lion.beta2);
    const float lr = (float)st->lr, wd = (float)p->weight_decay;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        const float c = b1 * m[i] + b1c * g[i];
        /* branch-free sign with sign(0) = 0 */
        const float sign = (float)((c > 0.0f) - (c < 0.0f));
        x[i] -= lr * (sign + wd * x[i]);
        m[i] = b2 * m[i] + b2c * g[i];
    }
}

const ds__rule ds__rule_lion = {"lion", DS__PLAIN, lion_buffers, NULL, lion_update, 0};

const ds__rule ds__rule_linesearch = {"linesearch", DS__LINESEARCH, ds__no_buffers, NULL, NULL, 0};

DS__CLONES void ds__linesearch_move(size_t n, float *x_, const float *x0_, const float *g_,
                                    double lr, int threads)
{
    const int nt = threads;
    float *restrict x = x_;
    const float *restrict x0 = x0_, *restrict g = g_;
    const float eta = (float)lr;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++)
        x[i] = x0[i] - eta * g[i];
}
