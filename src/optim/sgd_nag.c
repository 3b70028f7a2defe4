/* sgd_nag.c - momentum family: torch's SGD (heavy ball, dampening, torch's
 * Nesterov form) and the lectures' look-ahead Nesterov accelerated gradient.
 *
 * SGD follows torch.optim.SGD 1.13 (_single_tensor_sgd):
 *   d = g + wd x;  buf = d on the first step, else buf = m buf + (1 - damp) d;
 *   x -= lr (nesterov ? d + m buf : buf)
 *   https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html
 * NAG is CS7015 Lecture 5's "look before you leap" (Sutskever et al. 2013,
 * "On the importance of initialization and momentum in deep learning", eq. 3-4):
 *   x_look = x - gamma u;  u = gamma u + lr grad(x_look);  x -= u. */
#include "optim/rules.h"

enum { SGD_MOMENTUM };

static void sgd_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    if (p->sgd.momentum != 0) out[SGD_MOMENTUM] = (ds__buf){.name = "momentum_buffer"};
}

/* Per-step scalars of SGD: the variants differ only in coefficients, so the
 * momentum loop has no branch. On torch's first step the buffer becomes d
 * itself (keep = 0, add = 1: 0 * 0 + 1 * d == d exactly). */
typedef struct sgd_k {
    float lr, wd;
    float keep, add; /* buf = keep buf + add d */
    float kd, kb;    /* x -= lr (kd d + kb buf) */
} sgd_k;

static sgd_k sgd_scalars(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const double m = ds_momentum_at(p->sgd.momentum, p->sgd.momentum_schedule, st->t);
    const int first = st->t == 0, nest = p->sgd.nesterov;
    return (sgd_k){
        .lr = (float)st->lr,
        .wd = (float)p->weight_decay,
        .keep = first ? 0.0f : (float)m,
        .add = first ? 1.0f : (float)(1.0 - p->sgd.dampening),
        .kd = nest ? 1.0f : 0.0f,
        .kb = nest ? (float)m : 1.0f,
    };
}

static inline void sgd_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                              float *restrict buf, const sgd_k k, int momentum)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        if (momentum) {
            buf[i] = k.keep * buf[i] + k.add * d;
            x[i] -= k.lr * (k.kd * d + k.kb * buf[i]);
        } else {
            x[i] -= k.lr * d;
        }
    }
}

DS__CLONES static void sgd_update(const ds__step *st)
{
    const sgd_k k = sgd_scalars(st);
    float *buf = st->s[SGD_MOMENTUM];
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        if (buf)
            sgd_kernel(r.lo, r.hi, st->x, st->g, buf, k, 1);
        else
            sgd_kernel(r.lo, r.hi, st->x, st->g, NULL, k, 0);
    }
}

const ds__rule ds__rule_sgd = {
    .name = "sgd",
    .kind = DS__PLAIN,
    .buffers = sgd_buffers,
    .update = sgd_update,
};

enum { NAG_VELOCITY };

static void nag_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    (void)p;
    out[NAG_VELOCITY] = (ds__buf){.name = "velocity"};
}

static float nag_gamma(const ds__step *st)
{
    return (float)ds_momentum_at(st->p->nag.momentum, st->p->nag.momentum_schedule, st->t);
}

/* x_look = x - gamma u, written x + (-gamma) u: the same float. */
static void nag_lookahead(const ds__step *st)
{
    ds__lookahead_move(st, st->s[NAG_VELOCITY], -nag_gamma(st));
}

static inline void nag_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict x0,
                              const float *restrict g, float *restrict u, float gamma, float lr)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        u[i] = gamma * u[i] + lr * g[i];
        x[i] = x0[i] - u[i];
    }
}

DS__CLONES static void nag_update(const ds__step *st)
{
    const float gamma = nag_gamma(st), lr = (float)st->lr;
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        nag_kernel(r.lo, r.hi, st->x, st->x0, st->g, st->s[NAG_VELOCITY], gamma, lr);
    }
}

const ds__rule ds__rule_nag = {
    .name = "nag",
    .kind = DS__LOOKAHEAD,
    .buffers = nag_buffers,
    .lookahead = nag_lookahead,
    .update = nag_update,
};

/* x and x0 are deliberately not restrict: were they known apart, GCC would
 * split the copy out into a memmove, a second pass over x (omp simd
 * vectorizes the loop without that knowledge). */
static inline void lookahead_kernel(size_t lo, size_t hi, float *x, float *x0,
                                    const float *restrict v, float c)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        x0[i] = x[i];
        x[i] += c * v[i];
    }
}

DS__CLONES void ds__lookahead_move(const ds__step *st, const float *v, float c)
{
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        lookahead_kernel(r.lo, r.hi, st->x, st->x0, v, c);
    }
}
