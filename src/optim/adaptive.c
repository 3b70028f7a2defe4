/* adaptive.c - per-parameter learning rates from squared-gradient sums:
 * Adagrad, RMSprop, RMSprop with Nesterov momentum, Adadelta.
 *
 * Adagrad: torch.optim.Adagrad 1.13 (Duchi et al. 2011), clr = lr / (1 + (t-1) lr_decay);
 *   sum += d^2; x -= clr d / (sqrt(sum) + eps)
 * RMSprop: torch.optim.RMSprop 1.13 (Hinton, Coursera lecture 6e; centered
 *   form: Graves 2013, "Generating Sequences With Recurrent Neural Networks").
 * eps_inside = 1 puts eps under the root, as CS7015 writes both:
 *   x -= lr d / sqrt(v + eps).
 * RMSprop with Nesterov momentum: the NPTEL deck (Goodfellow et al., Deep
 *   Learning, Algorithm 8.6):
 *   x~ = x + mu v; r = a r + (1-a) g(x~)^2; v = mu v - lr g / sqrt(eps + r); x += v
 * Adadelta: torch.optim.Adadelta 1.13 (Zeiler 2012, arXiv:1212.5701). */
#include "optim/rules.h"

#include <math.h>

/* eps under the root (inside) or after it: denominators are
 * sqrt(v + ei) + eo with exactly one of ei, eo equal to eps. */
static void eps_split(double eps, int inside, float *ei, float *eo)
{
    *ei = inside ? (float)eps : 0.0f;
    *eo = inside ? 0.0f : (float)eps;
}

static int adagrad_buffers(const ds_opt_params *p, ds__buf *out)
{
    out[0] = (ds__buf){"sum", (float)p->adagrad.initial_accumulator_value};
    return 1;
}

DS__CLONES_WIDE static void adagrad_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict s = st->s[0];
    const float *restrict g = st->g;
    const ds_opt_params *p = st->p;
    const float clr = (float)(st->lr / (1.0 + (double)st->t * p->adagrad.lr_decay));
    const float wd = (float)p->weight_decay;
    float ei, eo;
    eps_split(p->adagrad.eps, p->adagrad.eps_inside, &ei, &eo);
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        const float d = g[i] + wd * x[i];
        s[i] += d * d;
        x[i] -= clr * d / (sqrtf(s[i] + ei) + eo);
    }
}

const ds__rule ds__rule_adagrad = {"adagrad", DS__PLAIN, adagrad_buffers, NULL, adagrad_update, 0};

static int rmsprop_buffers(const ds_opt_params *p, ds__buf *out)
{
    int k = 0;
    out[k++] = (ds__buf){"square_avg", 0.0f};
    if (p->rmsprop.centered) out[k++] = (ds__buf){"grad_avg", 0.0f};
    if (p->rmsprop.momentum > 0) out[k++] = (ds__buf){"momentum_buffer", 0.0f};
    return k;
}

/* The four RMSprop variants (centered or not, momentum or not): a macro
 * makes one function per variant with literal flags, because OpenMP outlines
 * the loop before inlining could fold a flag argument, and a flag read in
 * the loop would keep it from vectorizing. */
#define RMSPROP_LOOP(NAME, CENTERED, MOMENTUM)                                                     \
    DS__CLONES_WIDE static void NAME(const ds__step *st)                                           \
    {                                                                                              \
        const size_t n = st->n;                                                                    \
        const int nt = st->threads;                                                                \
        float *restrict x = st->x, *restrict sq = st->s[0];                                        \
        float *restrict ga = st->s[1], *restrict b = st->s[1 + CENTERED];                          \
        const float *restrict g = st->g;                                                           \
        const ds_opt_params *p = st->p;                                                            \
        const float a = (float)p->rmsprop.alpha, a1 = (float)(1.0 - p->rmsprop.alpha);             \
        const float m = (float)p->rmsprop.momentum, lr = (float)st->lr;                            \
        const float wd = (float)p->weight_decay;                                                   \
        float ei, eo;                                                                              \
        eps_split(p->rmsprop.eps, p->rmsprop.eps_inside, &ei, &eo);                                \
        (void)ga, (void)b, (void)m;                                                                \
        DS__OMP_LOOP                                                                               \
        for (size_t i = 0; i < n; i++) {                                                           \
            const float d = g[i] + wd * x[i];                                                      \
            sq[i] = a * sq[i] + a1 * (d * d);                                                      \
            float v = sq[i];                                                                       \
            if (CENTERED) {                                                                        \
                ga[i] = a * ga[i] + a1 * d;                                                        \
                v -= ga[i] * ga[i];                                                                \
            }                                                                                      \
            const float avg = sqrtf(v + ei) + eo;                                                  \
            if (MOMENTUM) {                                                                        \
                b[i] = m * b[i] + d / avg;                                                         \
                x[i] -= lr * b[i];                                                                 \
            } else {                                                                               \
                x[i] -= lr * (d / avg);                                                            \
            }                                                                                      \
        }                                                                                          \
    }
