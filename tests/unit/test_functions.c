/* test_functions.c - the 2-D test functions: analytic gradients against
 * central differences (genann's check, with a guard against a vacuous
 * all-zero gradient), the CS7015 neuron's "guess work" table, the known
 * minima, windows and lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/functions.h"

#include <math.h>
#include <string.h>

/* Points spread over every window, none at a stationary point. */
static const double points[][2] = {{-1.3, 0.7}, {0.4, -1.1}, {1.2, 1.7}, {-0.6, -0.3},
                                   {2.5, 0.25}, {-2, -2},    {0.9, 2.2}, {-1.5, 2}};
#define NPOINTS (sizeof points / sizeof points[0])

/* Central difference with a step scaled to the coordinate: O(h^2) error. */
static double central(const ds_fn2d *f, double x, double y, int axis)
{
    double h = 1e-5 * fmax(1.0, fabs(axis ? y : x));
    double fp = axis ? f->eval(f, x, y + h, NULL) : f->eval(f, x + h, y, NULL);
    double fm = axis ? f->eval(f, x, y - h, NULL) : f->eval(f, x - h, y, NULL);
    return (fp - fm) / (2.0 * h);
}

static void test_gradients_match_central_differences(void **state)
{
    (void)state;
    for (const ds_fn2d *const *pf = ds_fn2d_all(); *pf; pf++) {
        const ds_fn2d *f = *pf;
        double largest = 0.0;
        for (size_t i = 0; i < NPOINTS; i++) {
            double x = points[i][0], y = points[i][1], g[2] = {NAN, NAN};
            double v = f->eval(f, x, y, g);
            assert_true(v == f->eval(f, x, y, NULL)); /* the gradient does not change f */
            for (int a = 0; a < 2; a++) {
                double num = central(f, x, y, a);
                if (!(fabs(g[a] - num) <= 1e-6 * fmax(1.0, fabs(num))))
                    fail_msg("%s at (%g, %g): d/d%c analytic %.12g, numeric %.12g", f->name, x, y,
                             a ? 'y' : 'x', g[a], num);
                largest = fmax(largest, fabs(g[a]));
            }
        }
        /* genann's guard: a check that only ever compared zeros proves nothing */
        if (!(largest > 1e-3)) fail_msg("%s: gradient is ~0 at every test point", f->name);
    }
}

/* CS7015 lecture 5, "guess work" table: (w, b) -> L, w and b printed to 2
 * decimals and L to 4. At the printed (w, b) themselves L is 0.0731 (not
 * 0.0730) and 0.0217 (not 0.0214): the slides rounded w and b for display.
 * So the check is the one the table supports: somewhere in the rounding box
 * w +- 0.005, b +- 0.005, L takes a value that rounds to the printed one
 * (L is continuous, so its range over the box is [min, max] of a fine grid,
 * widened by the grid's own error bound |grad| * spacing). */
static void test_neuron_guess_work_table(void **state)
{
    (void)state;
    static const double table[6][3] = {{0.50, 0.00, 0.0730},  {-0.10, 0.00, 0.1481},
                                       {0.94, -0.94, 0.0214}, {1.42, -1.73, 0.0028},
                                       {1.65, -2.08, 0.0003}, {1.78, -2.27, 0.0000}};
    const ds_fn2d *f = ds_fn2d_find("neuron");
    assert_non_null(f);
    for (int i = 0; i < 6; i++) {
        double lo = INFINITY, hi = -INFINITY, slack = 0.0, g[2];
        for (int a = -20; a <= 20; a++)
            for (int b = -20; b <= 20; b++) {
                double L = f->eval(f, table[i][0] + a * 0.00025, table[i][1] + b * 0.00025, g);
                lo = fmin(lo, L);
                hi = fmax(hi, L);
                slack = fmax(slack, 0.00025 * (fabs(g[0]) + fabs(g[1])));
            }
        if (!(lo - slack <= table[i][2] + 0.5e-4 && hi + slack >= table[i][2] - 0.5e-4))
            fail_msg("L near (%.2f, %.2f) spans [%.6f, %.6f]; lecture prints %.4f", table[i][0],
                     table[i][1], lo, hi, table[i][2]);
        /* and at the printed point itself, within the box's spread */
        assert_true(fabs(f->eval(f, table[i][0], table[i][1], NULL) - table[i][2]) <=
                    hi - lo + 0.5e-4);
    }
}

/* Known minima: inside the window, gradient ~0, value 0 (every function
 * here with a minimum reaches 0 there) and no lower than its neighbours. */
static void test_known_minima(void **state)
{
    (void)state;
    for (const ds_fn2d *const *pf = ds_fn2d_all(); *pf; pf++) {
        const ds_fn2d *f = *pf;
        for (int m = 0; m < f->n_minima; m++) {
            double x = f->minima[m][0], y = f->minima[m][1], g[2];
            double v = f->eval(f, x, y, g);
            assert_true(x > f->window[0] && x < f->window[1]);
            assert_true(y > f->window[2] && y < f->window[3]);
            if (!(fabs(v) <= 1e-12 && hypot(g[0], g[1]) <= 1e-7))
                fail_msg("%s minimum %d (%g, %g): f = %g, |g| = %g", f->name, m, x, y, v,
                         hypot(g[0], g[1]));
            for (int k = 0; k < 8; k++) {
                double dx = 1e-3 * cos(k * M_PI / 4), dy = 1e-3 * sin(k * M_PI / 4);
                assert_true(f->eval(f, x + dx, y + dy, NULL) > v);
            }
        }
    }
    /* The saddle has none: its stationary point rises along x, falls along y. */
    const ds_fn2d *s = ds_fn2d_find("saddle");
    assert_int_equal(s->n_minima, 0);
    assert_true(s->eval(s, 0.1, 0, NULL) > 0 && s->eval(s, 0, 0.1, NULL) < 0);
}

static void test_lookup_and_windows(void **state)
{
    (void)state;
    static const char *const names[] = {"quadratic", "rosenbrock", "beale", "himmelblau",
                                        "booth",     "saddle",     "neuron"};
    const ds_fn2d *const *all = ds_fn2d_all();
    for (int i = 0; i < 7; i++) {
        assert_non_null(all[i]);
        assert_string_equal(all[i]->name, names[i]);
        assert_ptr_equal(ds_fn2d_find(names[i]), all[i]);
        assert_true(all[i]->window[0] < all[i]->window[1]);
        assert_true(all[i]->window[2] < all[i]->window[3]);
    }
    assert_null(all[7]);
    /* The lectures' error surface spans (-6, 6) on both axes. */
    const ds_fn2d *n = ds_fn2d_find("neuron");
    assert_true(n->window[0] == -6 && n->window[1] == 6 && n->window[2] == -6 && n->window[3] == 6);
    assert_true(ds_fn2d_find("rosenbrock")->log_levels && ds_fn2d_find("beale")->log_levels);
    ds_clear_error();
    assert_null(ds_fn2d_find("rastrigin"));
    assert_non_null(strstr(ds_last_error(), "unknown function 'rastrigin'"));
    assert_non_null(strstr(ds_last_error(), "quadratic, rosenbrock, beale, himmelblau, booth, "
                                            "saddle, neuron"));
    assert_null(ds_fn2d_find(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients_match_central_differences),
        cmocka_unit_test(test_neuron_guess_work_table),
        cmocka_unit_test(test_known_minima),
        cmocka_unit_test(test_lookup_and_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
