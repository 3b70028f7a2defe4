/* test_ewma.c - exponentially weighted averages (Ng, lecture 8): the bias
 * correction, the 1/(1 - beta) memory, and the array form against the
 * scalar form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/ewma.h"

#include <math.h>

/* Corrected average of a constant is that constant from the first update on
 * (uncorrected it starts at (1 - beta) c and creeps up). */
static void test_bias_correction_of_constant(void **state)
{
    (void)state;
    const double betas[3] = {0.5, 0.9, 0.98};
    for (int b = 0; b < 3; b++) {
        ds_ewma e = ds_ewma_init(betas[b]);
        assert_true(ds_ewma_corrected(&e) == 0.0);
        for (int t = 1; t <= 200; t++) {
            ds_ewma_update(&e, 25.0);
            assert_true(fabs(ds_ewma_corrected(&e) - 25.0) <= 1e-12 * 25.0);
            assert_true(fabs(ds_ewma_value(&e) - 25.0 * (1.0 - pow(betas[b], t))) <= 1e-12);
        }
        assert_int_equal(e.t, 200);
    }
}

/* The definition, step by step, against a hand-written recurrence. */
static void test_recurrence(void **state)
{
    (void)state;
    const double theta[5] = {3.0, -1.0, 4.0, 1.5, -9.0};
    ds_ewma e = ds_ewma_init(0.9);
    double v = 0.0;
    for (int t = 0; t < 5; t++) {
        v = 0.9 * v + 0.1 * theta[t];
        assert_true(fabs(ds_ewma_update(&e, theta[t]) - v) <= 1e-15);
        assert_true(fabs(ds_ewma_corrected(&e) - v / (1.0 - pow(0.9, t + 1))) <= 1e-14);
    }
}

/* "Covers about 1/(1 - beta) points": after a step from 0 to 1, the
 * average needs about 1/(1 - beta) updates to reach 1 - 1/e (beta^(1/(1-beta))
 * ~ 1/e), and a value 1/(1-beta) steps back carries weight ~ 1/e of the newest. */
static void test_memory_is_one_over_one_minus_beta(void **state)
{
    (void)state;
    const double betas[3] = {0.9, 0.98, 0.5};
    for (int b = 0; b < 3; b++) {
        double beta = betas[b];
        int n = (int)lround(1.0 / (1.0 - beta));
        ds_ewma e = ds_ewma_init(beta);
        int reached = 0;
        for (int t = 1; t <= 10 * n && !reached; t++)
            if (ds_ewma_update(&e, 1.0) >= 1.0 - exp(-1.0)) reached = t;
        /* beta^n vs e^-1: within one step of n for these betas */
        assert_true(reached >= n - 1 && reached <= n + 1);
    }
}

static void test_array_equals_scalar(void **state)
{
    (void)state;
    enum { N = 7, T = 30 };
    float avg[N] = {0}, out[N], x[N];
    ds_ewma e[N];
    for (int i = 0; i < N; i++)
        e[i] = ds_ewma_init(0.95);
    for (int t = 1; t <= T; t++) {
        for (int i = 0; i < N; i++)
            x[i] = (float)sin(0.3 * t + i) * (float)(i + 1);
        ds_ewma_update_array(avg, x, N, 0.95);
        ds_ewma_correct_array(out, avg, N, 0.95, t);
        for (int i = 0; i < N; i++) {
            ds_ewma_update(&e[i], x[i]);
            assert_true(fabs(avg[i] - ds_ewma_value(&e[i])) <= 1e-5 * (i + 1));
            assert_true(fabs(out[i] - ds_ewma_corrected(&e[i])) <= 1e-5 * (i + 1));
        }
    }
    /* t = 0 copies; out may alias avg */
    ds_ewma_correct_array(out, avg, N, 0.95, 0);
    assert_memory_equal(out, avg, sizeof avg);
    float before = avg[2];
    ds_ewma_correct_array(avg, avg, N, 0.95, 1);
    assert_true(fabs(avg[2] - before / 0.05f) <= 1e-5 * fabs(before / 0.05f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bias_correction_of_constant),
        cmocka_unit_test(test_recurrence),
        cmocka_unit_test(test_memory_is_one_over_one_minus_beta),
        cmocka_unit_test(test_array_equals_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