RMSPROP_LOOP(rmsprop_plain, 0, 0)
RMSPROP_LOOP(rmsprop_centered, 1, 0)
RMSPROP_LOOP(rmsprop_momentum, 0, 1)
RMSPROP_LOOP(rmsprop_centered_momentum, 1, 1)

static void rmsprop_update(const ds__step *st)
{
    const int c = st->p->rmsprop.centered, m = st->p->rmsprop.momentum > 0;
    if (c && m)
        rmsprop_centered_momentum(st);
    else if (c)
        rmsprop_centered(st);
    else if (m)
        rmsprop_momentum(st);
    else
        rmsprop_plain(st);
}

const ds__rule ds__rule_rmsprop = {"rmsprop", DS__PLAIN, rmsprop_buffers, NULL, rmsprop_update, 0};

static int rmsprop_nesterov_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    out[0] = (ds__buf){"square_avg", 0.0f};
    out[1] = (ds__buf){"velocity", 0.0f};
    return 2;
}

DS__CLONES static void rmsprop_nesterov_lookahead(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict x0 = st->x0;
    const float *restrict v = st->s[1];
    const float mu = (float)st->p->rmsprop_nesterov.momentum;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        x0[i] = x[i];
        x[i] += mu * v[i];
    }
}

DS__CLONES_WIDE static void rmsprop_nesterov_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict r = st->s[0], *restrict v = st->s[1];
    const float *restrict x0 = st->x0, *restrict g = st->g;
    const ds_opt_params *p = st->p;
    const float a = (float)p->rmsprop_nesterov.alpha, a1 = (float)(1.0 - p->rmsprop_nesterov.alpha);
    const float mu = (float)p->rmsprop_nesterov.momentum, lr = (float)st->lr;
    const float eps = (float)p->rmsprop_nesterov.eps;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        r[i] = a * r[i] + a1 * (g[i] * g[i]);
        v[i] = mu * v[i] - lr * g[i] / sqrtf(eps + r[i]);
        x[i] = x0[i] + v[i];
    }
}

const ds__rule ds__rule_rmsprop_nesterov = {"rmsprop_nesterov",       DS__LOOKAHEAD,
                                            rmsprop_nesterov_buffers, rmsprop_nesterov_lookahead,
                                            rmsprop_nesterov_update,  0};

static int adadelta_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    out[0] = (ds__buf){"square_avg", 0.0f};
    out[1] = (ds__buf){"acc_delta", 0.0f};
    return 2;
}

DS__CLONES_WIDE static void adadelta_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict sq = st->s[0], *restrict acc = st->s[1];
    const float *restrict g = st->g;
    const ds_opt_params *p = st->p;
    const float rho = (float)p->adadelta.rho, rho1 = (float)(1.0 - p->adadelta.rho);
    const float eps = (float)p->adadelta.eps, lr = (float)st->lr;
    const float wd = (float)p->weight_decay;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        const float d = g[i] + wd * x[i];
        sq[i] = rho * sq[i] + rho1 * (d * d);
        const float delta = sqrtf(acc[i] + eps) / sqrtf(sq[i] + eps) * d;
        acc[i] = rho * acc[i] + rho1 * (delta * delta);
        x[i] -= lr * delta;
    }
}

const ds__rule ds__rule_adadelta = {"adadelta", DS__PLAIN,       adadelta_buffers,
                                    NULL,       adadelta_update, 0};
