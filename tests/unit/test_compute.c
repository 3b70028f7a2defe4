/* test_compute.c - the compute layer (src/models/compute.h) of the backend
 * this build has, against naive triple loops in double: every product on
 * odd shapes (1x1x1, 7x13x5, ...), with and without accumulation, each
 * activation with and without bias; a cache of kernels that reuses a shape
 * on new buffers and survives more shapes than it has slots; bf16 within
 * bf16's rounding where the backend and CPU offer it, refused otherwise.
 * Convolutions (padding, strides, a right edge the windows do not reach,
 * channel counts off oneDNN's blocks of 16) and max and average pooling,
 * forward and backward, against plain loops in double. */
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

static const ds__conv convs[] = {
    {.n = 2, .c = 3, .h = 7, .w = 6, .o = 4, .k = 3, .stride = 1, .pad = 1, .oh = 7, .ow = 6},
    {.n = 3, .c = 2, .h = 8, .w = 8, .o = 5, .k = 5, .stride = 2, .pad = 2, .oh = 4, .ow = 4},
    {.n = 1, .c = 1, .h = 8, .w = 9, .o = 2, .k = 3, .stride = 2, .pad = 0, .oh = 3, .ow = 4},
    {.n = 2, .c = 17, .h = 5, .w = 5, .o = 18, .k = 1, .stride = 1, .pad = 0, .oh = 5, .ow = 5},
};

/* x[i, ch, y, x] of a conv's input, 0 in the padding. */
static double pixel(const ds__conv *cv, const float *x, size_t i, size_t ch, long y, long xx)
{
    if (y < 0 || xx < 0 || y >= (long)cv->h || xx >= (long)cv->w) return 0;
    return x[((i * cv->c + ch) * cv->h + (size_t)y) * cv->w + (size_t)xx];
}

/* BODY for every product of a convolution: sample i, filter o, output
 * position (oy, ox), input channel ch, window offset (a, b), input position
 * (y, xx) (negative or past the edge in the padding); yi and wi index the
 * output and the weight. */
#define CONV_LOOP(cv, BODY)                                                                        \
    for (size_t i = 0; i < (cv)->n; i++)                                                           \
        for (size_t o = 0; o < (cv)->o; o++)                                                       \
            for (size_t oy = 0; oy < (cv)->oh; oy++)                                               \
                for (size_t ox = 0; ox < (cv)->ow; ox++)                                           \
                    for (size_t ch = 0; ch < (cv)->c; ch++)                                        \
                        for (size_t a = 0; a < (cv)->k; a++)                                       \
                            for (size_t b = 0; b < (cv)->k; b++) {                                 \
                                long y = (long)(oy * (cv)->stride + a) - (long)(cv)->pad;          \
                                long xx = (long)(ox * (cv)->stride + b) - (long)(cv)->pad;         \
                                size_t yi = ((i * (cv)->o + o) * (cv)->oh + oy) * (cv)->ow + ox;   \
                                size_t wi = ((o * (cv)->c + ch) * (cv)->k + a) * (cv)->k + b;      \
                                BODY;                                                              \
                            }

static void check_conv(ds__compute *c, const ds__conv *cv, int act, int acc, double tol)
{
    size_t nx = cv->n * cv->c * cv->h * cv->w, nw = cv->o * cv->c * cv->k * cv->k;
    size_t ny = cv->n * cv->o * cv->oh * cv->ow;
    float *x = filled(nx, 1), *w = filled(nw, 2), *b = filled(cv->o, 3), *y = filled(ny, 4);
    float *dy = filled(ny, 5), *dw = filled(nw, 6), *db = filled(cv->o, 7), *dx = filled(nx, 8);
    float *work = filled(ds__compute_conv_work(cv), 9);
    double *z = calloc(ny + nw + nx + cv->o, sizeof *z), *wdw = z + ny, *wdx = wdw + nw;
    double *wdb = wdx + nx;
    for (size_t j = 0; j < nw; j++)
        wdw[j] = acc ? dw[j] : 0;
    for (size_t j = 0; j < cv->o; j++)
        wdb[j] = acc ? db[j] : 0;
    CONV_LOOP(cv, {
        double v = pixel(cv, x, i, ch, y, xx);
        z[yi] += v * w[wi];
        wdw[wi] += v * dy[yi];
        if (y >= 0 && xx >= 0 && y < (long)cv->h && xx < (long)cv->w)
            wdx[((i * cv->c + ch) * cv->h + (size_t)y) * cv->w + (size_t)xx] += w[wi] * dy[yi];
        if (ch == 0 && a == 0 && b == 0) wdb[o] += dy[yi];
    });
    for (size_t j = 0; j < ny; j++)
        z[j] = ref_act(z[j] + b[j / (cv->oh * cv->ow) % cv->o], act);
    assert_int_equal(ds__compute_conv_forward(c, cv, x, w, b, y, act, work), DS_OK);
    assert_close(y, z, ny, tol);
    assert_int_equal(
        ds__compute_conv_backward(c, cv, x, w, dy, dw, db, dx, acc ? DS__COMPUTE_ACC : 0, work),
        DS_OK);
    assert_close(dw, wdw, nw, tol);
    assert_close(dx, wdx, nx, tol);
    assert_close(db, wdb, cv->o, 1e-6);
    free(x), free(w), free(b), free(y), free(dy), free(dw), free(db), free(dx), free(work), free(z);
}

