/* adam_family.c - first and second moment estimates with bias correction:
 * Adam (+ AMSGrad), AdamW, Adamax, NAdam, RAdam, as torch.optim 1.13.
 *
 * Adam:   Kingma & Ba 2015 (arXiv:1412.6980); AMSGrad: Reddi et al. 2018,
 *         "On the Convergence of Adam and Beyond"; torch.optim.Adam.
 *         eps_inside = 1: x -= lr m^ / sqrt(v^ + eps) (CS7015, Ng).
 * AdamW:  Loshchilov & Hutter 2019, decoupled decay x *= 1 - lr wd; torch.optim.AdamW.
 * Adamax: Kingma & Ba 2015, section 7.1; torch.optim.Adamax.
 * NAdam:  Dozat 2016, "Incorporating Nesterov Momentum into Adam", with
 *         torch's momentum_decay schedule mu_t = b1 (1 - 0.5 * 0.96^(t psi)).
 * RAdam:  Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and
 *         Beyond"; torch.optim.RAdam (rectify when rho_t > 5).
 * Bias corrections and step sizes are computed once per step in double. */
#include "optim/rules.h"

#include <math.h>

static int adam_buffers(const ds_opt_params *p, ds__buf *out)
{
    out[0] = (ds__buf){"exp_avg", 0.0f};
    out[1] = (ds__buf){"exp_avg_sq", 0.0f};
    if (!p->adam.amsgrad) return 2;
    out[2] = (ds__buf){"max_exp_avg_sq", 0.0f};
    return 3;
}

/* Per-step scalars of Adam and AdamW. */
typedef struct adam_k {
    float b1, b1c, b2, b2c; /* beta and 1 - beta */
    float step;             /* lr / (1 - beta1^t) */
    float ibc2;             /* 1 / (1 - beta2^t) */
    float ei, eo;           /* eps inside / outside the root */
    float wd, decay;        /* coupled L2 (adam) or decoupled factor (adamw) */
} adam_k;

static adam_k adam_scalars(const ds__step *st, int decoupled)
{
    const ds_opt_params *p = st->p;
    const double t = (double)(st->t + 1);
    const double bc1 = 1.0 - pow(p->adam.beta1, t), bc2 = 1.0 - pow(p->adam.beta2, t);
    adam_k k = {(float)p->adam.beta1,
                (float)(1.0 - p->adam.beta1),
                (float)p->adam.beta2,
                (float)(1.0 - p->adam.beta2),
                (float)(st->lr / bc1),
                (float)(1.0 / bc2),
                0,
                0,
                decoupled ? 0.0f : (float)p->weight_decay,
                decoupled ? (float)(1.0 - st->lr * p->weight_decay) : 1.0f};
    k.ei = p->adam.eps_inside ? (float)p->adam.eps : 0.0f;
    k.eo = p->adam.eps_inside ? 0.0f : (float)p->adam.eps;
    return k;
}

/* Adam and AdamW, with or without AMSGrad's running maximum. A macro makes
 * one function per variant: OpenMP outlines the loop before inlining could
 * fold a flag argument, so only a literal flag leaves the loop branch-free
 * (and vectorized). */
#define ADAM_LOOP(NAME, AMSGRAD)                                                                   \
    DS__CLONES_WIDE static void NAME(const ds__step *st, const adam_k k)                           \
    {                                                                                              \
        const size_t n = st->n;                                                                    \
        const int nt = st->threads;                                                                \
        float *restrict x = st->x, *restrict m = st->s[0], *restrict v = st->s[1];                 \
        float *restrict vmax = st->s[2];                                                           \
        const float *restrict g = st->g;                                                           \
        DS__OMP_LOOP                                                                               \
        for (size_t i = 0; i < n; i++) {                                                           \
            const float d = g[i] + k.wd * x[i];                                                    \
            m[i] = k.b1 * m[i] + k.b1c * d;                                                        \
            v[i] = k.b2 * v[i] + k.b2c * (d * d);                                                  \
            float vv = v[i];                                                                       \
            if (AMSGRAD) vv = vmax[i] = vmax[i] > vv ? vmax[i] : vv;                               \
            x[i] = k.decay * x[i] - k.step * m[i] / (sqrtf(vv * k.ibc2 + k.ei) + k.eo);            \
        }                                                                                          \
    }
ADAM_LOOP(adam_loop, 0)
ADAM_LOOP(amsgrad_loop, 1)

static void adam_run(const ds__step *st, int decoupled)
{
    const adam_k k = adam_scalars(st, decoupled);
    if (st->p->adam.amsgrad)
        amsgrad_loop(st, k);
    else
        adam_loop(st, k);
}

static void adam_update(const ds__step *st)
{
    adam_run(st, 0);
}

static void adamw_update(const ds__step *st)
{
    adam_run(st, 1);
}

const ds__rule ds__rule_adam = {"adam", DS__PLAIN, adam_buffers, NULL, adam_update, 0};
const ds__rule ds__rule_adamw = {"adamw", DS__PLAIN, adam_buffers, NULL, adamw_update, 0};

static int moments_buffers(const char *second, ds__buf *out)
{
    out[0] = (ds__buf){"exp_avg", 0.0f};
    out[1] = (ds__buf){second, 0.0f};
    return 2;
}

static int adamax_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    return moments_buffers("exp_inf", out);
}

