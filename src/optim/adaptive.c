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
static float eps_in(double eps, int inside)
{
    return inside ? (float)eps : 0.0f;
}

static float eps_out(double eps, int inside)
{
    return inside ? 0.0f : (float)eps;
}

enum { ADAGRAD_SUM };

static void adagrad_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    out[ADAGRAD_SUM] =
        (ds__buf){.name = "sum", .init = (float)p->adagrad.initial_accumulator_value};
}

typedef struct adagrad_k {
    float clr; /* lr / (1 + t lr_decay) */
    float wd, ei, eo;
} adagrad_k;

static inline void adagrad_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                                  float *restrict sum, const adagrad_k k)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        sum[i] += d * d;
        x[i] -= k.clr * d / (sqrtf(sum[i] + k.ei) + k.eo);
    }
}

DS__CLONES_WIDE static void adagrad_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const adagrad_k k = {
        .clr = (float)(st->lr / (1.0 + (double)st->t * p->adagrad.lr_decay)),
        .wd = (float)p->weight_decay,
        .ei = eps_in(p->adagrad.eps, p->adagrad.eps_inside),
        .eo = eps_out(p->adagrad.eps, p->adagrad.eps_inside),
    };
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        adagrad_kernel(r.lo, r.hi, st->x, st->g, st->s[ADAGRAD_SUM], k);
    }
}

const ds__rule ds__rule_adagrad = {
    .name = "adagrad",
    .kind = DS__PLAIN,
    .buffers = adagrad_buffers,
    .update = adagrad_update,
};

enum { RMSPROP_SQUARE_AVG, RMSPROP_GRAD_AVG, RMSPROP_MOMENTUM };

static void rmsprop_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    out[RMSPROP_SQUARE_AVG] = (ds__buf){.name = "square_avg"};
    if (p->rmsprop.centered) out[RMSPROP_GRAD_AVG] = (ds__buf){.name = "grad_avg"};
    if (p->rmsprop.momentum > 0) out[RMSPROP_MOMENTUM] = (ds__buf){.name = "momentum_buffer"};
}

typedef struct rmsprop_k {
    float a, a1; /* alpha and 1 - alpha */
    float mom, lr, wd, ei, eo;
} rmsprop_k;

/* One kernel for the four variants: centered subtracts the squared running
 * mean of d, momentum accumulates the scaled step in buf. */
static inline void rmsprop_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                                  float *restrict sq, float *restrict ga, float *restrict buf,
                                  const rmsprop_k k, int centered, int momentum)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        sq[i] = k.a * sq[i] + k.a1 * (d * d);
        float v = sq[i];
        if (centered) {
            ga[i] = k.a * ga[i] + k.a1 * d;
            v -= ga[i] * ga[i];
        }
        const float avg = sqrtf(v + k.ei) + k.eo;
        if (momentum) {
            buf[i] = k.mom * buf[i] + d / avg;
            x[i] -= k.lr * buf[i];
        } else {
            x[i] -= k.lr * (d / avg);
        }
    }
}

DS__CLONES_WIDE static void rmsprop_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const rmsprop_k k = {
        .a = (float)p->rmsprop.alpha,
        .a1 = (float)(1.0 - p->rmsprop.alpha),
        .mom = (float)p->rmsprop.momentum,
        .lr = (float)st->lr,
        .wd = (float)p->weight_decay,
        .ei = eps_in(p->rmsprop.eps, p->rmsprop.eps_inside),
        .eo = eps_out(p->rmsprop.eps, p->rmsprop.eps_inside),
    };
    float *x = st->x, *sq = st->s[RMSPROP_SQUARE_AVG];
    float *ga = st->s[RMSPROP_GRAD_AVG], *buf = st->s[RMSPROP_MOMENTUM];
    const float *g = st->g;
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        if (ga && buf)
            rmsprop_kernel(r.lo, r.hi, x, g, sq, ga, buf, k, 1, 1);
        else if (ga)
            rmsprop_kernel(r.lo, r.hi, x, g, sq, ga, NULL, k, 1, 0);
        else if (buf)
            rmsprop_kernel(r.lo, r.hi, x, g, sq, NULL, buf, k, 0, 1);
        else
            rmsprop_kernel(r.lo, r.hi, x, g, sq, NULL, NULL, k, 0, 0);
    }
}