/* Pooling of the conv shapes' inputs with k x k windows at stride s. */
static void check_pool(ds__compute *c, const ds__conv *shape, size_t k, size_t s, int max)
{
    ds__conv p = *shape;
    p.o = p.c, p.pad = 0, p.k = k, p.stride = s;
    p.oh = (p.h - k) / s + 1, p.ow = (p.w - k) / s + 1;
    size_t nx = p.n * p.c * p.h * p.w, ny = p.n * p.c * p.oh * p.ow;
    float *x = filled(nx, 1), *y = filled(ny, 2), *dy = filled(ny, 3), *dx = filled(nx, 4);
    int32_t *ws = calloc(ny, sizeof *ws);
    double *want = calloc(ny + nx, sizeof *want), *wdx = want + ny;
    for (size_t j = 0; j < ny; j++) {
        size_t plane = j / (p.oh * p.ow), oy = j / p.ow % p.oh, ox = j % p.ow, best = 0;
        const float *in = x + plane * p.h * p.w;
        double sum = 0, top = -INFINITY;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++) {
                size_t at = (oy * s + a) * p.w + ox * s + b;
                sum += in[at];
                if (in[at] > top) top = in[at], best = at; /* the first maximum */
            }
        want[j] = max ? top : sum / (double)(k * k);
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++) {
                size_t at = (oy * s + a) * p.w + ox * s + b;
                if (!max || at == best) wdx[plane * p.h * p.w + at] += dy[j] / (max ? 1.0 : k * k);
            }
    }
    assert_int_equal(ds__compute_pool_forward(c, &p, max, x, y, ws), DS_OK);
    assert_close(y, want, ny, 1e-6);
    assert_int_equal(ds__compute_pool_backward(c, &p, max, dy, dx, ws), DS_OK);
    assert_close(dx, wdx, nx, 1e-6);
    free(x), free(y), free(dy), free(dx), free(ws), free(want);
}

/* Every convolution shape with and without relu and accumulation, twice
 * (from the cache the second time), then every pooling. */
static void check_convs(ds__compute *c, double tol)
{
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++)
            for (int acc = 0; acc <= 1; acc++) {
                check_conv(c, &convs[i], DS__ACT_IDENTITY, acc, tol);
                check_conv(c, &convs[i], DS_ACT_RELU, acc, tol);
            }
    for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++)
        for (int max = 0; max <= 1; max++) {
            check_pool(c, &convs[i], 2, 2, max);
            check_pool(c, &convs[i], 3, 1, max);
            check_pool(c, &convs[i], 3, 2, max);
        }
}

static void test_convolutions(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        ds__compute *c = ds__compute_new(threads);
        assert_non_null(c);
        check_convs(c, 1e-5);
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
        check_convs(c, 5e-2); /* sums of up to 125 terms */
    } else {
        assert_int_equal(st, DS_ERR_UNSUPPORTED);
        assert_int_equal(ds__compute_precision(c), DS__PREC_FP32);
        assert_non_null(strstr(ds_last_error(), "bf16"));
    }
    assert_int_equal(ds__compute_set_precision(c, DS__PREC_FP32), DS_OK);
    check_all(c, 1e-5);
    ds__compute_free(c);
}

/* The bf16 rounding itself, through 1x1x1 products A B with B = 1: ties
 * go to the even neighbour, a value above a tie goes up, infinity stays
 * infinite, and every NaN stays a NaN (adding the rounding bias to the
 * bits turned the NaN 0x7fffffff into -0 and 0xffffffff into +0). */
static void test_bf16_rounding(void **state)
{
    (void)state;
    ds__compute *c = ds__compute_new(1);
    assert_non_null(c);
    if (ds__compute_set_precision(c, DS__PREC_BF16) != DS_OK) {
        ds__compute_free(c);
        skip();
    }
    const uint32_t nans[] = {0x7fffffffu, 0xffffffffu, 0x7fc00000u, 0xffc00001u, 0x7f800001u};
    const float ties[][2] = {{1.0f + 0x1p-8f, 1.0f},                      /* tie, even below */
                             {1.0f + 0x3p-8f, 1.0f + 0x1p-6f},            /* tie, even above */
                             {1.0f + 0x1p-8f + 0x1p-20f, 1.0f + 0x1p-7f}, /* above a tie */
                             {-(1.0f + 0x1p-8f), -1.0f},
                             {INFINITY, INFINITY}};
    const float one = 1.0f;
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++) {
        float y = -7;
        assert_int_equal(
            ds__compute_forward(c, &ties[i][0], &one, NULL, &y, 1, 1, 1, DS__ACT_IDENTITY, 0),
            DS_OK);
        assert_true(y == ties[i][1]);
    }
    for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++) {
        float x, y = 0;
        memcpy(&x, &nans[i], sizeof x);
        assert_int_equal(ds__compute_forward(c, &x, &one, NULL, &y, 1, 1, 1, DS__ACT_IDENTITY, 0),
                         DS_OK);
        assert_true(isnan(y));
    }
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
        cmocka_unit_test(test_products),      cmocka_unit_test(test_convolutions),
        cmocka_unit_test(test_many_shapes),   cmocka_unit_test(test_bf16),
        cmocka_unit_test(test_bf16_rounding), cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
