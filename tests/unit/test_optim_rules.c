/* test_optim_rules.c - every update rule against a plain double-precision
 * reference written here from the formulas (torch.optim 1.13's
 * _single_tensor_* functions, the lectures for nag, rmsprop_nesterov, lion
 * and line search), over steps that include a frozen group (a skipped
 * step); then threading, no-op, descent and divergence properties. */
#include "descent/optim.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Options exercising every feature of every rule. */
static const char *const specs[] = {
    "sgd:lr=0.1",
    "sgd:lr=0.1,momentum=0.9,dampening=0.1,weight_decay=0.01",
    "sgd:lr=0.1,momentum=0.9,nesterov=1",
    "sgd:lr=0.1,momentum=0.9,momentum_schedule=sutskever",
    "nag:lr=0.1,momentum=0.9",
    "nag:lr=0.1,momentum=0.9,momentum_schedule=sutskever",
    "adagrad:lr=0.1,lr_decay=0.1,initial_accumulator_value=0.1,weight_decay=0.01,eps=0.01",
    "adagrad:lr=0.1,eps=0.1,eps_inside=1",
    "rmsprop:lr=0.01,alpha=0.9,weight_decay=0.01,eps=0.01",
    "rmsprop:lr=0.01,alpha=0.9,centered=1",
    "rmsprop:lr=0.01,alpha=0.9,momentum=0.5,centered=1",
    "rmsprop:lr=0.01,alpha=0.9,momentum=0.5,eps=0.1,eps_inside=1",
    "rmsprop_nesterov:lr=0.05,alpha=0.9,momentum=0.5",
    "adam:lr=0.1,weight_decay=0.01,eps=0.01",
    "adam:lr=0.1,amsgrad=1",
    "adam:lr=0.1,eps=0.1,eps_inside=1",
    "adamw:lr=0.1,weight_decay=0.1",
    "adamw:lr=0.1,amsgrad=1",
    "adamax:lr=0.1,weight_decay=0.01",
    "nadam:lr=0.1,weight_decay=0.01",
    "radam:lr=0.1,weight_decay=0.01",
    "adadelta:lr=1,rho=0.9,weight_decay=0.01",
    "lion:lr=0.1,weight_decay=0.1",
    "linesearch:lrs=0.1/0.5/1",
};
#define NSPECS (sizeof specs / sizeof specs[0])

/* ---- the objective: f_k(x) = sum 0.5 a_i x_i^2 + b_i (1 + k/2) x_i --------
 * separable, over both groups (5 + 3 elements), changing with the step k so
 * the gradients vary; element 3 has a zero gradient throughout. */
#define N0 5
#define N1 3
#define NT (N0 + N1)
static const double A[NT] = {1, 2, 0.5, 3, 0, 1.5, 0.25, 4};
static const double B[NT] = {0.1, -0.2, 0.3, 0, 0.05, -0.4, 0.2, 0.1};
static const double X0[NT] = {0.5, -1.0, 2.0, 0.0, -0.3, 1.2, -0.7, 0.4};

static double grad_at(int i, double x, int k)
{
    return A[i] * x + B[i] * (1 + 0.5 * k);
}

static double loss_at(const double *x, int k)
{
    double l = 0;
    for (int i = 0; i < NT; i++)
        l += 0.5 * A[i] * x[i] * x[i] + B[i] * (1 + 0.5 * k) * x[i];
    return l;
}

typedef struct lib_run {
    float x[NT], g[NT];
    int k;
} lib_run;

static ds_status lib_objective(void *ctx, int need_grad, double *loss)
{
    lib_run *r = ctx;
    double xd[NT];
    for (int i = 0; i < NT; i++)
        xd[i] = r->x[i];
    *loss = loss_at(xd, r->k);
    if (need_grad)
        for (int i = 0; i < NT; i++)
            r->g[i] = (float)grad_at(i, xd[i], r->k);
    return DS_OK;
}