const ds__rule ds__rule_rmsprop = {
    .name = "rmsprop",
    .kind = DS__PLAIN,
    .buffers = rmsprop_buffers,
    .update = rmsprop_update,
};

enum { NESTEROV_SQUARE_AVG, NESTEROV_VELOCITY };

static void rmsprop_nesterov_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    (void)p;
    out[NESTEROV_SQUARE_AVG] = (ds__buf){.name = "square_avg"};
    out[NESTEROV_VELOCITY] = (ds__buf){.name = "velocity"};
}

static void rmsprop_nesterov_lookahead(const ds__step *st)
{
    ds__lookahead_move(st, st->s[NESTEROV_VELOCITY], (float)st->p->rmsprop_nesterov.momentum);
}

typedef struct nesterov_k {
    float a, a1; /* alpha and 1 - alpha */
    float mu, lr, eps;
} nesterov_k;

static inline void rmsprop_nesterov_kernel(size_t lo, size_t hi, float *restrict x,
                                           const float *restrict x0, const float *restrict g,
                                           float *restrict r, float *restrict v, const nesterov_k k)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        r[i] = k.a * r[i] + k.a1 * (g[i] * g[i]);
        v[i] = k.mu * v[i] - k.lr * g[i] / sqrtf(k.eps + r[i]);
        x[i] = x0[i] + v[i];
    }
}

DS__CLONES_WIDE static void rmsprop_nesterov_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const nesterov_k k = {
        .a = (float)p->rmsprop_nesterov.alpha,
        .a1 = (float)(1.0 - p->rmsprop_nesterov.alpha),
        .mu = (float)p->rmsprop_nesterov.momentum,
        .lr = (float)st->lr,
        .eps = (float)p->rmsprop_nesterov.eps,
    };
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        rmsprop_nesterov_kernel(r.lo, r.hi, st->x, st->x0, st->g, st->s[NESTEROV_SQUARE_AVG],
                                st->s[NESTEROV_VELOCITY], k);
    }
}

const ds__rule ds__rule_rmsprop_nesterov = {
    .name = "rmsprop_nesterov",
    .kind = DS__LOOKAHEAD,
    .buffers = rmsprop_nesterov_buffers,
    .lookahead = rmsprop_nesterov_lookahead,
    .update = rmsprop_nesterov_update,
};

enum { ADADELTA_SQUARE_AVG, ADADELTA_ACC_DELTA };

static void adadelta_buffers(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    (void)p;
    out[ADADELTA_SQUARE_AVG] = (ds__buf){.name = "square_avg"};
    out[ADADELTA_ACC_DELTA] = (ds__buf){.name = "acc_delta"};
}

typedef struct adadelta_k {
    float rho, rho1; /* rho and 1 - rho */
    float eps, lr, wd;
} adadelta_k;

static inline void adadelta_kernel(size_t lo, size_t hi, float *restrict x, const float *restrict g,
                                   float *restrict sq, float *restrict acc, const adadelta_k k)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++) {
        const float d = g[i] + k.wd * x[i];
        sq[i] = k.rho * sq[i] + k.rho1 * (d * d);
        const float delta = sqrtf(acc[i] + k.eps) / sqrtf(sq[i] + k.eps) * d;
        acc[i] = k.rho * acc[i] + k.rho1 * (delta * delta);
        x[i] -= k.lr * delta;
    }
}

DS__CLONES_WIDE static void adadelta_update(const ds__step *st)
{
    const ds_opt_params *p = st->p;
    const adadelta_k k = {
        .rho = (float)p->adadelta.rho,
        .rho1 = (float)(1.0 - p->adadelta.rho),
        .eps = (float)p->adadelta.eps,
        .lr = (float)st->lr,
        .wd = (float)p->weight_decay,
    };
    const int team = ds__team(st->n, st->threads);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(st->n, team, b);
        adadelta_kernel(r.lo, r.hi, st->x, st->g, st->s[ADADELTA_SQUARE_AVG],
                        st->s[ADADELTA_ACC_DELTA], k);
    }
}

const ds__rule ds__rule_adadelta = {
    .name = "adadelta",
    .kind = DS__PLAIN,
    .buffers = adadelta_buffers,
    .update = adadelta_update,
};
