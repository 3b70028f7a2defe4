/* test_report.c - the lecture report's library parts: Reddi et al.'s
 * counterexample (Adam drifts to the wrong end, AMSGrad does not; the
 * projection holds x in [-1, 1]; callback-only rules are refused), the
 * learning-rate search (fine grid, ranking, diverged trials, a real search
 * on blobs whose best rate lies inside the sweep), the neuron-over-data
 * objective against central differences (genann's check, with a guard
 * against an all-zero gradient), and the page's structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "report/report.h"
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

static ds_opt_params reddi_adam(int amsgrad)
{
    ds_opt_params p = ds_opt_default_params(DS_OPT_ADAM);
    p.lr = 0.01, p.adam.beta1 = 0, p.adam.beta2 = 1.0 / (1.0 + 101.0 * 101.0);
    p.adam.amsgrad = amsgrad;
    return p;
}

static void test_reddi_adam_wrong_end(void **state)
{
    (void)state;
    ds_opt_params adam = reddi_adam(0), ams = reddi_adam(1);
    double xs[3000], xa, xm;
    assert_int_equal(app_reddi_run(&adam, 0, 3000, xs, &xa), DS_OK);
    assert_true(xa > 0.99); /* the wrong end: the optimum is -1 */
    for (int t = 0; t < 3000; t++)
        assert_true(xs[t] >= -1 && xs[t] <= 1);
    assert_int_equal(app_reddi_run(&ams, 0, 3000, NULL, &xm), DS_OK);
    assert_true(xm < -0.99);
}

static void test_reddi_first_steps(void **state)
{
    (void)state;
    /* Plain GD by hand: x1 = 0 - 0.001 * 1010 = -1.01 -> projected to -1;
     * x2 = -1 + 0.001 * 10 = -0.99. */
    ds_opt_params gd = ds_opt_default_params(DS_OPT_SGD);
    gd.lr = 0.001;
    double xs[2], x;
    assert_int_equal(app_reddi_run(&gd, 0, 2, xs, &x), DS_OK);
    assert_float_equal(xs[0], -1.0, 1e-7);
    assert_float_equal(xs[1], -0.99, 1e-6);
    assert_float_equal(x, xs[1], 0);
}

static void test_reddi_rejects_callback_rules(void **state)
{
    (void)state;
    ds_opt_params nag;
    assert_int_equal(ds_opt_parse("nag", &nag), DS_OK);
    double x = 42;
    assert_int_equal(app_reddi_run(&nag, 0, 5, NULL, &x), DS_ERR_UNSUPPORTED);
}

static void test_tune_fine_and_best(void **state)
{
    (void)state;
    double f[APP_TUNE_FINE];
    assert_int_equal(app_tune_fine_lrs(0.1, f), 3);
    assert_float_equal(f[0], 0.05, 1e-15);
    assert_float_equal(f[1], 0.2, 1e-15);
    assert_float_equal(f[2], 0.3, 1e-15);
    app_tune_trial t[4] = {
        {.lr = 1e-3, .train_loss = 2, .val_loss = 1.5},
        {.lr = 1e-2, .train_loss = 0.5, .val_loss = 0.9},
        {.lr = 1e-1, .train_loss = 0.1, .val_loss = 1.2}, /* best train, not best val */
        {.lr = 1, .train_loss = INFINITY, .val_loss = INFINITY, .diverged = 1},
    };
    assert_int_equal(app_tune_best(t, 4), 1);
    for (int i = 0; i < 4; i++)
        t[i].val_loss = NAN; /* no validation: ranked by train loss */
    assert_int_equal(app_tune_best(t, 4), 2);
    assert_int_equal(app_tune_best(t + 3, 1), -1);
}

