/* report_internal.h - what the lecture report's experiments share: the page
 * writer (figures with captions and data-* attributes), optimizer races on a
 * 2-D function, and the sigmoid neuron's loss over a data set as a 2-D
 * function. Private to src/report (and its tests). */
#ifndef DESCENT_REPORT_INTERNAL_H
#define DESCENT_REPORT_INTERNAL_H

#include "descent/functions.h"
#include "core/text.h"
#include "report/report.h"

#include <stddef.h>

typedef struct ds__report {
    ds_strbuf *out;
    ds_report_params params;
    int nfig;        /* figures so far: each gets its own id prefix */
    char prefix[24]; /* id prefix of the current figure */
} ds__report;

/* One experiment: appends its figures to r->out. */
typedef ds_status (*ds__experiment_fn)(ds__report *r);

/* The experiments, in the lectures' order (report.c's table). */
ds_status ds__exp_guess(ds__report *r);
ds_status ds__exp_plateau(ds__report *r);
ds_status ds__exp_momentum(ds__report *r);
ds_status ds__exp_batches(ds__report *r);
ds_status ds__exp_sparse(ds__report *r);
ds_status ds__exp_quadratic(ds__report *r);
ds_status ds__exp_linesearch(ds__report *r);
ds_status ds__exp_schedules(ds__report *r);
ds_status ds__exp_ewma(ds__report *r);
ds_status ds__exp_tune(ds__report *r);
ds_status ds__exp_race(ds__report *r);

/* ---- page writer (report.c) ---- */

/* Plot options for the next figure: inline fragment, a fresh id prefix,
 * the given title and size. */
ds_plot_opts ds__fig_opts(ds__report *r, const char *title, int width, int height);

/* Opens <figure class="fig" data-name="NAME" data-KEY="VALUE" ...> from
 * (const char *key, double value) pairs ended by NULL; values use %.6g
 * (non-finite ones are written as inf / nan). */
void ds__fig_open(ds__report *r, const char *name, ...);

/* Writes <figcaption> with the formatted, escaped text and closes the figure. */
void ds__fig_close(ds__report *r, const char *fmt, ...) DS__PRINTF(2, 3);

/* "step N", or "never" for N < 0, in buf (for captions). */
const char *ds__when(long step, char *buf, size_t size);

/* A paragraph of escaped, formatted text. */
void ds__para(ds__report *r, const char *fmt, ...) DS__PRINTF(2, 3);

/* ---- optimizer races (race.c) ---- */

#define DS__RACE_MAX 8

/* Several optimizers from one start on one function, as ds_fn2d_trace runs
 * them (float32 parameters). A path that diverges keeps its finite rows. */
typedef struct ds__race {
    int n;
    long steps;
    double *rows[DS__RACE_MAX]; /* (x, y, loss) rows, steps + 1 each */
    long nrows[DS__RACE_MAX];   /* rows written (fewer if it diverged) */
    ds_opt_params opt[DS__RACE_MAX];
    const char *color[DS__RACE_MAX];
    ds_plot_series path[DS__RACE_MAX]; /* (x, y) for maps */
    ds_plot_series loss[DS__RACE_MAX]; /* loss per step for line charts */
} ds__race;

/* Runs specs[i] (ds_opt_parse) named names[i] for `steps` updates each from
 * (x0, y0). Colours follow the lectures (GD black, momentum red, NAG blue).
 * On failure everything is freed. */
ds_status ds__race_run(ds__race *r, const ds_fn2d *f, int n, const char *const *specs,
                       const char *const *names, double x0, double y0, long steps);
void ds__race_free(ds__race *r);

/* Row t of path i (clamped to the last row written). */
const double *ds__race_row(const ds__race *r, int i, long t);

/* Loss after t updates (+inf if the path diverged before t). */
double ds__race_loss(const ds__race *r, int i, long t);

/* First step at which path i's loss is below `level`, or -1. */
long ds__race_first_below(const ds__race *r, int i, double level);

/* A map figure of paths [first, first + n) of the race. */
ds_status ds__race_map(ds__report *r, const ds_fn2d *f, const ds__race *race, int first, int n,
                       const ds_plot_opts *o);

/* A loss-per-step chart of paths [first, first + n) (log y when useful). */
ds_status ds__race_losses(ds__report *r, const ds__race *race, int first, int n,
                          const ds_plot_opts *o);

/* ---- the neuron over a data set (race.c) ---- */

/* The CS7015 sigmoid neuron's loss 1/2 sum_i (sigmoid(w x_i + b) - y_i)^2
 * over a one-feature regression set d, as a 2-D function of (w, b), so its
 * contours and the paths of a trainer on d are drawn on the same surface.
 * The function points at d (its ctx): d must outlive its use. `minimum`
 * (may be NULL) marks the generator's true (w*, b*). */
ds_fn2d ds__neuron_fn(const ds_dataset *d, const double window[4], const double *minimum);

#endif
