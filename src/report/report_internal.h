/* report_internal.h - what the lecture report's experiments share: the page
 * writer (figures with captions and data-* attributes), optimizer races on a
 * 2-D function, and the sigmoid neuron's loss over a data set as a 2-D
 * function. Private to src/report (and its tests). */
#ifndef DESCENT_REPORT_INTERNAL_H
#define DESCENT_REPORT_INTERNAL_H

#include "descent/functions.h"
#include "descent/strbuf.h"
#include "report/report.h"

#include <stddef.h>

typedef struct app_report {
    ds_strbuf *out;
    app_report_params params;
    int nfig;        /* figures so far: each gets its own id prefix */
    char prefix[24]; /* id prefix of the current figure */
} app_report;

/* One experiment: appends its figures to r->out. */
typedef ds_status (*app_experiment_fn)(app_report *r);

/* The experiments, in the lectures' order (report.c's table). */
ds_status app_exp_guess(app_report *r);
ds_status app_exp_plateau(app_report *r);
ds_status app_exp_momentum(app_report *r);
ds_status app_exp_batches(app_report *r);
ds_status app_exp_sparse(app_report *r);
ds_status app_exp_quadratic(app_report *r);
ds_status app_exp_linesearch(app_report *r);
ds_status app_exp_schedules(app_report *r);
ds_status app_exp_ewma(app_report *r);
ds_status app_exp_tune(app_report *r);
ds_status app_exp_race(app_report *r);

/* ---- page writer (report.c) ---- */

/* Opens a page: doctype, head with the title and the report's style, body
 * and the heading (both escaped). The caller closes body and html. */
void app_page_open(app_report *r, const char *title, const char *heading);

/* Plot options for the next figure: inline fragment, a fresh id prefix,
 * the given title and size. */
ds_plot_opts app_fig_opts(app_report *r, const char *title, int width, int height);

/* Opens <figure class="fig" data-name="NAME" data-KEY="VALUE" ...> from
 * (const char *key, double value) pairs ended by NULL; values use %.6g
 * (non-finite ones are written as inf / nan). */
void app_fig_open(app_report *r, const char *name, ...);

/* Writes <figcaption> with the formatted, escaped text and closes the figure. */
void app_fig_close(app_report *r, const char *fmt, ...) DS_PRINTF_LIKE(2, 3);

/* "step N", or "never" for N < 0, in buf (for captions). */
const char *app_when(long step, char *buf, size_t size);

/* A paragraph of escaped, formatted text. */
void app_para(app_report *r, const char *fmt, ...) DS_PRINTF_LIKE(2, 3);

/* A paragraph linking to explorer.html (`descent explore`, written beside
 * the report by tools/main.sh) at this experiment's state: function, start,
 * steps and the n optimizer specs, in the URL hash the explorer reads. */
void app_explore_link(app_report *r, const char *fn, double x0, double y0, long steps,
                      const char *const *specs, int n);

/* ---- optimizer races (race.c) ---- */

#define APP_RACE_MAX 8

/* Several optimizers from one start on one function, as ds_fn2d_trace runs
 * them (float32 parameters). A path that diverges keeps its finite rows. */
typedef struct app_race {
    int n;
    long steps;
    double *rows[APP_RACE_MAX]; /* (x, y, loss) rows, steps + 1 each */
    long nrows[APP_RACE_MAX];   /* rows written (fewer if it diverged) */
    ds_opt_params opt[APP_RACE_MAX];
    const char *color[APP_RACE_MAX];
    ds_plot_series path[APP_RACE_MAX]; /* (x, y) for maps */
    ds_plot_series loss[APP_RACE_MAX]; /* loss per step for line charts */
} app_race;

/* Runs specs[i] (ds_opt_parse) named names[i] for `steps` updates each from
 * (x0, y0). Colours follow the lectures (GD black, momentum red, NAG blue).
 * On failure everything is freed. */
ds_status app_race_run(app_race *r, const ds_fn2d *f, int n, const char *const *specs,
                       const char *const *names, double x0, double y0, long steps);
void app_race_free(app_race *r);

/* Row t of path i (clamped to the last row written). */
const double *app_race_row(const app_race *r, int i, long t);

/* Loss after t updates (+inf if the path diverged before t). */
double app_race_loss(const app_race *r, int i, long t);

/* First step at which path i's loss is below `level`, or -1. */
long app_race_first_below(const app_race *r, int i, double level);

/* A map figure of paths [first, first + n) of the race. */
ds_status app_race_map(app_report *r, const ds_fn2d *f, const app_race *race, int first, int n,
                       const ds_plot_opts *o);

/* A loss-per-step chart of paths [first, first + n) (log y when useful). */
ds_status app_race_losses(app_report *r, const app_race *race, int first, int n,
                          const ds_plot_opts *o);

/* ---- the neuron over a data set (race.c) ---- */

/* The CS7015 sigmoid neuron's loss 1/2 sum_i (sigmoid(w x_i + b) - y_i)^2
 * over a one-feature regression set d, as a 2-D function of (w, b), so its
 * contours and the paths of a trainer on d are drawn on the same surface.
 * The function points at d (its ctx): d must outlive its use. `minimum`
 * (may be NULL) marks the generator's true (w*, b*). */
ds_fn2d app_neuron_fn(const ds_dataset *d, const double window[4], const double *minimum);

#endif
