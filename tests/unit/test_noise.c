/* test_noise.c - ds_fn2d_noisy: the value is the base's, the gradient the
 * base's plus seeded noise that is a pure function of (seed, point), with
 * mean 0 and standard deviation sigma per component over many points;
 * sigma 0 adds nothing; bad sigmas are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/functions.h"

#include <math.h>
#include <string.h>

static void test_value_kept_gradient_perturbed(void **state)
{
    (void)state;
    const ds_fn2d *base = ds_fn2d_find("rosenbrock");
    ds_fn2d *n = NULL, *again = NULL, *other = NULL, *zero = NULL;
    assert_int_equal(ds_fn2d_noisy(base, 0.5, 7, &n), DS_OK);
    assert_int_equal(ds_fn2d_noisy(base, 0.5, 7, &again), DS_OK);
    assert_int_equal(ds_fn2d_noisy(base, 0.5, 8, &other), DS_OK);
    assert_int_equal(ds_fn2d_noisy(base, 0.0, 7, &zero), DS_OK);
    assert_string_equal(n->name, "rosenbrock");
    double g[2], h[2], k[2], z[2], b[2];
    for (int i = 0; i < 20; i++) {
        double x = -1.5 + 0.13 * i, y = 2 - 0.07 * i;
        double v = n->eval(n, x, y, g);
        assert_true(v == base->eval(base, x, y, b));
        assert_true(n->eval(n, x, y, NULL) == v);
        again->eval(again, x, y, h);
        other->eval(other, x, y, k);
        zero->eval(zero, x, y, z);
        assert_memory_equal(g, h, sizeof g); /* the same seed, the same noise */
        assert_true(g[0] != k[0] && g[1] != k[1]);
        assert_true(g[0] != b[0] && g[1] != b[1]);
        assert_memory_equal(z, b, sizeof z);
    }
    ds_fn2d_free(n);
    ds_fn2d_free(again);
    ds_fn2d_free(other);
    ds_fn2d_free(zero);
}

/* Over 20000 points: mean within 4 standard errors of 0, sd within 3%. */
static void test_noise_statistics(void **state)
{
    (void)state;
    const ds_fn2d *base = ds_fn2d_find("saddle");
    ds_fn2d *n = NULL;
    const double sigma = 0.5;
    assert_int_equal(ds_fn2d_noisy(base, sigma, 1, &n), DS_OK);
    double sum[2] = {0, 0}, sq[2] = {0, 0};
    const int N = 20000;
    for (int i = 0; i < N; i++) {
        double x = 0.001 * i, y = -0.0007 * i, g[2], b[2];
        n->eval(n, x, y, g);
        base->eval(base, x, y, b);
        for (int c = 0; c < 2; c++) {
            double e = g[c] - b[c];
            assert_true(fabs(e) <= 6 * sigma + 1e-9);
            sum[c] += e;
            sq[c] += e * e;
        }
    }
    for (int c = 0; c < 2; c++) {
        double mean = sum[c] / N, sd = sqrt(sq[c] / N - mean * mean);
        assert_true(fabs(mean) < 4 * sigma / sqrt(N));
        assert_true(fabs(sd - sigma) < 0.03 * sigma);
    }
    ds_fn2d_free(n);
}

static void test_bad_sigma(void **state)
{
    (void)state;
    ds_fn2d *n = (ds_fn2d *)0x1;
    const ds_fn2d *base = ds_fn2d_find("quadratic");
    assert_int_equal(ds_fn2d_noisy(base, -1, 0, &n), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "noise must be a finite number >= 0 (got -1)"));
    assert_int_equal(ds_fn2d_noisy(base, NAN, 0, &n), DS_ERR_INVALID);
    assert_int_equal(ds_fn2d_noisy(base, INFINITY, 0, &n), DS_ERR_INVALID);
    assert_int_equal(ds_fn2d_noisy(NULL, 1, 0, &n), DS_ERR_INVALID);
    assert_ptr_equal(n, (ds_fn2d *)0x1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_kept_gradient_perturbed),
        cmocka_unit_test(test_noise_statistics),
        cmocka_unit_test(test_bad_sigma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
