/* test_expr.c - functions typed as expressions (ds_fn2d_parse_expr): values
 * and forward-mode gradients against closed forms written out by hand and
 * against central differences, precedence and associativity, every error
 * with its column, the depth and length limits, and ds_fn2d_parse's choice
 * between a built-in name and an expression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/functions.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef double (*closed_fn)(double x, double y, double g[2]);

static double c_bowl(double x, double y, double g[2])
{
    g[0] = 2 * x;
    g[1] = 20 * y;
    return x * x + 10 * y * y;
}

static double c_mix(double x, double y, double g[2]) /* exp(x*y) - log(x^2 + 1) / y */
{
    double e = exp(x * y), l = log(x * x + 1);
    g[0] = y * e - 2 * x / ((x * x + 1) * y);
    g[1] = x * e + l / (y * y);
    return e - l / y;
}

static double c_trig(double x, double y, double g[2]) /* sin(x) * cos(2*y) + tanh(x - y) */
{
    double t = tanh(x - y);
    g[0] = cos(x) * cos(2 * y) + (1 - t * t);
    g[1] = -2 * sin(x) * sin(2 * y) - (1 - t * t);
    return sin(x) * cos(2 * y) + t;
}

static double c_roots(double x, double y, double g[2]) /* sqrt(x^2 + y^2 + 1) * abs(x - 3) */
{
    double r = sqrt(x * x + y * y + 1), a = fabs(x - 3), s = x > 3 ? 1 : -1;
    g[0] = x / r * a + r * s;
    g[1] = y / r * a;
    return r * a;
}

static double c_pow(double x, double y, double g[2]) /* (x^2 + 2)^(y/2) - -x^3 */
{
    double b = x * x + 2, p = pow(b, y / 2);
    g[0] = (y / 2) * pow(b, y / 2 - 1) * 2 * x + 3 * x * x;
    g[1] = p * log(b) / 2;
    return p + x * x * x;
}

static const struct {
    const char *text;
    closed_fn closed;
} cases[] = {
    {"x^2 + 10*y^2", c_bowl},
    {"exp(x*y) - log(x^2 + 1) / y", c_mix},
    {"sin(x) * cos(2*y) + tanh(x - y)", c_trig},
    {"sqrt(x^2 + y^2 + 1) * abs(x - 3)", c_roots},
    {"(x^2 + 2)^(y/2) - -x^3", c_pow},
};

static const double points[][2] = {{-1.3, 0.7}, {0.4, -1.1}, {1.2, 1.7}, {2.5, 0.25}, {-2, -2}};

static ds_fn2d *parse_ok(const char *text)
{
    ds_fn2d *f = NULL;
    if (ds_fn2d_parse_expr(text, &f) != DS_OK) fail_msg("'%s': %s", text, ds_last_error());
    assert_non_null(f);
    assert_string_equal(f->name, text);
    return f;
}

static void assert_close(double got, double want, const char *what, const char *text)
{
    if (!(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want))))
        fail_msg("'%s' %s: got %.17g, closed form %.17g", text, what, got, want);
}

static void test_values_and_gradients_match_closed_forms(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ds_fn2d *f = parse_ok(cases[c].text);
        for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
            double x = points[i][0], y = points[i][1], g[2], want[2];
            double v = f->eval(f, x, y, g), w = cases[c].closed(x, y, want);
            assert_close(v, w, "value", cases[c].text);
            assert_close(g[0], want[0], "df/dx", cases[c].text);
            assert_close(g[1], want[1], "df/dy", cases[c].text);
            assert_close(f->eval(f, x, y, NULL), w, "value without gradient", cases[c].text);
            /* and the derivative is a derivative: central differences agree */
            double h = 1e-6,
                   gx = (f->eval(f, x + h, y, NULL) - f->eval(f, x - h, y, NULL)) / (2 * h);
            assert_true(fabs(gx - g[0]) <= 1e-5 * fmax(1.0, fabs(g[0])));
        }
        ds_fn2d_free(f);
    }
}

static void test_precedence_and_associativity(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double want; /* at x = 2, y = 3 */
    } t[] = {
        {"-x^2", -4},
        {"2^3^2", 512},
        {"x - y - 1", -2},
        {"12 / x / y", 2},
        {"2^-1", 0.5},
        {"1 + 2 * 3", 7},
        {"(1 + 2) * 3", 9},
        {" + x", 2},
        {"--x", 2},
        {"1.5e1 + .5", 15.5},
        {"2E-1*y", 0.6000000000000001},
        {"x*-y", -6},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        ds_fn2d *f = parse_ok(t[i].text);
        assert_close(f->eval(f, 2, 3, NULL), t[i].want, "value", t[i].text);
        ds_fn2d_free(f);
    }
}

/* An input the result does not depend on stays out of the gradient even
 * where the outer derivative is infinite. */
static void test_gradient_edges(void **state)
{
    (void)state;
    double g[2];
    ds_fn2d *f = parse_ok("sqrt(y) + x");
    assert_true(f->eval(f, 1, 0, g) == 1.0);
    assert_true(g[0] == 1.0 && isinf(g[1]));
    ds_fn2d_free(f);
    f = parse_ok("x^0 + abs(y)");
    assert_true(f->eval(f, 0, 0, g) == 1.0 && g[0] == 0.0 && g[1] == 0.0);
    ds_fn2d_free(f);
    f = parse_ok("(-x)^3");
    assert_true(f->eval(f, 2, 0, g) == -8.0 && g[0] == -12.0 && g[1] == 0.0);
    ds_fn2d_free(f);
}

