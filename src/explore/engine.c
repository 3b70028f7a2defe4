/* engine.c - the explorer's engine: descent's own functions, optimizers and
 * schedules (src/core, src/optim, src/schedule, src/functions), compiled to
 * WebAssembly (src/explore/explore.cmake) and driven by page.js. Every path
 * the page draws comes from ds_fn2d_trace, the same call `descent trace`
 * makes, and its CSV is written with the same format, so the page's data and
 * the command line's agree byte for byte (tests/cli/explorer_engine.sh).
 *
 * The interface is a handful of exported functions over static buffers:
 * the page writes a string into input_buffer() and calls the setter that
 * reads it; results come back as pointers into the module's memory. A
 * failing call returns non-zero and leaves message() set. Program-side code:
 * the public API only, names app_explore_*. */
#include "descent/functions.h"
#include "descent/optim.h"
#include "descent/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(#name)))

enum {
    SLOTS = 6,           /* optimizers side by side */
    MAX_STEPS = 100000,  /* per optimizer, as the page's step field allows */
    INPUT_MAX = 4096,    /* one spec or expression */
    GRID_MAX = 256 * 256 /* contour grid points */
};

typedef struct slot {
    ds_opt_params opt;
    ds_schedule sched;
    double *rows; /* (x, y, loss) per row, `nrows` of them */
    long nrows, cap;
    int status; /* ds_status of the last run: DS_ERR_NONFINITE = diverged */
} slot;

static char input[INPUT_MAX + 1];
static char message[1024];
static const ds_fn2d *fn, *base; /* fn: what runs (base or noisy) */
static ds_fn2d *noisy;
static double noise;
static uint64_t noise_seed;
static double start[2] = {-1.5, 2.0};
static slot slots[SLOTS];
static double info[6 + 8], grid_values[GRID_MAX], grad_out[3];
static char text_out[1024];
static char *csv;
static size_t csv_cap;

/* Keeps the library's message for message(); returns the status. */
static int fail(ds_status st)
{
    snprintf(message, sizeof message, "%s", ds_last_error());
    return (int)st;
}

EXPORT(input_buffer) char *app_explore_input_buffer(void)
{
    return input;
}
EXPORT(input_capacity) int app_explore_input_capacity(void)
{
    return INPUT_MAX;
}
EXPORT(message) const char *app_explore_message(void)
{
    return message;
}
EXPORT(slots) int app_explore_slots(void)
{
    return SLOTS;
}
EXPORT(max_steps) int app_explore_max_steps(void)
{
    return MAX_STEPS;
}

/* The i-th built-in function's name, or NULL past the end. */
EXPORT(function_name) const char *app_explore_function_name(int i)
{
    const ds_fn2d *const *all = ds_fn2d_all();
    for (int k = 0; all[k]; k++)
        if (k == i) return all[k]->name;
    return NULL;
}

/* Rule `type`'s default spec, every key with its value ("adam:lr=0.001,..."). */
EXPORT(default_spec) const char *app_explore_default_spec(int type)
{
    if (type < 0 || type >= DS_OPT_COUNT) return NULL;
    ds_opt_params p = ds_opt_default_params((ds_opt_type)type);
    ds_opt_format(&p, text_out, sizeof text_out);
    return text_out;
}

/* fn: base, or base with gradient noise (noisy) when noise > 0. */
static void pick_function(void)
{
    fn = noisy ? noisy : base;
}

/* The function named or spelt out by input (ds_fn2d_parse); the noise
 * setting carries over. */
EXPORT(set_function) int app_explore_set_function(void)
{
    const ds_fn2d *f = NULL;
    ds_status st = ds_fn2d_parse(input, &f);
    if (st != DS_OK) return fail(st);
    ds_fn2d *n = NULL;
    if (noise > 0 && (st = ds_fn2d_noisy(f, noise, noise_seed, &n)) != DS_OK) {
        ds_fn2d_free(f);
        return fail(st);
    }
    ds_fn2d_free(noisy);
    ds_fn2d_free(base);
    base = f;
    noisy = n;
    pick_function();
    return 0;
}

/* Gradient noise as `descent trace --noise SIGMA --seed S` (0: none). */
EXPORT(set_noise) int app_explore_set_noise(double sigma, double seed)
{
    ds_fn2d *n = NULL;
    if (!base || !(seed >= 0 && seed < 9007199254740992.0)) return (int)DS_ERR_INVALID;
    ds_status st = sigma > 0 ? ds_fn2d_noisy(base, sigma, (uint64_t)seed, &n) : DS_OK;
    if (st != DS_OK) return fail(st);
    ds_fn2d_free(noisy);
    noisy = n;
    noise = sigma > 0 ? sigma : 0;
    noise_seed = (uint64_t)seed;
    pick_function();
    return 0;
}