DS__CLONES static void adamax_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict m = st->s[0], *restrict u = st->s[1];
    const float *restrict g = st->g;
    const ds_opt_params *p = st->p;
    const float b1 = (float)p->adamax.beta1, b1c = (float)(1.0 - p->adamax.beta1);
    const float b2 = (float)p->adamax.beta2, eps = (float)p->adamax.eps;
    const float wd = (float)p->weight_decay;
    const float clr = (float)(st->lr / (1.0 - pow(p->adamax.beta1, (double)(st->t + 1))));
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        const float d = g[i] + wd * x[i];
        m[i] = b1 * m[i] + b1c * d;
        const float a = fabsf(d) + eps, b = b2 * u[i];
        u[i] = b > a ? b : a;
        x[i] -= clr * m[i] / u[i];
    }
}

const ds__rule ds__rule_adamax = {"adamax", DS__PLAIN, adamax_buffers, NULL, adamax_update, 0};

static int second_moment_buffers(const ds_opt_params *p, ds__buf *out)
{
    (void)p;
    return moments_buffers("exp_avg_sq", out);
}

/* torch: mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay)), t 1-based. */
static double nadam_mu(const ds_opt_params *p, double t)
{
    return p->nadam.beta1 * (1.0 - 0.5 * pow(0.96, t * p->nadam.momentum_decay));
}

DS__CLONES_WIDE static void nadam_update(const ds__step *st)
{
    const size_t n = st->n;
    const int nt = st->threads;
    float *restrict x = st->x, *restrict m = st->s[0], *restrict v = st->s[1];
    const float *restrict g = st->g;
    const ds_opt_params *p = st->p;
    const double t = (double)(st->t + 1);
    const double mu = nadam_mu(p, t), mu_next = nadam_mu(p, t + 1);
    *st->mu_product *= mu;
    /* torch 1.13 multiplies mu in twice here (mu_product * mu * mu_next);
     * the reference trajectories are torch 1.13's, so we follow it. */
    const double mp = *st->mu_product, mp_next = mp * mu * mu_next;
    const float cg = (float)(st->lr * (1.0 - mu) / (1.0 - mp));
    const float cm = (float)(st->lr * mu_next / (1.0 - mp_next));
    const float ibc2 = (float)(1.0 / (1.0 - pow(p->nadam.beta2, t)));
    const float b1 = (float)p->nadam.beta1, b1c = (float)(1.0 - p->nadam.beta1);
    const float b2 = (float)p->nadam.beta2, b2c = (float)(1.0 - p->nadam.beta2);
    const float eps = (float)p->nadam.eps, wd = (float)p->weight_decay;
    DS__OMP_LOOP
    for (size_t i = 0; i < n; i++) {
        const float d = g[i] + wd * x[i];
        m[i] = b1 * m[i] + b1c * d;
        v[i] = b2 * v[i] + b2c * (d * d);
        const float denom = sqrtf(v[i] * ibc2) + eps;
        x[i] = (x[i] - cg * d / denom) - cm * m[i] / denom;
    }
}

const ds__rule ds__rule_nadam = {"nadam", DS__PLAIN, second_moment_buffers, NULL, nadam_update, 1};

/* RAdam's two regimes: the un-rectified momentum step while the variance
 * estimate is unreliable (rho_t <= 5), the rectified adaptive step after;
 * one function each, for the reason given at ADAM_LOOP. */
#define RADAM_LOOP(NAME, RECTIFIED)                                                                \
    DS__CLONES static void NAME(const ds__step *st, const float c, const float sbc2)               \
    {                                                                                              \
        const size_t n = st->n;                                                                    \
        const int nt = st->threads;                                                                \
        float *restrict x = st->x, *restrict m = st->s[0], *restrict v = st->s[1];                 \
        const float *restrict g = st->g;                                                           \
        const ds_opt_params *p = st->p;                                                            \
        const float b1 = (float)p->radam.beta1, b1c = (float)(1.0 - p->radam.beta1);               \
        const float b2 = (float)p->radam.beta2, b2c = (float)(1.0 - p->radam.beta2);               \
        const float eps = (float)p->radam.eps, wd = (float)p->weight_decay;                        \
        (void)sbc2, (void)eps;                                                                     \
        DS__OMP_LOOP                                                                               \
        for (size_t i = 0; i < n; i++) {                                                           \
            const float d = g[i] + wd * x[i];                                                      \
            m[i] = b1 * m[i] + b1c * d;                                                            \
            v[i] = b2 * v[i] + b2c * (d * d);                                                      \
            x[i] -= RECTIFIED ? c * m[i] * (sbc2 / (sqrtf(v[i]) + eps)) : c * m[i];                \
        }                                                                                          \
    }
RADAM_LOOP(radam_rectified, 1)
RADAM_LOOP(radam_momentum, 0)

static void radam_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const double t = (double)(st->t + 1), b2 = p->radam.beta2;
    const double bc1 = 1.0 - pow(p->radam.beta1, t), bc2 = 1.0 - pow(b2, t);
    const double rho_inf = 2.0 / (1.0 - b2) - 1.0;
    const double rho_t = rho_inf - 2.0 * t * pow(b2, t) / bc2;
    if (rho_t > 5.0) {
        const double rect = sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                 ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
        radam_rectified(st, (float)(st->lr * rect / bc1), (float)sqrt(bc2));
    } else {
        radam_momentum(st, (float)(st->lr / bc1), 1.0f);
    }
}

const ds__rule ds__rule_radam = {"radam", DS__PLAIN, second_moment_buffers, NULL, radam_update, 0};
