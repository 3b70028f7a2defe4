/* test_compute.c - the compute layer (src/models/compute.h) of the backend
 * this build has, against naive triple loops in double: every product on
 * odd shapes (1x1x1, 7x13x5, ...), with and without accumulation, each
 * activation with and without bias; a cache of kernels that reuses a shape
 * on new buffers and survives more shapes than it has slots; bf16 within
 * bf16's rounding where the backend and CPU offer it, refused otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "models/compute.h"
#include "models/model_internal.h"
#include "test_act.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct shape {
    size_t m, k, n;
} shape;

static const shape shapes[] = {{1, 1, 1}, {7, 13, 5}, {3, 2, 17}, {33, 70, 9}};
static const int acts[] = {DS__ACT_IDENTITY, DS_ACT_RELU, DS_ACT_SIGMOID, DS_ACT_TANH};

/* Values of both signs in [-1, 1), different for each seed. */
static float *filled(size_t n, unsigned seed)
{
    float *a = malloc((n ? n : 1) * sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < n; i++)
        a[i] = (float)((double)((i * 7919u + seed * 104729u) % 2003u) / 1001.5 - 1.0);
    return a;
}

/* got and want agree to tol relative to the size of the values. */
static void assert_close(const float *got, const double *want, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol * (1.0 + fabs(want[i]))))
            fail_msg("element %zu: got %.9g, want %.9g", i, got[i], want[i]);
}

/* sum_p a[i, p] b[p, j] with a, b given by strides. */
static double dot(const float *a, size_t ai, size_t ap, const float *b, size_t bp, size_t bj,
                  size_t len)
{
    double s = 0;
    for (size_t p = 0; p < len; p++)
        s += (double)a[p * ap + ai] * b[p * bp + bj];
    return s;
}

static void check_forward(ds__compute *c, shape s, int act, int bias, int acc, double tol)
{
    float *x = filled(s.m * s.k, 1), *w = filled(s.n * s.k, 2), *b = filled(s.n, 3);
    float *y = filled(s.m * s.n, 4);
    double *want = malloc(s.m * s.n * sizeof *want);
    for (size_t i = 0; i < s.m; i++)
        for (size_t j = 0; j < s.n; j++) {
            double z = dot(x + i * s.k, 0, 1, w + j * s.k, 1, 0, s.k) + (bias ? b[j] : 0);
            want[i * s.n + j] = ref_act(z + (acc ? y[i * s.n + j] : 0), act);
        }
    assert_int_equal(ds__compute_forward(c, x, w, bias ? b : NULL, y, s.m, s.k, s.n, act,
                                         acc ? DS__COMPUTE_ACC : 0),
                     DS_OK);
    assert_close(y, want, s.m * s.n, tol);
    free(x), free(w), free(b), free(y), free(want);
}

static void check_weight_grad(ds__compute *c, shape s, int acc, double tol)
{
    float *x = filled(s.m * s.k, 5), *dy = filled(s.m * s.n, 6), *dw = filled(s.n * s.k, 7);
    float *db = filled(s.n, 8);
    double *want = malloc((s.n * s.k + s.n) * sizeof *want), *wantb = want + s.n * s.k;
    for (size_t j = 0; j < s.n; j++) {
        for (size_t p = 0; p < s.k; p++)
            want[j * s.k + p] = dot(dy, j, s.n, x, s.k, p, s.m) + (acc ? dw[j * s.k + p] : 0);
        double sum = acc ? db[j] : 0;
        for (size_t i = 0; i < s.m; i++)
            sum += dy[i * s.n + j];
        wantb[j] = sum;
    }
    assert_int_equal(
        ds__compute_weight_grad(c, x, dy, dw, db, s.m, s.k, s.n, acc ? DS__COMPUTE_ACC : 0), DS_OK);
    assert_close(dw, want, s.n * s.k, tol);
    assert_close(db, wantb, s.n, 1e-6); /* summed in double by both backends */
    free(x), free(dy), free(dw), free(db), free(want);
}

