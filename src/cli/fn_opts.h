/* fn_opts.h - the function options `trace` and `plot` share: --fn F (a
 * built-in name or an expression in x and y), --noise SIGMA and --seed S
 * (seeded noise on the gradient, descent/functions.h's ds_fn2d_noisy):
 * their table entries once, and one function that builds the function
 * from them. */
#ifndef DESCENT_CLI_FN_OPTS_H
#define DESCENT_CLI_FN_OPTS_H

#include "args.h"

#include "descent/functions.h"

typedef struct cli_fn_opts {
    const char *fn;
    double noise; /* 0: none */
    long seed;
} cli_fn_opts;

#define CLI_FN_ARGS(o)                                                                             \
    {"fn", CLI_ARG_STRING, &(o).fn, "F",                                                           \
     "test function (see the list above) or an expression in x and y, e.g. 'x^2 + 10*y^2'"},       \
        {"noise", CLI_ARG_DOUBLE, &(o).noise, "SIGMA",                                             \
         "seeded gradient noise: SIGMA x a normal variate per component (default 0)"},             \
    {                                                                                              \
        "seed", CLI_ARG_INT, &(o).seed, "S", "seed of --noise, >= 0 (default 0)"                   \
    }

/* The function to run: f is base, or base with noise. */
typedef struct cli_fn {
    const ds_fn2d *base;
    ds_fn2d *noisy;
    const ds_fn2d *f;
} cli_fn;

/* Builds *out from the options (o->fn set); exit status, or -1 when done.
 * Release with cli_fn_free (also after a failure). */
int cli_fn_load(const cli_command *cmd, const cli_fn_opts *o, cli_fn *out);
void cli_fn_free(cli_fn *fn);

#endif
