/* functions.c - the 2-D test functions of the lectures and of the optimizer
 * literature, with analytic gradients, plotting windows and known minima.
 *
 * quadratic: d2l "Dive into Deep Learning" 12.3/12.6 (0.1 x^2 + 2 y^2);
 * rosenbrock, beale, himmelblau, booth: the standard test functions
 * (https://en.wikipedia.org/wiki/Test_functions_for_optimization);
 * saddle: the NPTEL deck's saddle-point animation; neuron: CS7015 lecture 5's
 * sigmoid neuron on the toy data (0.5, 0.2), (2.5, 0.9). */
#include "descent/functions.h"

#include "core/internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static double quadratic(const ds_fn2d *fn, double x, double y, double *g)
{
    (void)fn;
    if (g) {
        g[0] = 0.2 * x;
        g[1] = 4.0 * y;
    }
    return 0.1 * x * x + 2.0 * y * y;
}

static double rosenbrock(const ds_fn2d *fn, double x, double y, double *g)
{
    (void)fn;
    double a = 1.0 - x, b = y - x * x;
    if (g) {
        g[0] = -2.0 * a - 400.0 * x * b;
        g[1] = 200.0 * b;
    }
    return a * a + 100.0 * b * b;
}

static double beale(const ds_fn2d *fn, double x, double y, double *g)
{
    (void)fn;
    static const double c[3] = {1.5, 2.25, 2.625};
    double f = 0.0, gx = 0.0, gy = 0.0, yk = 1.0; /* yk = y^k */
    for (int k = 1; k <= 3; k++) {
        double dyk = k * yk; /* d(y^k)/dy, before yk moves to y^k */
        yk *= y;
        double r = c[k - 1] - x + x * yk;
        f += r * r;
        gx += 2.0 * r * (yk - 1.0);
        gy += 2.0 * r * x * dyk;
    }
    if (g) {
        g[0] = gx;
        g[1] = gy;
    }
    return f;
}

static double himmelblau(const ds_fn2d *fn, double x, double y, double *g)
{
    (void)fn;
    double a = x * x + y - 11.0, b = x + y * y - 7.0;
    if (g) {
        g[0] = 4.0 * x * a + 2.0 * b;
        g[1] = 2.0 * a + 4.0 * y * b;
    }
    return a * a + b * b;
}

static double booth(const ds_fn2d *fn, double x, double y, double *g)
{
    (void)fn;
    double a = x + 2.0 * y - 7.0, b = 2.0 * x + y - 5.0;
    if (g) {
        g[0] = 2.0 * a + 4.0 * b;
        g[1] = 4.0 * a + 2.0 * b;
    }
    return a * a + b * b;
}

static double saddle(const ds_fn2d *fn, double x, double y, double *g)
{
    (void)fn;
    if (g) {
        g[0] = 2.0 * x;
        g[1] = -2.0 * y;
    }
    return x * x - y * y;
}

/* 1 / (1 + e^-z) without overflowing e^-z for large negative z. */
static double sigmoid(double z)
{
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* CS7015 lecture 5: L = 1/2 sum (f(x_i) - y_i)^2, grad_w = sum (f - y) f (1 - f) x,
 * grad_b the same without x; here the point (x, y) of the plane is (w, b). */
static double neuron(const ds_fn2d *fn, double w, double b, double *g)
{
    (void)fn;
    static const double data[2][2] = {{0.5, 0.2}, {2.5, 0.9}};
    double loss = 0.0, gw = 0.0, gb = 0.0;
    for (int i = 0; i < 2; i++) {
        double f = sigmoid(w * data[i][0] + b), r = f - data[i][1];
        loss += 0.5 * r * r;
        gw += r * f * (1.0 - f) * data[i][0];
        gb += r * f * (1.0 - f);
    }
    if (g) {
        g[0] = gw;
        g[1] = gb;
    }
    return loss;
}

/* Windows frame the minima and the reference start points; the neuron's is
 * the lectures' (-6, 6) square. Himmelblau's minima: Newton's method on the
 * gradient from the textbook approximations, to double precision. The neuron
 * fits both points exactly (two parameters, two points):
 * w = (logit 0.9 - logit 0.2) / 2 = ln 6, b = logit 0.2 - w / 2. */
static const ds_fn2d table[] = {
    {"quadratic", quadratic, {-6, 6, -3, 3}, 1, {{0, 0}}, 0, NULL},
    {"rosenbrock", rosenbrock, {-2, 2, -1, 3}, 1, {{1, 1}}, 1, NULL},
    {"beale", beale, {-4.5, 4.5, -4.5, 4.5}, 1, {{3, 0.5}}, 1, NULL},
    {"himmelblau",
     himmelblau,
     {-5, 5, -5, 5},
     4,
     {{3, 2},
      {-2.8051180869527448, 3.131312518250573},
      {-3.779310253377747, -3.2831859912861696},
      {3.5844283403304917, -1.8481265269644034}},
     1,
     NULL},
    {"booth", booth, {-10, 10, -10, 10}, 1, {{1, 3}}, 1, NULL},
    {"saddle", saddle, {-2, 2, -2, 2}, 0, {{0, 0}}, 0, NULL},
    {"neuron", neuron, {-6, 6, -6, 6}, 1, {{1.791759469228055, -2.282174095733918}}, 0, NULL},
};
#define NFUNCS (sizeof table / sizeof table[0])

const ds_fn2d *const *ds_fn2d_all(void)
{
    static const ds_fn2d *const all[] = {&table[0], &table[1], &table[2], &table[3],
                                         &table[4], &table[5], &table[6], NULL};
    _Static_assert(sizeof all / sizeof all[0] == NFUNCS + 1, "ds_fn2d_all out of step");
    return all;
}

const ds_fn2d *ds_fn2d_find(const char *name)
{
    char names[256] = "";
    size_t pos = 0;
    for (size_t i = 0; i < NFUNCS; i++) {
        if (name && strcmp(name, table[i].name) == 0) return &table[i];
        pos +=
            (size_t)snprintf(names + pos, sizeof names - pos, "%s%s", i ? ", " : "", table[i].name);
    }
    ds__fail(DS_ERR_NOT_FOUND, "unknown function '%s' (accepted: %s)", name ? name : "(null)",
             names);
    return NULL;
}