/* ---- the reference ----------------------------------------------------- */

typedef struct ref_group {
    ds_opt_params p;
    int lo, n; /* element range */
    double buf[4][NT];
    double mu_product;
    int64_t t;
} ref_group;

static double sutskever(double m, int64_t t)
{
    double g = 1 - pow(2, -1 - log2(floor(t / 250.0) + 1));
    return g < m ? g : m;
}

static double ref_momentum(double m, ds_momentum_schedule s, int64_t t)
{
    return s == DS_MOMENTUM_SUTSKEVER ? sutskever(m, t) : m;
}

/* Look-ahead point of nag / rmsprop_nesterov for element i. */
static double ref_look(const ref_group *r, int i, double x)
{
    if (r->p.type == DS_OPT_NAG)
        return x - ref_momentum(r->p.nag.momentum, r->p.nag.momentum_schedule, r->t) * r->buf[0][i];
    if (r->p.type == DS_OPT_RMSPROP_NESTEROV)
        return x + r->p.rmsprop_nesterov.momentum * r->buf[1][i];
    return x;
}

static void ref_sgd(ref_group *r, int i, double *x, double d, double lr)
{
    const ds_opt_params *p = &r->p;
    if (p->sgd.momentum == 0) {
        *x -= lr * d;
        return;
    }
    double m = ref_momentum(p->sgd.momentum, p->sgd.momentum_schedule, r->t);
    double *b = &r->buf[0][i];
    *b = r->t == 0 ? d : m * *b + (1 - p->sgd.dampening) * d;
    *x -= lr * (p->sgd.nesterov ? d + m * *b : *b);
}

static void ref_rmsprop(ref_group *r, int i, double *x, double d, double lr)
{
    const ds_opt_params *p = &r->p;
    double a = p->rmsprop.alpha, *sq = &r->buf[0][i], *ga = &r->buf[1][i], *b = &r->buf[2][i];
    *sq = a * *sq + (1 - a) * d * d;
    double v = *sq;
    if (p->rmsprop.centered) {
        *ga = a * *ga + (1 - a) * d;
        v -= *ga * *ga;
    }
    double avg = p->rmsprop.eps_inside ? sqrt(v + p->rmsprop.eps) : sqrt(v) + p->rmsprop.eps;
    if (p->rmsprop.momentum > 0) {
        *b = p->rmsprop.momentum * *b + d / avg;
        *x -= lr * *b;
    } else {
        *x -= lr * d / avg;
    }
}

static void ref_adam(ref_group *r, int i, double *x, double g, double lr)
{
    const ds_opt_params *p = &r->p;
    double t = (double)(r->t + 1), b1 = p->adam.beta1, b2 = p->adam.beta2;
    double *m = &r->buf[0][i], *v = &r->buf[1][i], *vm = &r->buf[2][i];
    if (p->type == DS_OPT_ADAMW) *x *= 1 - lr * p->weight_decay;
    double d = p->type == DS_OPT_ADAMW ? g : g + p->weight_decay * *x;
    *m = b1 * *m + (1 - b1) * d;
    *v = b2 * *v + (1 - b2) * d * d;
    double vv = *v;
    if (p->adam.amsgrad) vv = *vm = fmax(*vm, *v);
    double mh = *m / (1 - pow(b1, t)), vh = vv / (1 - pow(b2, t));
    *x -= lr * mh / (p->adam.eps_inside ? sqrt(vh + p->adam.eps) : sqrt(vh) + p->adam.eps);
}

static double nadam_mu(const ds_opt_params *p, double t)
{
    return p->nadam.beta1 * (1 - 0.5 * pow(0.96, t * p->nadam.momentum_decay));
}

