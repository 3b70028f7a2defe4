/* test_optim_oracle.c - every update rule against a plain double-precision
 * reference written here from the formulas (torch.optim 1.13's
 * _single_tensor_* functions, the lectures for nag, rmsprop_nesterov, lion
 * and line search), over seven steps that include a frozen group (a skipped
 * step), comparing the parameters and every named state entry. */
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
#include "test_optim_cases.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_every_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
