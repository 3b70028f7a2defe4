/* test_optim_noop.c - what a step must not do, and what every rule must
 * do: zero gradients leave parameters alone (unless weight decay), a group
 * with lr = 1e-28 stays bit for bit, every rule lowers a small least-squares
 * loss, momentum and NAG beat plain GD on an ill-conditioned quadratic, and
 * plain GD on a x^2 / 2 diverges exactly when lr > 2 / a. */
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
        cmocka_unit_test(test_zero_gradient),           cmocka_unit_test(test_tiny_lr_group),
        cmocka_unit_test(test_every_rule_descends),     cmocka_unit_test(test_momentum_beats_gd),
        cmocka_unit_test(test_gd_divergence_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