static void ref_nadam(ref_group *r, int i, double *x, double d, double lr)
{
    const ds_opt_params *p = &r->p;
    double t = (double)(r->t + 1), *s0 = &r->buf[0][i], *s1 = &r->buf[1][i];
    double mu = nadam_mu(p, t), mun = nadam_mu(p, t + 1), mp = r->mu_product;
    *s0 = p->nadam.beta1 * *s0 + (1 - p->nadam.beta1) * d;
    *s1 = p->nadam.beta2 * *s1 + (1 - p->nadam.beta2) * d * d;
    double den = sqrt(*s1 / (1 - pow(p->nadam.beta2, t))) + p->nadam.eps;
    /* torch 1.13: mu_product_next = mu_product * mu * mu_next */
    *x -= lr * (1 - mu) / (1 - mp) * d / den + lr * mun / (1 - mp * mu * mun) * *s0 / den;
}

static void ref_radam(ref_group *r, int i, double *x, double d, double lr)
{
    const ds_opt_params *p = &r->p;
    double t = (double)(r->t + 1), *s0 = &r->buf[0][i], *s1 = &r->buf[1][i];
    double b1 = p->radam.beta1, b2 = p->radam.beta2, bc2 = 1 - pow(b2, t);
    *s0 = b1 * *s0 + (1 - b1) * d;
    *s1 = b2 * *s1 + (1 - b2) * d * d;
    double mh = *s0 / (1 - pow(b1, t)), ri = 2 / (1 - b2) - 1;
    double rt = ri - 2 * t * pow(b2, t) / bc2;
    if (rt > 5) {
        double rect = sqrt((rt - 4) * (rt - 2) * ri / ((ri - 4) * (ri - 2) * rt));
        *x -= lr * mh * rect * sqrt(bc2) / (sqrt(*s1) + p->radam.eps);
    } else {
        *x -= lr * mh;
    }
}

static void ref_adadelta(ref_group *r, int i, double *x, double d, double lr)
{
    double rho = r->p.adadelta.rho, e = r->p.adadelta.eps;
    double *sq = &r->buf[0][i], *acc = &r->buf[1][i];
    *sq = rho * *sq + (1 - rho) * d * d;
    double delta = sqrt(*acc + e) / sqrt(*sq + e) * d;
    *acc = rho * *acc + (1 - rho) * delta * delta;
    *x -= lr * delta;
}

/* One element of one group; the step's scalars are recomputed per element
 * (slow, obvious). nadam's mu_product is advanced by the caller. */
static void ref_elem(ref_group *r, int i, double *x, double g, double lr, const double *x0)
{
    const ds_opt_params *p = &r->p;
    const double d = g + p->weight_decay * *x, t = (double)(r->t + 1);
    double *s0 = &r->buf[0][i], *s1 = &r->buf[1][i];
    switch (p->type) {
    case DS_OPT_SGD:
        ref_sgd(r, i, x, d, lr);
        break;
    case DS_OPT_NAG: {
        double gm = ref_momentum(p->nag.momentum, p->nag.momentum_schedule, r->t);
        *s0 = gm * *s0 + lr * g;
        *x = x0[i] - *s0;
        break;
    }
    case DS_OPT_ADAGRAD: {
        double clr = lr / (1 + (t - 1) * p->adagrad.lr_decay), e = p->adagrad.eps;
        *s0 += d * d;
        *x -= clr * d / (p->adagrad.eps_inside ? sqrt(*s0 + e) : sqrt(*s0) + e);
        break;
    }
    case DS_OPT_RMSPROP:
        ref_rmsprop(r, i, x, d, lr);
        break;
    case DS_OPT_RMSPROP_NESTEROV: {
        double a = p->rmsprop_nesterov.alpha, mu = p->rmsprop_nesterov.momentum;
        *s0 = a * *s0 + (1 - a) * g * g;
        *s1 = mu * *s1 - lr / sqrt(p->rmsprop_nesterov.eps + *s0) * g;
        *x = x0[i] + *s1;
        break;
    }
    case DS_OPT_ADAM:
    case DS_OPT_ADAMW:
        ref_adam(r, i, x, g, lr);
        break;
    case DS_OPT_ADAMAX:
        *s0 = p->adamax.beta1 * *s0 + (1 - p->adamax.beta1) * d;
        *s1 = fmax(p->adamax.beta2 * *s1, fabs(d) + p->adamax.eps);
        *x -= lr / (1 - pow(p->adamax.beta1, t)) * *s0 / *s1;
        break;
    case DS_OPT_NADAM:
        ref_nadam(r, i, x, d, lr);
        break;
    case DS_OPT_RADAM:
        ref_radam(r, i, x, d, lr);
        break;
    case DS_OPT_ADADELTA:
        ref_adadelta(r, i, x, d, lr);
        break;
    case DS_OPT_LION: {
        double c = p->lion.beta1 * *s0 + (1 - p->lion.beta1) * g;
        double sign = c > 0 ? 1 : c < 0 ? -1 : 0;
        *x -= lr * (sign + p->weight_decay * *x);
        *s0 = p->lion.beta2 * *s0 + (1 - p->lion.beta2) * g;
        break;
    }
    default:
        fail_msg("no reference for type %d", (int)p->type);
    }
}

