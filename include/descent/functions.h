/* descent/functions.h - the two-dimensional test functions of the lectures
 * and of the optimizer literature, for `descent trace`, plots and the report.
 *
 *   quadratic   0.1 x^2 + 2 y^2                        (d2l)
 *   rosenbrock  (1 - x)^2 + 100 (y - x^2)^2
 *   beale       (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2
 *   himmelblau  (x^2 + y - 11)^2 + (x + y^2 - 7)^2
 *   booth       (x + 2y - 7)^2 + (2x + y - 5)^2
 *   saddle      x^2 - y^2
 *   neuron      CS7015 sigmoid neuron: 1/2 sum_i (sigmoid(w x_i + b) - y_i)^2
 *               over (0.5, 0.2), (2.5, 0.9), with x = w and y = b
 * Values and gradients are exact (analytic), in double.
 *
 * Besides these, a function can be typed as an expression in x and y
 * (ds_fn2d_parse_expr): numbers, x, y, + - * / ^ (right-associative, above
 * unary minus: -x^2 is -(x^2)), parentheses and exp log sqrt sin cos tanh
 * abs; its gradient is exact too (forward-mode dual numbers). */
#ifndef DESCENT_FUNCTIONS_H
#define DESCENT_FUNCTIONS_H

#include "descent/export.h"

#include "descent/error.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_fn2d {
    const char *name;
    /* f(x, y), called as f->eval(f, x, y, grad); if grad != NULL also
     * writes df/dx, df/dy into grad[0..1]. */
    double (*eval)(const struct ds_fn2d *f, double x, double y, double *grad);
    /* A sensible plotting window x0, x1, y0, y1. */
    double window[4];
    int n_minima;        /* known global minima (0 if none, e.g. saddle) */
    double minima[4][2]; /* their (x, y) */
    int log_levels;      /* 1: contour levels should be log-spaced */
    const void *ctx;     /* eval's data, e.g. a data set (NULL for the built-ins) */
} ds_fn2d;

/* The function called `name`, or NULL with a message listing the names. */
DS_API const ds_fn2d *ds_fn2d_find(const char *name);

/* All functions, NULL-terminated, in the order above. */
DS_API const ds_fn2d *const *ds_fn2d_all(void);

/* Limits of an expression: its length in characters, and how deeply its
 * parentheses, function calls, signs and powers may nest. */
#define DS_FN2D_EXPR_MAX_LEN   1024
#define DS_FN2D_EXPR_MAX_DEPTH 64

/* Compiles `text`, e.g. "x^2 + 10*y^2", into a function named by the text
 * (plotting window [-4, 4] x [-4, 4], no known minima). On error returns
 * DS_ERR_PARSE (DS_ERR_NOMEM) with a message "column C: expected ..." (1-based
 * column) and leaves *out untouched. Free with ds_fn2d_free. */
DS_API ds_status ds_fn2d_parse_expr(const char *text, ds_fn2d **out);

/* A built-in function by name, else the expression `text` (a lone unknown
 * word is reported as an unknown name with the list of names). Free the
 * result with ds_fn2d_free (which leaves the built-ins alone). */
DS_API ds_status ds_fn2d_parse(const char *text, const ds_fn2d **out);

/* `base` with seeded noise on its gradient (not its value): sigma times a
 * standard normal variate per component, a pure function of the seed and
 * the point, so a path is reproduced exactly by the same seed (src/functions/
 * noise.c). Does not own `base`, which must outlive it. sigma must be
 * finite and >= 0 (DS_ERR_INVALID). Free with ds_fn2d_free. */
DS_API ds_status ds_fn2d_noisy(const ds_fn2d *base, double sigma, uint64_t seed, ds_fn2d **out);

/* Frees a function from ds_fn2d_parse_expr, ds_fn2d_parse or ds_fn2d_noisy
 * (not its base); NULL and the built-in functions are ignored. */
DS_API void ds_fn2d_free(const ds_fn2d *f);

struct ds_opt_params;
struct ds_schedule;

/* Runs the optimizer (with the schedule; NULL = constant) on f from (x0, y0)
 * for `steps` updates, in float32 parameters as a model would, and writes
 * steps + 1 rows of (x, y, loss) into out[3 * (steps + 1)]: row t is the
 * point after t updates and f there. Stops early with DS_ERR_NONFINITE if
 * the path leaves the finite numbers (rows written so far are kept and
 * *rows_out, if not NULL, says how many). */
DS_API ds_status ds_fn2d_trace(const ds_fn2d *f, const struct ds_opt_params *opt,
                               const struct ds_schedule *sched, double x0, double y0, long steps,
                               double *out, long *rows_out);

#ifdef __cplusplus
}
#endif
#endif
