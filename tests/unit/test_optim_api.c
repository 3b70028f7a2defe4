/* test_optim_api.c - the optimizer handle: resume from named state (bit for
 * bit), reset, state lookup errors, entry points, failing objectives,
 * gradient clipping (torch clip_grad_norm_ semantics, NaN norms), learning
 * rate control and the Sutskever momentum schedule. */
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

static const char *const specs[] = {
    "sgd:lr=0.1,momentum=0.9,dampening=0.1,weight_decay=0.01",
    "sgd:lr=0.1,momentum=0.9,momentum_schedule=sutskever",
    "nag:lr=0.1,momentum=0.9",
    "adagrad:lr=0.1,lr_decay=0.1,initial_accumulator_value=0.1",
    "rmsprop:lr=0.01,alpha=0.9,momentum=0.5,centered=1",
    "rmsprop_nesterov:lr=0.05,alpha=0.9,momentum=0.5",
    "adam:lr=0.1,amsgrad=1",
    "adamw:lr=0.1",
    "adamax:lr=0.1",
    "nadam:lr=0.1",
    "radam:lr=0.1",
    "adadelta:lr=1",
    "lion:lr=0.1,weight_decay=0.1",
    "linesearch:lrs=0.1/0.5/1",
};
#define NSPECS (sizeof specs / sizeof specs[0])
#define N      6

typedef struct run {
    float x[N], g[N];
    int k, fail_at; /* the objective fails on its fail_at-th call (0: never) */
    int calls;
} run;

/* f_k(x) = sum 0.5 (i + 1) x_i^2 + (i - 2) (1 + k / 4) x_i */
static ds_status objective(void *ctx, int need_grad, double *loss)
{
    run *r = ctx;
    if (++r->calls == r->fail_at) return DS_ERR_IO;
    double l = 0;
    for (int i = 0; i < N; i++) {
        double b = (i - 2) * (1 + r->k / 4.0);
        l += 0.5 * (i + 1) * r->x[i] * r->x[i] + b * r->x[i];
        if (need_grad) r->g[i] = (float)((i + 1) * r->x[i] + b);
    }
    *loss = l;
    return DS_OK;
}

static ds_optim *make(const char *spec, run *r, int ngroups)
{
    ds_opt_params p;
    assert_int_equal(ds_opt_parse(spec, &p), DS_OK);
    for (int i = 0; i < N; i++)
        r->x[i] = 0.3f * (float)i - 0.8f;
    ds_param_group groups[2] = {{r->x, r->g, 4, NULL}, {r->x + 4, r->g + 4, N - 4, NULL}};
    if (ngroups == 1) groups[0].n = N;
    ds_optim *opt = ds_optim_init(&p, groups, ngroups);
    assert_non_null(opt);
    return opt;
}

static void steps(ds_optim *opt, run *r, int from, int count)
{
    for (r->k = from; r->k < from + count; r->k++)
        assert_int_equal(ds_optim_step_fn(opt, objective, r, NULL), DS_OK);
}

/* Every entry's bytes, in entry order, into one buffer. */
static size_t snapshot(const ds_optim *opt, unsigned char *out)
{
    size_t at = 0;
    for (size_t e = 0; e < ds_optim_state_count(opt); e++) {
        const ds_state_info *in = ds_optim_state_info(opt, e);
        size_t sz = in->type == DS_STATE_F32 ? 4 : 8;
        assert_int_equal(ds_optim_state_get(opt, in->name, in->type, out + at, in->count), DS_OK);
        at += sz * in->count;
    }
    return at;
}

/* Loads another optimizer's entries by name (not by position). */
static void restore(ds_optim *dst, const ds_optim *src)
{
    unsigned char buf[8 * 64];
    for (size_t e = ds_optim_state_count(src); e-- > 0;) {
        const ds_state_info *in = ds_optim_state_info(src, e);
        assert_int_equal(ds_optim_state_get(src, in->name, in->type, buf, in->count), DS_OK);
        assert_int_equal(ds_optim_state_set(dst, in->name, in->type, buf, in->count), DS_OK);
    }
}