/* One reference step of every running group at objective step k. */
static void ref_step(ref_group *rg, int ngroups, const int *frozen, double *x, int k)
{
    double x0[NT], g[NT];
    memcpy(x0, x, sizeof x0);
    for (int gi = 0; gi < ngroups; gi++)
        for (int i = rg[gi].lo; !frozen[gi] && i < rg[gi].lo + rg[gi].n; i++)
            x[i] = ref_look(&rg[gi], i, x0[i]);
    for (int i = 0; i < NT; i++)
        g[i] = grad_at(i, x[i], k);
    if (rg[0].p.type == DS_OPT_LINESEARCH) {
        /* candidates in order; the first lowest loss wins */
        int best = -1;
        double bl = 0, trial[NT];
        for (int c = 0; c < rg[0].p.linesearch.n; c++) {
            memcpy(trial, x0, sizeof trial);
            for (int gi = 0; gi < ngroups; gi++)
                for (int i = rg[gi].lo; !frozen[gi] && i < rg[gi].lo + rg[gi].n; i++)
                    trial[i] = x0[i] - rg[0].p.linesearch.lrs[c] * rg[gi].p.lr * g[i];
            double l = loss_at(trial, k);
            if (best < 0 || l < bl) best = c, bl = l;
        }
        for (int gi = 0; gi < ngroups; gi++)
            for (int i = rg[gi].lo; !frozen[gi] && i < rg[gi].lo + rg[gi].n; i++)
                x[i] = x0[i] - rg[0].p.linesearch.lrs[best] * rg[gi].p.lr * g[i];
    } else {
        for (int gi = 0; gi < ngroups; gi++) {
            ref_group *r = &rg[gi];
            if (frozen[gi]) continue;
            if (r->p.type == DS_OPT_NADAM) r->mu_product *= nadam_mu(&r->p, (double)(r->t + 1));
            for (int i = r->lo; i < r->lo + r->n; i++)
                ref_elem(r, i, &x[i], g[i], r->p.lr, x0);
        }
    }
    for (int gi = 0; gi < ngroups; gi++)
        rg[gi].t += !frozen[gi];
}

/* Which reference slot holds a named buffer. */
static int ref_slot(const ds_opt_params *p, const char *name)
{
    static const char *const slots[][4] = {
        {"momentum_buffer", "sum", "square_avg", "exp_avg"},
        {"exp_avg_sq", "exp_inf", "acc_delta", NULL},
        {"max_exp_avg_sq", "grad_avg", NULL, NULL},
    };
    if (p->type == DS_OPT_RMSPROP) {
        if (!strcmp(name, "grad_avg")) return 1;
        if (!strcmp(name, "momentum_buffer")) return 2;
    }
    if (!strcmp(name, "velocity")) return p->type == DS_OPT_NAG ? 0 : 1;
    for (int s = 0; s < 3; s++)
        for (int j = 0; j < 4; j++)
            if (slots[s][j] && !strcmp(slots[s][j], name)) return s;
    fail_msg("unexpected state buffer '%s'", name);
    return -1;
}

