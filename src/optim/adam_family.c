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

enum { ADAM_M, ADAM_V, ADAM_VMAX };

static void adam_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    out[ADAM_M] = (ds__buf){.name = "exp_avg"};
    out[ADAM_V] = (ds__buf){.name = "exp_avg_sq"};
    if (p->adam.amsgrad) out[ADAM_VMAX] = (ds__buf){.name = "max_exp_avg_sq"};
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
    return (adam_k){
        .b1 = (float)p->adam.beta1,
        .b1c = (float)(1.0 - p->adam.beta1),
        .b2 = (float)p->adam.beta2,
        .b2c = (float)(1.0 - p->adam.beta2),
        .step = (float)(st->lr / bc1),
        .ibc2 = (float)(1.0 / bc2),
        .ei = p->adam.eps_inside ? (float)p->adam.eps : 0.0f,
        .eo = p->adam.eps_inside ? 0.0f : (float)p->adam.eps,
        .wd = decoupled ? 0.0f : (float)p->weight_decay,
        .decay = decoupled ? (float)(1.0 - st->lr * p->weight_decay) : 1.0f,
    };
}

/* Adam and AdamW, with or without AMSGrad's running maximum of v. */
static inline void adam_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                               float *restrict m, float *restrict v, float *restrict vmax,
                               const adam_k k, int amsgrad)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        m[i] = k.b1 * m[i] + k.b1c * d;
        v[i] = k.b2 * v[i] + k.b2c * (d * d);
        float vv = v[i];
        if (amsgrad) vv = vmax[i] = vmax[i] > vv ? vmax[i] : vv;
        x[i] = k.decay * x[i] - k.step * m[i] / (sqrtf(vv * k.ibc2 + k.ei) + k.eo);
    }
}

DS__CLONES_WIDE static void adam_run(const ds__step *st, int decoupled)
{
    const adam_k k = adam_scalars(st, decoupled);
    float *x = st->x, *m = st->s[ADAM_M], *v = st->s[ADAM_V], *vmax = st->s[ADAM_VMAX];
    const float *g = st->g;
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        if (vmax)
            adam_kernel(r.lo, r.hi, x, g, m, v, vmax, k, 1);
        else
            adam_kernel(r.lo, r.hi, x, g, m, v, NULL, k, 0);
    }
}

static void adam_update(const ds__step *st)
{
    adam_run(st, 0);
}

static void adamw_update(const ds__step *st)
{
    adam_run(st, 1);
}

const ds__rule ds__rule_adam = {
    .name = "adam",
    .kind = DS__PLAIN,
    .buffers = adam_buffers,
    .update = adam_update,
};

const ds__rule ds__rule_adamw = {
    .name = "adamw",
    .kind = DS__PLAIN,
    .buffers = adam_buffers,
    .update = adamw_update,
};

/* The two moment buffers of adamax, nadam and radam. */
enum { MOMENT_1, MOMENT_2 };

static void moment_buffers(const char *second, ds__buf out[DS__MAX_BUFS])
{
    out[MOMENT_1] = (ds__buf){.name = "exp_avg"};
    out[MOMENT_2] = (ds__buf){.name = second};
}

static void adamax_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    (void)p;
    moment_buffers("exp_inf", out);
}

typedef struct adamax_k {
    float b1, b1c, b2; /* beta1, 1 - beta1, beta2 */
    float eps, wd;
    float clr; /* lr / (1 - beta1^t) */
} adamax_k;

static inline void adamax_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                                 float *restrict m, float *restrict u, const adamax_k k)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        m[i] = k.b1 * m[i] + k.b1c * d;
        const float a = fabsf(d) + k.eps, b = k.b2 * u[i];
        u[i] = b > a ? b : a;
        x[i] -= k.clr * m[i] / u[i];
    }
}

DS__CLONES static void adamax_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const adamax_k k = {
        .b1 = (float)p->adamax.beta1,
        .b1c = (float)(1.0 - p->adamax.beta1),
        .b2 = (float)p->adamax.beta2,
        .eps = (float)p->adamax.eps,
        .wd = (float)p->weight_decay,
        .clr = (float)(st->lr / (1.0 - pow(p->adamax.beta1, (double)(st->t + 1)))),
    };
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        adamax_kernel(r.lo, r.hi, st->x, st->g, st->s[MOMENT_1], st->s[MOMENT_2], k);
    }
}

const ds__rule ds__rule_adamax = {
    .name = "adamax",
    .kind = DS__PLAIN,
    .buffers = adamax_buffers,
    .update = adamax_update,
};

static void second_moment_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    (void)p;
    moment_buffers("exp_avg_sq", out);
}

/* torch: mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay)), t 1-based. */
static double nadam_mu(const ds_opt_params *p, double t)
{
    return p->nadam.beta1 * (1.0 - 0.5 * pow(0.96, t * p->nadam.momentum_decay));
}