/* window x0 x1 y0 y1, log_levels, n_minima, then the minima's (x, y). */
EXPORT(function_info) const double *app_explore_function_info(void)
{
    if (!fn) return NULL;
    memcpy(info, fn->window, sizeof fn->window);
    info[4] = fn->log_levels;
    info[5] = fn->n_minima;
    for (int i = 0; i < fn->n_minima; i++) {
        info[6 + 2 * i] = fn->minima[i][0];
        info[7 + 2 * i] = fn->minima[i][1];
    }
    return info;
}

/* f and its gradient at (x, y): value, df/dx, df/dy. */
EXPORT(gradient) const double *app_explore_gradient(double x, double y)
{
    if (!fn) return NULL;
    grad_out[0] = fn->eval(fn, x, y, grad_out + 1);
    return grad_out;
}

/* f on an nx x ny grid over [x0, x1] x [y0, y1], rows of constant y from y0. */
EXPORT(grid)
const double *app_explore_grid(int nx, int ny, double x0, double x1, double y0, double y1)
{
    if (!fn || nx < 2 || ny < 2 || (long)nx * ny > GRID_MAX) return NULL;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            grid_values[j * nx + i] =
                fn->eval(fn, x0 + (x1 - x0) * i / (nx - 1), y0 + (y1 - y0) * j / (ny - 1), NULL);
    return grid_values;
}

EXPORT(set_start) void app_explore_set_start(double x, double y)
{
    start[0] = x;
    start[1] = y;
}

/* Slot i's optimizer from the spec in input ("adam:lr=0.05,beta2=0.99"). */
EXPORT(set_optimizer) int app_explore_set_optimizer(int i)
{
    if (i < 0 || i >= SLOTS) return (int)DS_ERR_INVALID;
    ds_status st = ds_opt_parse(input, &slots[i].opt);
    return st == DS_OK ? 0 : fail(st);
}

/* Slot i's learning-rate schedule from input ("" = constant). */
EXPORT(set_schedule) int app_explore_set_schedule(int i)
{
    if (i < 0 || i >= SLOTS) return (int)DS_ERR_INVALID;
    ds_status st = ds_schedule_parse(input, &slots[i].sched);
    return st == DS_OK ? 0 : fail(st);
}

/* The canonical text of slot i's optimizer (0) or schedule (1). */
EXPORT(canonical) const char *app_explore_canonical(int i, int what)
{
    if (i < 0 || i >= SLOTS) return NULL;
    if (what == 0)
        ds_opt_format(&slots[i].opt, text_out, sizeof text_out);
    else
        ds_schedule_format(&slots[i].sched, text_out, sizeof text_out);
    return text_out;
}

/* The learning rate of update t of slot i under its schedule. */
EXPORT(lr_at) double app_explore_lr_at(int i, int t)
{
    if (i < 0 || i >= SLOTS) return 0.0;
    return ds_schedule_lr(&slots[i].sched, slots[i].opt.lr, t);
}

/* Runs slot i for `steps` updates from the start point; the number of rows
 * (steps + 1, fewer if the path left the finite numbers), or -1 on error. */
EXPORT(run) long app_explore_run(int i, long steps)
{
    if (i < 0 || i >= SLOTS || !fn || steps < 0 || steps > MAX_STEPS) return -1;
    slot *s = &slots[i];
    if (s->cap < steps + 1) {
        double *rows = realloc(s->rows, sizeof(double) * 3 * (size_t)(steps + 1));
        if (!rows) return -1;
        s->rows = rows;
        s->cap = steps + 1;
    }
    s->status =
        (int)ds_fn2d_trace(fn, &s->opt, &s->sched, start[0], start[1], steps, s->rows, &s->nrows);
    if (s->status != DS_OK) fail((ds_status)s->status);
    return s->status == DS_OK || s->status == DS_ERR_NONFINITE ? s->nrows : -1;
}

/* Slot i's rows (x, y, loss), as many as its last run returned. */
EXPORT(path) const double *app_explore_path(int i)
{
    return i >= 0 && i < SLOTS ? slots[i].rows : NULL;
}

/* The ds_status of slot i's last run. */
EXPORT(status) int app_explore_status(int i)
{
    return i >= 0 && i < SLOTS ? slots[i].status : (int)DS_ERR_INVALID;
}

/* Slot i's path as `descent trace` prints it (cmd_trace.c's print_rows):
 * the header, then step,x,y,loss with x and y at %.9g, loss at %.17g. */
EXPORT(csv) const char *app_explore_csv(int i)
{
    if (i < 0 || i >= SLOTS) return NULL;
    const slot *s = &slots[i];
    size_t need = 16 + (size_t)s->nrows * 80, len;
    if (csv_cap < need) {
        char *grown = realloc(csv, need);
        if (!grown) return NULL;
        csv = grown;
        csv_cap = need;
    }
    len = (size_t)snprintf(csv, csv_cap, "step,x,y,loss\n");
    for (long t = 0; t < s->nrows; t++) {
        const double *r = s->rows + 3 * t;
        len += (size_t)snprintf(csv + len, csv_cap - len, "%ld,%.9g,%.9g,%.17g\n", t, r[0], r[1],
                                r[2]);
    }
    return csv;
}