static void assert_close(double got, double want, const char *what, const char *spec)
{
    if (fabs(got - want) > 2e-5 * fmax(1, fabs(want)))
        fail_msg("%s: %s = %.9g, reference %.9g", spec, what, got, want);
}

/* Every named entry of the library against the reference. */
static void compare_state(const ds_optim *opt, const ref_group *rg, const char *spec)
{
    for (size_t e = 0; e < ds_optim_state_count(opt); e++) {
        const ds_state_info *in = ds_optim_state_info(opt, e);
        int gi = in->name[1] - '0';
        const char *buf = strchr(in->name, '.') + 1;
        const ref_group *r = &rg[gi];
        if (!strcmp(buf, "step")) {
            int64_t t;
            assert_int_equal(ds_optim_state_get(opt, in->name, DS_STATE_I64, &t, 1), DS_OK);
            assert_int_equal(t, r->t);
        } else if (!strcmp(buf, "mu_product")) {
            double mp;
            assert_int_equal(ds_optim_state_get(opt, in->name, DS_STATE_F64, &mp, 1), DS_OK);
            assert_close(mp, r->mu_product, in->name, spec);
        } else {
            float v[NT];
            assert_int_equal(in->count, (size_t)r->n);
            assert_int_equal(ds_optim_state_get(opt, in->name, DS_STATE_F32, v, in->count), DS_OK);
            int s = ref_slot(&r->p, buf);
            for (int i = 0; i < r->n; i++)
                assert_close(v[i], r->buf[s][r->lo + i], in->name, spec);
        }
    }
}

/* How many float buffers torch keeps for these options (its state_dict). */
static int expected_buffers(const ds_opt_params *p)
{
    switch (p->type) {
    case DS_OPT_SGD:
        return p->sgd.momentum != 0;
    case DS_OPT_NAG:
    case DS_OPT_ADAGRAD:
    case DS_OPT_LION:
        return 1;
    case DS_OPT_RMSPROP:
        return 1 + p->rmsprop.centered + (p->rmsprop.momentum > 0);
    case DS_OPT_ADAM:
    case DS_OPT_ADAMW:
        return 2 + p->adam.amsgrad;
    case DS_OPT_LINESEARCH:
        return 0;
    default:
        return 2;
    }
}

/* Initial reference buffers: adagrad's sum starts at initial_accumulator_value. */
static void ref_init(ref_group *r, const ds_opt_params *p, int lo, int n)
{
    memset(r, 0, sizeof *r);
    r->p = *p, r->lo = lo, r->n = n, r->mu_product = 1;
    if (p->type == DS_OPT_ADAGRAD)
        for (int i = 0; i < NT; i++)
            r->buf[0][i] = p->adagrad.initial_accumulator_value;
}

/* Seven steps (radam reaches its rectified regime at step 6); group 1 runs
 * with its own lr (and no weight decay) and is frozen at step 2. */