static void test_tune_search_on_blobs(void **state)
{
    (void)state;
    ds_data d = {0};
    assert_int_equal(ds_data_load("blobs:n=600,features=4,classes=3,spread=2", 1, &d), DS_OK);
    ds_dataset *tr = NULL, *va = NULL;
    assert_int_equal(ds_dataset_split(d.train, 0.25, 1, &tr, &va), DS_OK);
    app_tune_setup s = {.model_spec = "mlp:4-3", .mp = ds_model_default_params()};
    s.opt = ds_opt_default_params(DS_OPT_SGD);
    s.tp = ds_train_default_params();
    s.tp.epochs = 2, s.tp.batch = 16, s.tp.threads = 1;
    s.train = tr, s.val = va;
    static const double lrs[] = {1e-5, 1e-2, 1e3}; /* too small, fine, far too large */
    app_tune_trial t[3 + APP_TUNE_FINE];
    int n = 0;
    assert_int_equal(app_tune_search(&s, lrs, 3, 1, t, &n), DS_OK);
    assert_int_equal(n, 3 + APP_TUNE_FINE);
    int best = app_tune_best(t, n);
    assert_true(best >= 0);
    assert_true(t[best].lr > 1e-5 && t[best].lr < 1e3);
    assert_true(t[best].val_loss < t[0].val_loss);
    assert_true(t[2].diverged || t[2].val_loss > t[best].val_loss);
    assert_float_equal(t[3].lr, t[app_tune_best(t, 3)].lr / 2, 1e-15);
    /* the same seed gives the same trial, bit for bit */
    app_tune_trial again;
    assert_int_equal(app_tune_trial_run(&s, t[1].lr, &again), DS_OK);
    assert_memory_equal(&again.val_loss, &t[1].val_loss, sizeof(double));
    assert_int_equal(app_tune_trial_run(&s, -1, &again), DS_ERR_INVALID);
    ds_strbuf b = {0};
    ds_plot_opts po = ds_plot_default_opts();
    assert_int_equal(app_tune_plot(&b, t, n, 3, &po), DS_OK);
    assert_non_null(strstr(b.data, "finer search"));
    ds_strbuf_free(&b);
    ds_dataset_free(tr);
    ds_dataset_free(va);
    ds_data_free(&d);
}

static void test_neuron_fn_gradient(void **state)
{
    (void)state;
    ds_dataset *d = NULL;
    assert_int_equal(ds_gen_sparse(30, 1, 0.5, 4, &d), DS_OK);
    static const double win[4] = {-4, 4, -4, 4}, truth[2] = {2, -1};
    const ds_fn2d fn = app_neuron_fn(d, win, truth), *f = &fn;
    assert_true(f->eval(f, 2, -1, NULL) < 1e-10); /* the generator's neuron fits exactly */
    static const double pts[][2] = {{-2, -2}, {0.5, 1}, {3, -3}};
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        double g[2], h = 1e-6, norm = 0;
        f->eval(f, pts[k][0], pts[k][1], g);
        for (int c = 0; c < 2; c++) {
            double p[2] = {pts[k][0], pts[k][1]}, m[2] = {pts[k][0], pts[k][1]};
            p[c] += h, m[c] -= h;
            double num = (f->eval(f, p[0], p[1], NULL) - f->eval(f, m[0], m[1], NULL)) / (2 * h);
            assert_float_equal(g[c], num, 1e-6 * fmax(1, fabs(num)));
            norm += fabs(g[c]);
        }
        assert_true(norm > 1e-6); /* not a vacuous all-zero gradient */
    }
    ds_dataset_free(d);
}

static void test_page_structure(void **state)
{
    (void)state;
    assert_int_equal(app_report_section_count(), 11);
    assert_non_null(strstr(app_report_section_title(0), "neuron"));
    assert_null(app_report_section_title(11));
    app_report_params p = app_report_default_params();
    p.tune_data = "blobs:n=300,features=4,classes=3";
    ds_strbuf b = {0};
    assert_int_equal(app_report_lectures(&b, &p), DS_OK);
    assert_non_null(strstr(b.data, "<!DOCTYPE html>"));
    assert_non_null(strstr(b.data, "</html>"));
    int sections = 0, figures = 0;
    for (const char *s = b.data; (s = strstr(s, "<section ")); s++)
        sections++;
    for (const char *s = b.data; (s = strstr(s, "<figcaption>")); s++)
        figures++;
    assert_int_equal(sections, 11);
    assert_true(figures >= 26);
    assert_null(strstr(b.data, "<script"));
    ds_strbuf_free(&b);
    p.tune_data = "nosuchdata";
    assert_int_not_equal(app_report_lectures(&b, &p), DS_OK);
    ds_strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reddi_adam_wrong_end),
        cmocka_unit_test(test_reddi_first_steps),
        cmocka_unit_test(test_reddi_rejects_callback_rules),
        cmocka_unit_test(test_tune_fine_and_best),
        cmocka_unit_test(test_tune_search_on_blobs),
        cmocka_unit_test(test_neuron_fn_gradient),
        cmocka_unit_test(test_page_structure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