static void test_resume_bitwise(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSPECS; s++) {
        run a = {0}, b = {0}, c = {0};
        ds_optim *full = make(specs[s], &a, 2), *first = make(specs[s], &b, 2);
        steps(full, &a, 0, 5);
        steps(first, &b, 0, 3);
        ds_optim *resumed = make(specs[s], &c, 2);
        memcpy(c.x, b.x, sizeof c.x);
        restore(resumed, first);
        steps(resumed, &c, 3, 2);
        unsigned char sa[4096], sc[4096];
        size_t na = snapshot(full, sa), nc = snapshot(resumed, sc);
        if (memcmp(a.x, c.x, sizeof a.x)) fail_msg("%s: resumed x differs", specs[s]);
        if (na != nc || memcmp(sa, sc, na)) fail_msg("%s: resumed state differs", specs[s]);
        assert_int_equal(ds_optim_steps(resumed, 0), 5);
        ds_optim_free(full), ds_optim_free(first), ds_optim_free(resumed);
    }
}

static void test_reset_restores_initial_state(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSPECS; s++) {
        run a = {0}, b = {0};
        ds_optim *used = make(specs[s], &a, 2), *fresh = make(specs[s], &b, 2);
        unsigned char s0[4096], s1[4096];
        size_t n0 = snapshot(fresh, s0);
        ds_optim_set_lr(used, 1, 0.001);
        steps(used, &a, 0, 3);
        ds_optim_reset(used);
        size_t n1 = snapshot(used, s1);
        if (n0 != n1 || memcmp(s0, s1, n0)) fail_msg("%s: reset left state behind", specs[s]);
        assert_true(ds_optim_lr(used, 1) == ds_optim_group_params(used, 1)->lr);
        ds_optim_free(used), ds_optim_free(fresh);
    }
}

static void test_state_lookup_errors(void **state)
{
    (void)state;
    run r = {0};
    ds_optim *opt = make("adam:lr=0.1", &r, 2);
    float buf[N];
    int64_t t;
    assert_int_equal(ds_optim_state_get(opt, "g0.exp_avg", DS_STATE_F32, buf, 4), DS_OK);
    assert_int_equal(ds_optim_state_get(opt, "g0.exp_avgg", DS_STATE_F32, buf, 4),
                     DS_ERR_NOT_FOUND);
    assert_non_null(strstr(ds_last_error(), "g0.exp_avgg"));
    assert_int_equal(ds_optim_state_get(opt, "g2.exp_avg", DS_STATE_F32, buf, 4), DS_ERR_NOT_FOUND);
    assert_int_equal(ds_optim_state_get(opt, "g0.exp_avg", DS_STATE_F32, buf, 3), DS_ERR_MISMATCH);
    assert_int_equal(ds_optim_state_get(opt, "g0.exp_avg", DS_STATE_F64, buf, 2), DS_ERR_MISMATCH);
    assert_int_equal(ds_optim_state_set(opt, "g1.step", DS_STATE_F32, buf, 1), DS_ERR_MISMATCH);
    assert_int_equal(ds_optim_state_get(opt, "g1.step", DS_STATE_I64, &t, 1), DS_OK);
    assert_int_equal(t, 0);
    assert_null(ds_optim_state_info(opt, ds_optim_state_count(opt)));
    ds_optim_free(opt);
}

/* Rules that evaluate the objective refuse the plain entry point, unchanged. */
static void test_step_needs_objective(void **state)
{
    (void)state;
    const char *const need[] = {"nag", "rmsprop_nesterov", "linesearch"};
    for (int s = 0; s < 3; s++) {
        run r = {0};
        ds_optim *opt = make(need[s], &r, 1);
        float before[N];
        memcpy(before, r.x, sizeof before);
        for (int i = 0; i < N; i++)
            r.g[i] = 1.0f;
        assert_int_equal(ds_optim_step(opt), DS_ERR_UNSUPPORTED);
        assert_non_null(strstr(ds_last_error(), "ds_optim_step_fn"));
        assert_memory_equal(before, r.x, sizeof before);
        assert_int_equal(ds_optim_steps(opt, 0), 0);
        ds_optim_free(opt);
    }
}

/* A failing objective (at the first or a later evaluation) leaves the
 * parameters and step counters as they were. */