static void run_against_reference(const char *spec)
{
    ds_opt_params p, p1;
    assert_int_equal(ds_opt_parse(spec, &p), DS_OK);
    p1 = p;
    p1.lr = p.lr * 0.5;
    if (p.type != DS_OPT_ADAMW) p1.weight_decay = 0;
    lib_run lr = {{0}, {0}, 0};
    double xr[NT];
    for (int i = 0; i < NT; i++)
        lr.x[i] = (float)X0[i], xr[i] = (float)X0[i];
    ds_param_group groups[2] = {{lr.x, lr.g, N0, NULL}, {lr.x + N0, lr.g + N0, N1, &p1}};
    ds_optim *opt = ds_optim_init(&p, groups, 2);
    assert_non_null(opt);
    ref_group rg[2];
    ref_init(&rg[0], &p, 0, N0);
    ref_init(&rg[1], &p1, N0, N1);
    /* per group: step, the buffers, and nadam's mu_product */
    assert_int_equal(ds_optim_state_count(opt),
                     2 * (1 + expected_buffers(&p) + (p.type == DS_OPT_NADAM)));
    for (int k = 0; k < 7; k++) {
        int frozen[2] = {0, k == 1};
        ds_optim_set_frozen(opt, 1, frozen[1]);
        lr.k = k;
        double loss;
        assert_int_equal(ds_optim_step_fn(opt, lib_objective, &lr, &loss), DS_OK);
        ref_step(rg, 2, frozen, xr, k);
        for (int i = 0; i < NT; i++)
            assert_close(lr.x[i], xr[i], "x", spec);
        compare_state(opt, rg, spec);
    }
    assert_int_equal(ds_optim_steps(opt, 0), 7);
    assert_int_equal(ds_optim_steps(opt, 1), 6);
    ds_optim_free(opt);
}

static void test_reference_every_rule(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSPECS; s++)
        run_against_reference(specs[s]);
}

/* ---- threading: 1 thread vs 2, bit for bit ----------------------------- */

#define BIG 100000

typedef struct big_run {
    float *x, *g;
    int k;
} big_run;

static ds_status big_objective(void *ctx, int need_grad, double *loss)
{
    big_run *r = ctx;
    double l = 0;
    for (size_t i = 0; i < BIG; i++) {
        double a = 0.5 + (double)(i % 7), b = (double)(i % 5) - 2;
        l += 0.5 * a * r->x[i] * r->x[i] + b * r->x[i];
        if (need_grad) r->g[i] = (float)(a * r->x[i] + b * (1 + 0.3 * r->k));
    }
    *loss = l;
    return DS_OK;
}

static void run_threads(const ds_opt_params *p, int threads, float *x, float *g, float **state,
                        size_t *nstate)
{
    big_run r = {x, g, 0};
    for (size_t i = 0; i < BIG; i++)
        x[i] = (float)sin((double)i);
    ds_param_group grp = {x, g, BIG, NULL};
    ds_optim *opt = ds_optim_init(p, &grp, 1);
    assert_non_null(opt);
    ds_optim_set_threads(opt, threads);
    for (r.k = 0; r.k < 3; r.k++)
        assert_int_equal(ds_optim_step_fn(opt, big_objective, &r, NULL), DS_OK);
    *nstate = 0;
    for (size_t e = 0; e < ds_optim_state_count(opt); e++) {
        const ds_state_info *in = ds_optim_state_info(opt, e);
        if (in->type != DS_STATE_F32) continue;
        state[*nstate] = malloc(BIG * sizeof(float));
        assert_int_equal(ds_optim_state_get(opt, in->name, DS_STATE_F32, state[*nstate], BIG),
                         DS_OK);
        (*nstate)++;
    }
    ds_optim_free(opt);
}

static void test_threads_bitwise(void **state)
{
    (void)state;
    float *x1 = malloc(BIG * 4), *x2 = malloc(BIG * 4), *g = malloc(BIG * 4);
    for (size_t s = 0; s < NSPECS; s++) {
        ds_opt_params p;
        assert_int_equal(ds_opt_parse(specs[s], &p), DS_OK);
        p.clip_norm = 50; /* the clip's reduction must not depend on threads either */
        float *s1[4], *s2[4];
        size_t n1, n2;
        run_threads(&p, 1, x1, g, s1, &n1);
        run_threads(&p, 2, x2, g, s2, &n2);
        assert_int_equal(n1, n2);
        if (memcmp(x1, x2, BIG * 4)) fail_msg("%s: x differs between 1 and 2 threads", specs[s]);
        for (size_t b = 0; b < n1; b++) {
            if (memcmp(s1[b], s2[b], BIG * 4))
                fail_msg("%s: state %zu differs between 1 and 2 threads", specs[s], b);
            free(s1[b]), free(s2[b]);
        }
    }
    free(x1), free(x2), free(g);
}

