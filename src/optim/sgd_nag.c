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

static int sgd_buffers(const ds_opt_params *p, ds__buf *out)
{
    if (p->sgd.momentum == 0) return 0;
    out[0] = (ds__buf){"momentum_buffer", 0.0f};
    return 1;
}

/* One loop for plain, heavy-ball and Nesterov SGD: the variants differ only
 * in coefficients, so the loop has no branch. On torch's first step the
 * buffer becomes d itself (keep = 0, add = 1: 0 * 0 + 1 * d == d exactly). */
DS__CLONES static void sgd_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x;
    const float *restrict g = st->g;
    const float lr = (float)st->lr, wd = (float)st->p->weight_decay;
    if (!st->s[0]) {
        DS__OMP_LOOP
        for (size_t i = 0; i < n; i++)
            x[i] -= lr * (g[i] + wd * x[i]);
        return;
    }
    float *restrict b = st->s[0];
    const double m = ds_momentum_at(st->p->sgd.momentum, st->p->sgd.momentum_schedule, st->t);
    const int first = st->t == 0;
    const float keep = first ? 0.0f : (float)m;
    const float add = first ? 1.0f : (float)(1.0 - st->p->sgd.dampening);
    const int nest = st->p->sgd.nesterov;
    const float kd = nest ? 1.0f : 0.0f, kb = nest ? (float)m : 1.0f;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        const float d = g[i] + wd * x[i];
        b[i] = keep * b[i] + add * d;
        x[i] -= lr * (kd * d + kb * b[i]);
    }
}

const ds__rule ds__rule_sgd = {"sgd", DS__PLAIN, sgd_buffers, NULL, sgd_update, 0};

static int nag_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    out[0] = (ds__buf){"velocity", 0.0f};
    return 1;
}

static double nag_gamma(const ds__step *st)
{
    return ds_momentum_at(st->p->nag.momentum, st->p->nag.momentum_schedule, st->t);
}

DS__CLONES static void nag_lookahead(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict x0 = st->x0;
    const float *restrict u = st->s[0];
    const float gamma = (float)nag_gamma(st);
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        x0[i] = x[i];
        x[i] -= gamma * u[i];
    }
}

DS__CLONES static void nag_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict u = st->s[0];
    const float *restrict x0 = st->x0, *restrict g = st->g;
    const float gamma = (float)nag_gamma(st), lr = (float)st->lr;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        u[i] = gamma * u[i] + lr * g[i];
        x[i] = x0[i] - u[i];
    }
}

const ds__rule ds__rule_nag = {"nag", DS__LOOKAHEAD, nag_buffers, nag_lookahead, nag_update, 0};

int ds__no_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    (void)out;
    return 0;
}