typedef struct nadam_k {
    float b1, b1c, b2, b2c; /* beta and 1 - beta */
    float cg, cm;           /* step sizes of d and of m */
    float ibc2;             /* 1 / (1 - beta2^t) */
    float eps, wd;
} nadam_k;

/* Advances the group's mu_product. */
static nadam_k nadam_scalars(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const double t = (double)(st->t + 1);
    const double mu = nadam_mu(p, t), mu_next = nadam_mu(p, t + 1);
    *st->mu_product *= mu;
    /* torch 1.13 multiplies mu in twice here (mu_product * mu * mu_next);
     * the reference trajectories are torch 1.13's, so we follow it. */
    const double mp = *st->mu_product, mp_next = mp * mu * mu_next;
    return (nadam_k){
        .b1 = (float)p->nadam.beta1,
        .b1c = (float)(1.0 - p->nadam.beta1),
        .b2 = (float)p->nadam.beta2,
        .b2c = (float)(1.0 - p->nadam.beta2),
        .cg = (float)(st->lr * (1.0 - mu) / (1.0 - mp)),
        .cm = (float)(st->lr * mu_next / (1.0 - mp_next)),
        .ibc2 = (float)(1.0 / (1.0 - pow(p->nadam.beta2, t))),
        .eps = (float)p->nadam.eps,
        .wd = (float)p->weight_decay,
    };
}

static inline void nadam_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                                float *restrict m, float *restrict v, const nadam_k k)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        m[i] = k.b1 * m[i] + k.b1c * d;
        v[i] = k.b2 * v[i] + k.b2c * (d * d);
        const float denom = sqrtf(v[i] * k.ibc2) + k.eps;
        x[i] = (x[i] - k.cg * d / denom) - k.cm * m[i] / denom;
    }
}

DS__CLONES_WIDE static void nadam_update(const ds__step *st)
{
    const nadam_k k = nadam_scalars(st);
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        nadam_kernel(r.lo, r.hi, st->x, st->g, st->s[MOMENT_1], st->s[MOMENT_2], k);
    }
}

const ds__rule ds__rule_nadam = {
    .name = "nadam",
    .kind = DS__PLAIN,
    .buffers = second_moment_buffers,
    .update = nadam_update,
    .has_mu_product = 1,
};

typedef struct radam_k {
    float b1, b1c, b2, b2c; /* beta and 1 - beta */
    float eps, wd;
    float c;       /* lr / (1 - beta1^t), times the rectification when rectified */
    float sbc2;    /* sqrt(1 - beta2^t) */
    int rectified; /* rho_t > 5 */
} radam_k;

static radam_k radam_scalars(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const double t = (double)(st->t + 1), b2 = p->radam.beta2;
    const double bc1 = 1.0 - pow(p->radam.beta1, t), bc2 = 1.0 - pow(b2, t);
    const double rho_inf = 2.0 / (1.0 - b2) - 1.0;
    const double rho_t = rho_inf - 2.0 * t * pow(b2, t) / bc2;
    const int rectified = rho_t > 5.0;
    const double rect = rectified ? sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                         ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                                  : 1.0;
    return (radam_k){
        .b1 = (float)p->radam.beta1,
        .b1c = (float)(1.0 - p->radam.beta1),
        .b2 = (float)b2,
        .b2c = (float)(1.0 - b2),
        .eps = (float)p->radam.eps,
        .wd = (float)p->weight_decay,
        .c = rectified ? (float)(st->lr * rect / bc1) : (float)(st->lr / bc1),
        .sbc2 = (float)sqrt(bc2),
        .rectified = rectified,
    };
}

/* RAdam's two regimes: the un-rectified momentum step while the variance
 * estimate is unreliable (rho_t <= 5), the rectified adaptive step after. */
static inline void radam_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                                float *restrict m, float *restrict v, const radam_k k,
                                int rectified)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        m[i] = k.b1 * m[i] + k.b1c * d;
        v[i] = k.b2 * v[i] + k.b2c * (d * d);
        if (rectified)
            x[i] -= k.c * m[i] * (k.sbc2 / (sqrtf(v[i]) + k.eps));
        else
            x[i] -= k.c * m[i];
    }
}

DS__CLONES static void radam_update(const ds__step *st)
{
    const radam_k k = radam_scalars(st);
    float *x = st->x, *m = st->s[MOMENT_1], *v = st->s[MOMENT_2];
    const float *g = st->g;
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        if (k.rectified)
            radam_kernel(r.lo, r.hi, x, g, m, v, k, 1);
        else
            radam_kernel(r.lo, r.hi, x, g, m, v, k, 0);
    }
}

const ds__rule ds__rule_radam = {
    .name = "radam",
    .kind = DS__PLAIN,
    .buffers = second_moment_buffers,
    .update = radam_update,
};