/* ---- no-ops ------------------------------------------------------------ */

static ds_status zero_objective(void *ctx, int need_grad, double *loss)
{
    lib_run *r = ctx;
    if (need_grad) memset(r->g, 0, sizeof r->g);
    *loss = 1.0;
    return DS_OK;
}

static void test_zero_gradient(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSPECS; s++) {
        ds_opt_params p;
        assert_int_equal(ds_opt_parse(specs[s], &p), DS_OK);
        const int decays = p.weight_decay != 0;
        lib_run r;
        for (int i = 0; i < NT; i++)
            r.x[i] = (float)X0[i] + 0.25f;
        float before[NT];
        memcpy(before, r.x, sizeof before);
        ds_param_group grp = {r.x, r.g, NT, NULL};
        ds_optim *opt = ds_optim_init(&p, &grp, 1);
        for (int k = 0; k < 3; k++)
            assert_int_equal(ds_optim_step_fn(opt, zero_objective, &r, NULL), DS_OK);
        int same = memcmp(before, r.x, sizeof before) == 0;
        if (same == decays)
            fail_msg("%s: zero gradient %s the parameters", specs[s],
                     same ? "left (despite weight decay)" : "changed");
        ds_optim_free(opt);
    }
}

/* A group with lr = 1e-28 stays bit for bit unchanged, the other moves. */
static void test_tiny_lr_group(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSPECS; s++) {
        ds_opt_params p, p1;
        assert_int_equal(ds_opt_parse(specs[s], &p), DS_OK);
        p1 = p;
        p1.lr = 1e-28;
        lib_run r = {{0}, {0}, 0};
        for (int i = 0; i < NT; i++)
            r.x[i] = (float)X0[i] + 3.0f; /* no exact zeros */
        float before[NT];
        memcpy(before, r.x, sizeof before);
        ds_param_group groups[2] = {{r.x, r.g, N0, NULL}, {r.x + N0, r.g + N0, N1, &p1}};
        ds_optim *opt = ds_optim_init(&p, groups, 2);
        for (r.k = 0; r.k < 3; r.k++)
            assert_int_equal(ds_optim_step_fn(opt, lib_objective, &r, NULL), DS_OK);
        if (memcmp(before + N0, r.x + N0, N1 * sizeof(float)))
            fail_msg("%s: lr = 1e-28 changed the group", specs[s]);
        if (!memcmp(before, r.x, N0 * sizeof(float)))
            fail_msg("%s: the normal group did not move", specs[s]);
        assert_int_equal(ds_optim_steps(opt, 1), 3);
        ds_optim_free(opt);
    }
}

/* ---- descent properties ------------------------------------------------ */

/* (w x + b - y)^2 averaged over four points. */
static const double DX[4] = {-1, 0.5, 1, 2}, DY[4] = {-1.2, 0.9, 1.1, 3.2};

typedef struct wb_run {
    float x[2], g[2];
} wb_run;

static ds_status wb_objective(void *ctx, int need_grad, double *loss)
{
    wb_run *r = ctx;
    double l = 0, gw = 0, gb = 0;
    for (int i = 0; i < 4; i++) {
        double e = r->x[0] * DX[i] + r->x[1] - DY[i];
        l += e * e / 4, gw += e * DX[i] / 2, gb += e / 2;
    }
    if (need_grad) r->g[0] = (float)gw, r->g[1] = (float)gb;
    *loss = l;
    return DS_OK;
}

