/* test_contour.c - marching squares against level sets known in closed
 * form: circles and an ellipse (closed loops on the curve, of the right
 * length), a plane (an exact straight line), the saddle x^2 - y^2 at 0 (two
 * crossing lines, no spurious joins), single saddle cells (both centre
 * cases), and a flat field (nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/plot.h"

#include <math.h>
#include <stdlib.h>

typedef double (*field_fn)(double x, double y);

/* Samples fn on an n x n grid over [a, b] x [c, d]. */
static double *sample(field_fn fn, int n, double a, double b, double c, double d)
{
    double *z = malloc(sizeof(double) * (size_t)n * n);
    assert_non_null(z);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            z[j * n + i] = fn(a + (b - a) * i / (n - 1), c + (d - c) * j / (n - 1));
    return z;
}

static double length(const ds_polyline *l)
{
    double s = 0;
    for (size_t i = 1; i < l->n; i++)
        s += hypot(l->xy[2 * i] - l->xy[2 * i - 2], l->xy[2 * i + 1] - l->xy[2 * i - 1]);
    return s;
}

static double paraboloid(double x, double y)
{
    return x * x + y * y;
}

static double ellipse(double x, double y)
{
    return x * x / 4 + y * y;
}

static double plane(double x, double y)
{
    (void)y;
    return x;
}

static double saddle(double x, double y)
{
    return x * x - y * y;
}

/* One closed loop on the level set radius(x, y) = 1, of the given length. */
static void check_loop(field_fn fn, double level, double (*radius)(double, double), double h,
                       double perimeter, double a, double b, double c, double d)
{
    int n = 121;
    double *z = sample(fn, n, a, b, c, d);
    ds_polylines pl;
    assert_int_equal(ds_contour_lines(z, n, n, a, b, c, d, level, &pl), DS_OK);
    assert_int_equal(pl.n, 1);
    const ds_polyline *l = &pl.lines[0];
    assert_true(l->closed);
    assert_true(l->n > 100);
    assert_true(l->xy[0] == l->xy[2 * l->n - 2] && l->xy[1] == l->xy[2 * l->n - 1]);
    /* Linear interpolation of a quadratic along an edge errs by O(h^2). */
    for (size_t i = 0; i < l->n; i++)
        assert_true(fabs(radius(l->xy[2 * i], l->xy[2 * i + 1]) - 1) < h * h);
    /* An inscribed polygon with chords ~h: relative length error ~(h/r)^2. */
    assert_true(fabs(length(l) / perimeter - 1) < 1e-3);
    ds_polylines_free(&pl);
    free(z);
}

static double circle_r13(double x, double y)
{
    return hypot(x, y) / 1.3;
}

static double ellipse_r(double x, double y)
{
    return sqrt(x * x / 4 + y * y);
}

static void test_circle(void **state)
{
    (void)state;
    check_loop(paraboloid, 1.3 * 1.3, circle_r13, 4.0 / 120, 2 * M_PI * 1.3, -2, 2, -2, 2);
}

static void test_ellipse(void **state)
{
    (void)state;
    double a = 2, b = 1; /* Ramanujan's perimeter approximation, exact to ~1e-5 here */
    double p = M_PI * (3 * (a + b) - sqrt((3 * a + b) * (a + 3 * b)));
    check_loop(ellipse, 1, ellipse_r, 6.0 / 120, p, -3, 3, -1.5, 1.5);
}

static void test_plane_is_exact(void **state)
{
    (void)state;
    int n = 31;
    double *z = sample(plane, n, -1, 1, 0, 2);
    ds_polylines pl;
    assert_int_equal(ds_contour_lines(z, n, n, -1, 1, 0, 2, 0.3, &pl), DS_OK);
    assert_int_equal(pl.n, 1);
    assert_false(pl.lines[0].closed);
    assert_int_equal(pl.lines[0].n, n); /* one crossing per grid row */
    for (size_t i = 0; i < pl.lines[0].n; i++)
        assert_true(fabs(pl.lines[0].xy[2 * i] - 0.3) < 1e-12);
    double ya = pl.lines[0].xy[1], yb = pl.lines[0].xy[2 * n - 1];
    assert_true(fmin(ya, yb) == 0 && fmax(ya, yb) == 2);
    ds_polylines_free(&pl);
    free(z);
}

/* x^2 - y^2 = 0 is the pair of lines y = x and y = -x. The grid is offset
 * so that no sample lies exactly on them. */
