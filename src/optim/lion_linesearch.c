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

enum { LION_EXP_AVG };

static void lion_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    (void)p;
    out[LION_EXP_AVG] = (ds__buf){.name = "exp_avg"};
}

typedef struct lion_k {
    float b1, b1c, b2, b2c; /* beta and 1 - beta */
    float lr, wd;
} lion_k;

static inline void lion_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                               float *restrict m, const lion_k k)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float c = k.b1 * m[i] + k.b1c * g[i];
        /* branch-free sign with sign(0) = 0 */
        const float sign = (float)((c > 0.0f) - (c < 0.0f));
        x[i] -= k.lr * (sign + k.wd * x[i]);
        m[i] = k.b2 * m[i] + k.b2c * g[i];
    }
}

DS__CLONES static void lion_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const lion_k k = {
        .b1 = (float)p->lion.beta1,
        .b1c = (float)(1.0 - p->lion.beta1),
        .b2 = (float)p->lion.beta2,
        .b2c = (float)(1.0 - p->lion.beta2),
        .lr = (float)st->lr,
        .wd = (float)p->weight_decay,
    };
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        lion_kernel(r.lo, r.hi, st->x, st->g, st->s[LION_EXP_AVG], k);
    }
}

const ds__rule ds__rule_lion = {
    .name = "lion",
    .kind = DS__PLAIN,
    .buffers = lion_buffers,
    .update = lion_update,
};

const ds__rule ds__rule_linesearch = {.name = "linesearch", .kind = DS__LINESEARCH};

static inline void linesearch_kernel(size_t lo, size_t hi, float *restrict x,
                                     const float *restrict x0, const float *restrict g, float eta)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++)
        x[i] = x0[i] - eta * g[i];
}

DS__CLONES void ds__linesearch_move(size_t n, float *x, const float *x0, const float *g, double lr,
                                    int threads)
{
    const int team = ds__team(n, threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(n, team, b);
        linesearch_kernel(r.lo, r.hi, x, x0, g, (float)lr);
    }
}