static void check_input_grad(ds__compute *c, shape s, int acc, double tol)
{
    float *dy = filled(s.m * s.n, 9), *w = filled(s.n * s.k, 10), *dx = filled(s.m * s.k, 11);
    double *want = malloc(s.m * s.k * sizeof *want);
    for (size_t i = 0; i < s.m; i++)
        for (size_t p = 0; p < s.k; p++)
            want[i * s.k + p] =
                dot(dy + i * s.n, 0, 1, w, s.k, p, s.n) + (acc ? dx[i * s.k + p] : 0);
    assert_int_equal(ds__compute_input_grad(c, dy, w, dx, s.m, s.k, s.n, acc ? DS__COMPUTE_ACC : 0),
                     DS_OK);
    assert_close(dx, want, s.m * s.k, tol);
    free(dy), free(w), free(dx), free(want);
}

/* Every product, shape, activation and flag at tolerance tol. */
static void check_all(ds__compute *c, double tol)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int acc = 0; acc <= 1; acc++) {
            for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
                for (int bias = 0; bias <= 1; bias++)
                    check_forward(c, shapes[i], acts[a], bias, acc, tol);
            check_weight_grad(c, shapes[i], acc, tol);
            check_input_grad(c, shapes[i], acc, tol);
        }
}

static void test_products(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        ds__compute *c = ds__compute_new(threads);
        assert_non_null(c);
        assert_int_equal(ds__compute_precision(c), DS__PREC_FP32);
        check_all(c, 1e-5);
        check_all(c, 1e-5); /* the second time from the cache, on new buffers */
        ds__compute_free(c);
    }
}

/* More shapes than the cache has slots, then the first shapes again. */
static void test_many_shapes(void **state)
{
    (void)state;
    ds__compute *c = ds__compute_new(1);
    assert_non_null(c);
    for (int round = 0; round < 2; round++)
        for (size_t m = 1; m <= 80; m++)
            check_forward(c, (shape){m, 3, 2}, DS_ACT_RELU, 1, 0, 1e-5);
    ds__compute_free(c);
}

/* bf16 where offered: products within bf16's rounding (8 bits, so about
 * 1e-2 relative on sums of a dozen terms); refused without a change of
 * precision otherwise. */
static void test_bf16(void **state)
{
    (void)state;
    ds__compute *c = ds__compute_new(1);
    assert_non_null(c);
    ds_status st = ds__compute_set_precision(c, DS__PREC_BF16);
    if (st == DS_OK) {
        assert_int_equal(ds__compute_precision(c), DS__PREC_BF16);
        check_all(c, 3e-2);
    } else {
        assert_int_equal(st, DS_ERR_UNSUPPORTED);
        assert_int_equal(ds__compute_precision(c), DS__PREC_FP32);
        assert_non_null(strstr(ds_last_error(), "bf16"));
    }
    assert_int_equal(ds__compute_set_precision(c, DS__PREC_FP32), DS_OK);
    check_all(c, 1e-5);
    ds__compute_free(c);
}

static void test_describe(void **state)
{
    (void)state;
    const char *name = ds__compute_backend();
    assert_true(strcmp(name, "onednn") == 0 || strcmp(name, "openblas") == 0);
    ds__compute *c = ds__compute_new(1);
    assert_non_null(c);
    check_forward(c, shapes[1], DS_ACT_RELU, 1, 0, 1e-5);
    char buf[512];
    int len = ds__compute_describe(c, buf, sizeof buf);
    assert_true(len > 0 && (size_t)len < sizeof buf);
    /* oneDNN names the kernel it ran; OpenBLAS its build */
    assert_non_null(strstr(buf, strcmp(name, "onednn") == 0 ? "kernels: " : "OpenBLAS"));
    assert_int_equal(ds__compute_describe(c, buf, 4), len); /* cut, length as snprintf */
    assert_int_equal(strlen(buf), 3);
    ds__compute_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_many_shapes),
        cmocka_unit_test(test_bf16),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