static void test_saddle_lines(void **state)
{
    (void)state;
    int n = 40;
    double a = -1.03, b = 0.97, h = 2.0 / (n - 1);
    double *z = sample(saddle, n, a, b, a, b);
    ds_polylines pl;
    assert_int_equal(ds_contour_lines(z, n, n, a, b, a, b, 0, &pl), DS_OK);
    assert_int_equal(pl.n, 2);
    for (size_t k = 0; k < pl.n; k++) {
        const ds_polyline *l = &pl.lines[k];
        assert_false(l->closed);
        for (size_t i = 0; i < l->n; i++) {
            double x = l->xy[2 * i], y = l->xy[2 * i + 1];
            /* The secant root of x^2 - c^2 on an edge of length h errs by at
             * most h^2 / (8 |c|) (half of the bound below), ~h/8 at the centre. */
            assert_true(fabs(fabs(x) - fabs(y)) < h * h / (4 * fmax(fabs(x), h)));
        }
        for (size_t i = 1; i < l->n; i++) {
            /* Segments stay inside one cell and on the lines: a wrong join
             * across a saddle cell would leave the lines at its midpoint. */
            double x0 = l->xy[2 * i - 2], y0 = l->xy[2 * i - 1];
            double x1 = l->xy[2 * i], y1 = l->xy[2 * i + 1];
            assert_true(hypot(x1 - x0, y1 - y0) <= sqrt(2) * h + 1e-12);
            double mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
            assert_true(fabs(fabs(mx) - fabs(my)) < h / 2);
        }
        /* Both ends on the border of the window. */
        for (int e = 0; e < 2; e++) {
            size_t i = e ? l->n - 1 : 0;
            double x = l->xy[2 * i], y = l->xy[2 * i + 1];
            assert_true(fabs(x - a) < 1e-12 || fabs(x - b) < 1e-12 || fabs(y - a) < 1e-12 ||
                        fabs(y - b) < 1e-12);
        }
    }
    ds_polylines_free(&pl);
    free(z);
}

/* A single saddle cell (corners c0 = (0,0) and c2 = (1,1) high): the centre
 * average decides whether the high corners join (cut off c1 and c3) or not
 * (cut off c0 and c2). Each segment must stay next to the corner it cuts. */
static void check_saddle_cell(double level, double cut0x, double cut0y, double cut1x, double cut1y)
{
    double z[4] = {1, 0, 0, 1}; /* z[j * 2 + i]: (0,0)=1 (1,0)=0 (0,1)=0 (1,1)=1 */
    ds_polylines pl;
    assert_int_equal(ds_contour_lines(z, 2, 2, 0, 1, 0, 1, level, &pl), DS_OK);
    assert_int_equal(pl.n, 2);
    int near[2] = {0, 0};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(pl.lines[k].n, 2);
        const double *p = pl.lines[k].xy;
        for (int c = 0; c < 2; c++) {
            double cx = c ? cut1x : cut0x, cy = c ? cut1y : cut0y;
            if (hypot(p[0] - cx, p[1] - cy) < 0.71 && hypot(p[2] - cx, p[3] - cy) < 0.71) near[c]++;
        }
    }
    assert_int_equal(near[0], 1);
    assert_int_equal(near[1], 1);
    ds_polylines_free(&pl);
}

static void test_saddle_cell(void **state)
{
    (void)state;
    check_saddle_cell(0.4, 1, 0, 0, 1); /* centre 0.5 >= 0.4: high corners join */
    check_saddle_cell(0.6, 0, 0, 1, 1); /* centre 0.5 < 0.6: low corners join */
}

static void test_flat_and_invalid(void **state)
{
    (void)state;
    double z[9] = {3, 3, 3, 3, 3, 3, 3, 3, 3};
    ds_polylines pl;
    for (double level = 2; level <= 4; level += 1) {
        assert_int_equal(ds_contour_lines(z, 3, 3, 0, 1, 0, 1, level, &pl), DS_OK);
        assert_int_equal(pl.n, 0);
        ds_polylines_free(&pl);
    }
    assert_int_equal(ds_contour_lines(z, 1, 9, 0, 1, 0, 1, 0, &pl), DS_ERR_INVALID);
    assert_int_equal(pl.n, 0);
}

static void test_levels(void **state)
{
    (void)state;
    double l[5];
    assert_int_equal(ds_plot_levels(-1, 5, 5, 0, l), DS_OK);
    for (int k = 0; k < 5; k++)
        assert_true(fabs(l[k] - (-1 + (k + 1))) < 1e-12);
    assert_int_equal(ds_plot_levels(2, 1002, 5, 0.1, l), DS_OK);
    for (int k = 0; k < 5; k++)
        assert_true(l[k] > 2 + 0.1 && l[k] < 1002);
    for (int k = 1; k < 4; k++) /* equal ratios of z - zmin: evenly spaced in log */
        assert_true(fabs((l[k + 1] - 2) / (l[k] - 2) - (l[k] - 2) / (l[k - 1] - 2)) < 1e-9);
    assert_int_equal(ds_plot_levels(1, 1, 5, 0, l), DS_ERR_INVALID);
    assert_int_equal(ds_plot_levels(0, 1, 0, 0, l), DS_ERR_INVALID);
    assert_int_equal(ds_plot_levels(0, 1, 3, 2, l), DS_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_circle),         cmocka_unit_test(test_ellipse),
        cmocka_unit_test(test_plane_is_exact), cmocka_unit_test(test_saddle_lines),
        cmocka_unit_test(test_saddle_cell),    cmocka_unit_test(test_flat_and_invalid),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