static void expect_error(const char *text, const char *message)
{
    ds_fn2d *f = (ds_fn2d *)0x1;
    ds_status st = ds_fn2d_parse_expr(text, &f);
    if (st == DS_OK || strstr(ds_last_error(), message) == NULL)
        fail_msg("'%s': status %d, message '%s', expected '%s'", text, (int)st, ds_last_error(),
                 message);
    assert_int_equal(st, DS_ERR_PARSE);
    assert_ptr_equal(f, (ds_fn2d *)0x1); /* untouched */
}

static void test_error_positions(void **state)
{
    (void)state;
    expect_error("", "column 1: expected a number, x, y");
    expect_error("x^2 +", "column 6: expected a number, x, y, a function such as exp(...) or '(' "
                          "(got the end of the expression)");
    expect_error("sin(x", "column 6: expected ')' to close the '(' of column 4");
    expect_error("2x", "column 2: expected an operator (+ - * / ^) or the end (got 'x')");
    expect_error("x + foo(y)", "column 5: unknown name 'foo' (accepted: x, y, exp");
    expect_error("exp x", "column 5: expected '(' after the name (got 'x')");
    expect_error("1e999 * x", "column 1: number out of range: 1e999");
    expect_error("x * )", "column 5: expected a number");
    expect_error("x $ 2", "column 3: expected an operator (+ - * / ^) or the end (got '$')");
    expect_error("x + .", "column 5: expected digits around '.'");
    expect_error("(x))", "column 4: expected an operator");
    expect_error("x\t+\t", "column 5: expected a number");
}

static void test_depth_and_length_limits(void **state)
{
    (void)state;
    char text[2 * DS_FN2D_EXPR_MAX_LEN];
    int d = DS_FN2D_EXPR_MAX_DEPTH;
    /* d - 1 parentheses around x nest d levels: accepted; one more is not */
    snprintf(text, sizeof text, "%.*sx%.*s", d - 1,
             "((((((((((((((((((((((((((((((((((((((("
             "((((((((((((((((((((((((((((((((((((((((((",
             d - 1, "))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))");
    ds_fn2d *f = parse_ok(text);
    assert_true(f->eval(f, 5, 0, NULL) == 5.0);
    ds_fn2d_free(f);
    memmove(text + 1, text, strlen(text) + 1);
    text[0] = '(';
    strcat(text, ")");
    char want[64];
    snprintf(want, sizeof want, "column %d: nested too deeply (limit %d levels)", d + 1, d);
    expect_error(text, want);
    /* the stack bound: a long right-nested chain of minus signs */
    memset(text, '-', (size_t)d + 1);
    strcpy(text + d + 1, "x");
    expect_error(text, "nested too deeply");
    memset(text, ' ', DS_FN2D_EXPR_MAX_LEN + 1);
    text[DS_FN2D_EXPR_MAX_LEN] = 'x';
    text[DS_FN2D_EXPR_MAX_LEN + 1] = '\0';
    expect_error(text, "expression longer than 1024 characters");
    text[DS_FN2D_EXPR_MAX_LEN] = '\0';
    text[DS_FN2D_EXPR_MAX_LEN - 1] = 'y';
    f = parse_ok(text);
    ds_fn2d_free(f);
}

static void test_parse_picks_builtin_or_expression(void **state)
{
    (void)state;
    const ds_fn2d *f = NULL;
    assert_int_equal(ds_fn2d_parse("rosenbrock", &f), DS_OK);
    assert_ptr_equal(f, ds_fn2d_find("rosenbrock"));
    ds_fn2d_free(f); /* a built-in: left alone */
    assert_int_equal(ds_fn2d_parse("rosenbrock", &f), DS_OK);
    assert_int_equal(ds_fn2d_parse("(1 - x)^2 + 100*(y - x^2)^2", &f), DS_OK);
    double g[2], want[2];
    const ds_fn2d *r = ds_fn2d_find("rosenbrock");
    assert_close(f->eval(f, -1.5, 2, g), r->eval(r, -1.5, 2, want), "value", "rosenbrock");
    assert_close(g[0], want[0], "df/dx", "rosenbrock");
    assert_close(g[1], want[1], "df/dy", "rosenbrock");
    ds_fn2d_free(f);
    assert_int_equal(ds_fn2d_parse("rosenbrok", &f), DS_ERR_NOT_FOUND);
    assert_non_null(strstr(ds_last_error(), "unknown function 'rosenbrok' (accepted: quadratic"));
    assert_non_null(strstr(ds_last_error(), "or an expression in x and y"));
    assert_int_equal(ds_fn2d_parse("x +", &f), DS_ERR_PARSE);
    ds_fn2d_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_gradients_match_closed_forms),
        cmocka_unit_test(test_precedence_and_associativity),
        cmocka_unit_test(test_gradient_edges),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_depth_and_length_limits),
        cmocka_unit_test(test_parse_picks_builtin_or_expression),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