static void test_every_rule_descends(void **state)
{
    (void)state;
    for (int t = 0; t < DS_OPT_COUNT; t++) {
        ds_opt_params p = ds_opt_default_params((ds_opt_type)t);
        if (t != DS_OPT_LINESEARCH && t != DS_OPT_ADADELTA) p.lr = 0.05;
        wb_run r = {{-1.0f, 2.0f}, {0, 0}};
        double l0, l;
        wb_objective(&r, 0, &l0);
        ds_param_group grp = {r.x, r.g, 2, NULL};
        ds_optim *opt = ds_optim_init(&p, &grp, 1);
        assert_non_null(opt);
        for (int k = 0; k < 20; k++)
            assert_int_equal(ds_optim_step_fn(opt, wb_objective, &r, NULL), DS_OK);
        wb_objective(&r, 0, &l);
        if (!(l < l0))
            fail_msg("%s: loss %g after 20 steps, %g before", ds_opt_name(p.type), l, l0);
        ds_optim_free(opt);
    }
}

/* f = 0.5 (x^2 + 100 y^2): condition number 100. */
static ds_status illcond_objective(void *ctx, int need_grad, double *loss)
{
    wb_run *r = ctx;
    *loss = 0.5 * ((double)r->x[0] * r->x[0] + 100.0 * r->x[1] * r->x[1]);
    if (need_grad) r->g[0] = r->x[0], r->g[1] = 100.0f * r->x[1];
    return DS_OK;
}

static double illcond_after(const char *spec, int steps)
{
    ds_opt_params p;
    assert_int_equal(ds_opt_parse(spec, &p), DS_OK);
    wb_run r = {{1.0f, 1.0f}, {0, 0}};
    ds_param_group grp = {r.x, r.g, 2, NULL};
    ds_optim *opt = ds_optim_init(&p, &grp, 1);
    for (int k = 0; k < steps; k++)
        ds_optim_step_fn(opt, illcond_objective, &r, NULL);
    double l;
    illcond_objective(&r, 0, &l);
    ds_optim_free(opt);
    return l;
}

static void test_momentum_beats_gd(void **state)
{
    (void)state;
    double gd = illcond_after("sgd:lr=0.01", 100);
    double mom = illcond_after("sgd:lr=0.01,momentum=0.9", 100);
    double nag = illcond_after("nag:lr=0.01,momentum=0.9", 100);
    if (!(mom < gd)) fail_msg("momentum %g not below gd %g", mom, gd);
    if (!(nag < gd)) fail_msg("nag %g not below gd %g", nag, gd);
}

/* Plain GD on a x^2 / 2: x <- (1 - lr a) x, which shrinks iff lr < 2 / a. */
static float gd_quadratic(double a, double lr, int steps)
{
    ds_opt_params p = ds_opt_default_params(DS_OPT_SGD);
    p.lr = lr;
    float x = 1.0f, g;
    ds_param_group grp = {&x, &g, 1, NULL};
    ds_optim *opt = ds_optim_init(&p, &grp, 1);
    for (int k = 0; k < steps; k++) {
        g = (float)a * x;
        assert_int_equal(ds_optim_step(opt), DS_OK);
    }
    ds_optim_free(opt);
    return fabsf(x);
}

static void test_gd_divergence_threshold(void **state)
{
    (void)state;
    const double a = 4.0, edge = 2.0 / a;
    assert_true(gd_quadratic(a, edge * 0.99, 200) < 1.0f);
    assert_true(gd_quadratic(a, edge * 1.01, 200) > 1.0f);
    assert_true(gd_quadratic(a, edge, 10) == 1.0f); /* lr a = 2 exactly: x flips sign */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_every_rule),    cmocka_unit_test(test_threads_bitwise),
        cmocka_unit_test(test_zero_gradient),           cmocka_unit_test(test_tiny_lr_group),
        cmocka_unit_test(test_every_rule_descends),     cmocka_unit_test(test_momentum_beats_gd),
        cmocka_unit_test(test_gd_divergence_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