static void test_objective_failure_restores(void **state)
{
    (void)state;
    for (size_t s = 0; s < NSPECS; s++) {
        for (int fail_at = 1; fail_at <= 3; fail_at++) {
            run r = {0};
            ds_optim *opt = make(specs[s], &r, 2);
            steps(opt, &r, 0, 1);
            float before[N];
            memcpy(before, r.x, sizeof before);
            r.calls = 0, r.fail_at = fail_at;
            ds_status st = ds_optim_step_fn(opt, objective, &r, NULL);
            if (r.calls >= fail_at) {
                assert_int_equal(st, DS_ERR_IO);
                if (memcmp(before, r.x, sizeof before))
                    fail_msg("%s: failed step (call %d) moved x", specs[s], fail_at);
                assert_int_equal(ds_optim_steps(opt, 0), 1);
            }
            ds_optim_free(opt);
        }
    }
}

static void test_loss_reported_at_gradient_point(void **state)
{
    (void)state;
    run r = {0};
    ds_optim *opt = make("nag:lr=0.1,momentum=0.9", &r, 1);
    steps(opt, &r, 0, 2);
    /* the look-ahead point x - gamma u, recomputed here from the state */
    float u[N], look[N];
    assert_int_equal(ds_optim_state_get(opt, "g0.velocity", DS_STATE_F32, u, N), DS_OK);
    for (int i = 0; i < N; i++)
        look[i] = r.x[i] - 0.9f * u[i];
    run probe = r;
    memcpy(probe.x, look, sizeof look);
    probe.k = 2;
    double want, got;
    objective(&probe, 0, &want);
    r.k = 2;
    assert_int_equal(ds_optim_step_fn(opt, objective, &r, &got), DS_OK);
    assert_true(fabs(got - want) <= 1e-12 * fmax(1, fabs(want)));
    ds_optim_free(opt);
}

/* clip_norm: global L2 norm over both groups, coef = C / (norm + 1e-6). */
static void test_clip_norm_global(void **state)
{
    (void)state;
    ds_opt_params p = ds_opt_default_params(DS_OPT_SGD);
    p.lr = 1.0, p.clip_norm = 1.0;
    float x[4] = {0}, g[4] = {3, 0, 0, 4}; /* norm 5 across the two groups */
    ds_param_group groups[2] = {{x, g, 2, NULL}, {x + 2, g + 2, 2, NULL}};
    ds_optim *opt = ds_optim_init(&p, groups, 2);
    assert_int_equal(ds_optim_step(opt), DS_OK);
    const double coef = 1.0 / (5.0 + 1e-6);
    assert_true(fabs(x[0] + 3 * coef) < 1e-6 && fabs(x[3] + 4 * coef) < 1e-6);
    /* below the threshold nothing is scaled */
    g[0] = 0.3f, g[1] = 0, g[2] = 0, g[3] = 0.4f;
    assert_int_equal(ds_optim_step(opt), DS_OK);
    assert_true(g[0] == 0.3f && g[3] == 0.4f);
    ds_optim_free(opt);
}

static void test_clip_norm_nonfinite(void **state)
{
    (void)state;
    const float bad[] = {NAN, INFINITY};
    for (int b = 0; b < 2; b++) {
        ds_opt_params p = ds_opt_default_params(DS_OPT_ADAM);
        p.clip_norm = 1.0;
        float x[3] = {1, 2, 3}, g[3] = {0.5f, bad[b], 0.5f};
        ds_param_group grp = {x, g, 3, NULL};
        ds_optim *opt = ds_optim_init(&p, &grp, 1);
        assert_int_equal(ds_optim_step(opt), DS_ERR_NONFINITE);
        assert_non_null(strstr(ds_last_error(), "not finite"));
        assert_true(x[0] == 1 && x[1] == 2 && x[2] == 3 && g[0] == 0.5f);
        assert_int_equal(ds_optim_steps(opt, 0), 0);
        ds_optim_free(opt);
    }
}

