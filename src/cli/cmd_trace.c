/* cmd_trace.c - `descent trace`: the path of one optimizer on a 2-D test
 * function, as CSV (step,x,y,loss), for plots, the lecture experiments and
 * the reference comparisons against torch.optim (tests/data/reference). */
#include "commands.h"
#include "fn_opts.h"

#include "descent/functions.h"
#include "descent/optim.h"
#include "descent/schedule.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Enough for any lecture experiment; keeps the row buffer (24 bytes a row)
 * well inside memory. */
#define MAX_STEPS   10000000L
#define STEPS_UNSET LONG_MIN

static struct {
    const char *start, *opt, *schedule;
    long steps;
    cli_fn_opts fn;
} o = {NULL, NULL, NULL, STEPS_UNSET, {NULL, 0, 0}};

static const cli_arg trace_args[] = {
    CLI_FN_ARGS(o.fn),
    {"start", CLI_ARG_STRING, &o.start, "X,Y", "start point, e.g. -1.5,2 (required)"},
    {"opt", CLI_ARG_STRING, &o.opt, "SPEC",
     "optimizer NAME[:key=value,...], e.g. adam:lr=0.05 (required)"},
    {"steps", CLI_ARG_INT, &o.steps, "N", "number of updates, 0..10000000 (required)"},
    {"schedule", CLI_ARG_STRING, &o.schedule, "S",
     "learning-rate schedule, e.g. warmup:steps=10+cosine:period=90 (default constant)"},
    {NULL, 0, NULL, NULL, NULL},
};

/* Filled at run time from the library's own lists, so --help never drifts. */
static char details[1024];

static const cli_command trace_cmd = {
    .name = "trace",
    .usage = "descent trace --fn F --start X,Y --opt SPEC --steps N [--schedule S] [--noise SIGMA]",
    .summary = "print an optimizer's path on a 2-D test function as CSV: step,x,y,loss",
    .details = details,
    .args = trace_args,
};

/* Appends " word" to details, starting a new indented line past column 76. */
static void add_word(size_t *pos, size_t *col, const char *word)
{
    if (*pos >= sizeof details) return;
    int wrap = *col + 1 + strlen(word) > 76;
    int n = snprintf(details + *pos, sizeof details - *pos, "%s%s", wrap ? "\n  " : " ", word);
    *pos += (size_t)n;
    *col = wrap ? 2 + strlen(word) : *col + 1 + strlen(word);
}

static void fill_details(void)
{
    size_t pos = 0, col = sizeof "functions:" - 1;
    pos += (size_t)snprintf(details, sizeof details, "functions:");
    for (const ds_fn2d *const *f = ds_fn2d_all(); *f; f++)
        add_word(&pos, &col, (*f)->name);
    if (pos < sizeof details)
        pos += (size_t)snprintf(details + pos, sizeof details - pos, "\noptimizers:");
    col = sizeof "optimizers:" - 1;
    for (int t = 0; t < DS_OPT_COUNT; t++)
        add_word(&pos, &col, ds_opt_name((ds_opt_type)t));
    add_word(&pos, &col, "(also gd, momentum, amsgrad)");
    if (pos < sizeof details)
        snprintf(details + pos, sizeof details - pos,
                 "\n  keys are the rule's parameters, e.g. sgd:lr=0.1,momentum=0.9,nesterov=1\n"
                 "  (every key and default: man descent, OPTIMIZER SPECS)\n"
                 "schedules: constant, step:every=S,factor=F, exp:k=K, inv:k=K, invsqrt,\n"
                 "  cosine:period=T,min=M, warmup:steps=W; chain with '+'\n"
                 "expressions: numbers, x, y, + - * / ^, ( ), exp log sqrt sin cos tanh abs\n"
                 "Row t is the point after t updates (float32 parameters) and f there.\n"
                 "Exit status: 0 done, 1 runtime failure, 2 bad input, 3 the path left the\n"
                 "finite numbers (the rows up to that step are printed).");
}

/* Checks the options and builds everything the run needs; exit status or -1. */
static int prepare(cli_fn *f, ds_opt_params *p, ds_schedule *s, double *x0, double *y0)
{
    if (!o.fn.fn) return cli_usage_error(&trace_cmd, "missing --fn F (see descent trace --help)");
    if (!o.start) return cli_usage_error(&trace_cmd, "missing --start X,Y");
    if (!o.opt) return cli_usage_error(&trace_cmd, "missing --opt SPEC (e.g. adam:lr=0.05)");
    if (o.steps == STEPS_UNSET) return cli_usage_error(&trace_cmd, "missing --steps N");
    if (o.steps < 0 || o.steps > MAX_STEPS)
        return cli_usage_error(&trace_cmd, "--steps must be 0..%ld (got %ld)", MAX_STEPS, o.steps);
    int rc = cli_fn_load(&trace_cmd, &o.fn, f);
    if (rc >= 0) return rc;
    if (cli_parse_pair(o.start, x0, y0) != 0)
        return cli_usage_error(&trace_cmd, "--start expects X,Y (two numbers), got '%s'", o.start);
    if (ds_opt_parse(o.opt, p) != DS_OK) return cli_option_error(&trace_cmd, "opt");
    if (ds_schedule_parse(o.schedule, s) != DS_OK) return cli_option_error(&trace_cmd, "schedule");
    return -1;
}

static void print_rows(const double *out, long rows)
{
    printf("step,x,y,loss\n");
    /* x and y are float32 values: %.9g prints them exactly; loss is double. */
    for (long t = 0; t < rows; t++)
        printf("%ld,%.9g,%.9g,%.17g\n", t, out[3 * t], out[3 * t + 1], out[3 * t + 2]);
}

/* Runs the optimizer and prints its path; exit status. */
static int trace_rows(const ds_fn2d *f, const ds_opt_params *p, const ds_schedule *s, double x0,
                      double y0)
{
    double *out = malloc(sizeof(double) * 3 * (size_t)(o.steps + 1));
    if (!out) {
        fprintf(stderr, "descent trace: out of memory for %ld rows\n", o.steps + 1);
        return CLI_EXIT_FAIL;
    }
    long rows = 0;
    ds_status st = ds_fn2d_trace(f, p, s, x0, y0, o.steps, out, &rows);
    if (st == DS_OK || st == DS_ERR_NONFINITE) print_rows(out, rows);
    free(out);
    if (st == DS_OK) return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    fflush(stdout);
    return cli_lib_error(&trace_cmd, st == DS_ERR_NONFINITE ? CLI_EXIT_DIVERGED
                                     : st == DS_ERR_INVALID ? CLI_EXIT_USAGE
                                                            : CLI_EXIT_FAIL);
}

static int run_trace(int argc, char **argv)
{
    fill_details();
    int rc = cli_parse(&trace_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    cli_fn f = {0};
    ds_opt_params p;
    ds_schedule s;
    double x0, y0;
    if ((rc = prepare(&f, &p, &s, &x0, &y0)) < 0) rc = trace_rows(f.f, &p, &s, x0, y0);
    cli_fn_free(&f);
    return rc;
}

const cli_subcommand cli_cmd_trace = {&trace_cmd, run_trace};