static void test_set_lr(void **state)
{
    (void)state;
    ds_opt_params p = ds_opt_default_params(DS_OPT_SGD);
    p.lr = 0.5;
    float x = 1, g = 2;
    ds_param_group grp = {&x, &g, 1, NULL};
    ds_optim *opt = ds_optim_init(&p, &grp, 1);
    assert_true(ds_optim_lr(opt, 0) == 0.5);
    assert_int_equal(ds_optim_set_lr(opt, 0, 0.25), DS_OK);
    assert_int_equal(ds_optim_step(opt), DS_OK);
    assert_true(x == 0.5f); /* 1 - 0.25 * 2 */
    assert_int_equal(ds_optim_set_lr(opt, 0, -1), DS_ERR_INVALID);
    assert_int_equal(ds_optim_set_lr(opt, 1, 0.1), DS_ERR_INVALID);
    assert_int_equal(ds_optim_set_frozen(opt, 3, 1), DS_ERR_INVALID);
    assert_true(ds_optim_lr(opt, 0) == 0.25);
    ds_optim_free(opt);
}

static void test_init_rejects_bad_groups(void **state)
{
    (void)state;
    ds_opt_params p = ds_opt_default_params(DS_OPT_ADAM), q = ds_opt_default_params(DS_OPT_SGD);
    float x[2], g[2];
    ds_param_group grp = {x, g, 2, &q};
    assert_null(ds_optim_init(&p, &grp, 1));
    assert_non_null(strstr(ds_last_error(), "sgd"));
    grp.params = NULL, grp.g = NULL;
    assert_null(ds_optim_init(&p, &grp, 1));
    assert_null(ds_optim_init(&p, &grp, 0));
    p.adam.beta1 = 1.0;
    grp.g = g;
    assert_null(ds_optim_init(&p, &grp, 1));
    assert_non_null(strstr(ds_last_error(), "beta1"));
}

/* gamma_t = min(1 - 2^(-1 - log2(floor(t / 250) + 1)), gamma_max) */
static void test_sutskever_schedule(void **state)
{
    (void)state;
    const int64_t ts[] = {0, 1, 249, 250, 499, 500, 999, 1000, 100000};
    const double maxes[] = {0.999, 0.99, 0.9, 0.0};
    for (int m = 0; m < 4; m++)
        for (int i = 0; i < 9; i++) {
            double want = 1 - pow(2, -1 - log2(floor((double)ts[i] / 250) + 1));
            want = fmin(want, maxes[m]);
            double got = ds_momentum_at(maxes[m], DS_MOMENTUM_SUTSKEVER, ts[i]);
            assert_true(fabs(got - want) < 1e-15);
            assert_true(ds_momentum_at(maxes[m], DS_MOMENTUM_CONSTANT, ts[i]) == maxes[m]);
        }
}

/* x read + written, g read, each state buffer read + written; 4 bytes each. */
static void test_bytes_per_param(void **state)
{
    (void)state;
    ds_opt_params p = ds_opt_default_params(DS_OPT_SGD);
    assert_int_equal(ds_opt_bytes_per_param(&p), 4 * 3);
    p.sgd.momentum = 0.9;
    assert_int_equal(ds_opt_bytes_per_param(&p), 4 * 5);
    p = ds_opt_default_params(DS_OPT_ADAM);
    assert_int_equal(ds_opt_bytes_per_param(&p), 4 * 7);
    p.adam.amsgrad = 1;
    assert_int_equal(ds_opt_bytes_per_param(&p), 4 * 9);
    /* look-ahead: a second pass reads x and the velocity, writes x0 and x */
    p = ds_opt_default_params(DS_OPT_NAG);
    assert_int_equal(ds_opt_bytes_per_param(&p), 4 * (5 + 4));
    p = ds_opt_default_params(DS_OPT_RMSPROP_NESTEROV);
    assert_int_equal(ds_opt_bytes_per_param(&p), 4 * (7 + 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_bitwise),
        cmocka_unit_test(test_reset_restores_initial_state),
        cmocka_unit_test(test_state_lookup_errors),
        cmocka_unit_test(test_step_needs_objective),
        cmocka_unit_test(test_objective_failure_restores),
        cmocka_unit_test(test_loss_reported_at_gradient_point),
        cmocka_unit_test(test_clip_norm_global),
        cmocka_unit_test(test_clip_norm_nonfinite),
        cmocka_unit_test(test_set_lr),
        cmocka_unit_test(test_init_rejects_bad_groups),
        cmocka_unit_test(test_sutskever_schedule),
        cmocka_unit_test(test_bytes_per_param),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
