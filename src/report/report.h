/* report.h - the lecture report and the learning-rate search: program-side
 * code (the descent_app target, linked into the program only; not part of
 * libdescent).
 *
 * app_report_lectures() runs every experiment the lectures show (spec
 * lectures.md, sections 1-12) with the library itself and appends one
 * self-contained HTML page to a ds_strbuf: inline SVG figures (plot.h),
 * inline CSS, no script (animations are SMIL), no external reference. Each
 * figure carries a caption whose numbers come from the run, and the same
 * numbers as data-* attributes on its <figure> so tests can check them.
 *
 * ds_tune_*() is the learning-rate search of lectures.md section 9 (CS7015):
 * short trials on a log scale 1e-4 .. 1, then a finer search around the best
 * (best/2, 2 best, 3 best: 0.05, 0.2, 0.3 around 0.1). `descent tune` and the
 * report's experiment 10 both use it.
 *
 * Errors: a ds_status with a message in ds_last_error(); on failure the
 * buffer may hold a partial page, which the caller discards. Nothing is
 * printed. */
#ifndef DESCENT_REPORT_H
#define DESCENT_REPORT_H

#include "descent/data.h"
#include "descent/error.h"
#include "descent/model.h"
#include "descent/optim.h"
#include "descent/plot.h"
#include "descent/train.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the report ------------------------------------------------------ */

typedef struct app_report_params {
    /* Data of experiment 10's learning-rate sweep (a ds_data_load spec);
     * NULL: a 3000-row slice of Fashion-MNIST if installed, else blobs. */
    const char *tune_data;
} app_report_params;

/* The defaults of `descent lectures`: see the field comments above. */
app_report_params app_report_default_params(void);

/* Number of sections (experiments) and the title of section i (0-based). */
int app_report_section_count(void);
const char *app_report_section_title(int i);

/* Runs every experiment and appends the page to out. p NULL: defaults. */
ds_status app_report_lectures(ds_strbuf *out, const app_report_params *p);

/* Reddi, Kale and Kumar 2018 ("On the Convergence of Adam and Beyond",
 * section 3 and the synthetic experiment of section 5): the online problem
 * f_t(x) = 1010 x if t mod 3 == 1, else -10 x, for t = 1, 2, ..., with x
 * projected onto [-1, 1] after every step. The optimum is x = -1. Runs the
 * optimizer p from x = x0 for `steps` steps and writes x after each step
 * into xs[0 .. steps-1] (xs may be NULL); *x_out gets the last x. Rules that
 * need an objective callback are rejected (DS_ERR_UNSUPPORTED). */
ds_status app_reddi_run(const ds_opt_params *p, double x0, long steps, double *xs, double *x_out);

/* ---- learning-rate search --------------------------------------------- */

/* The coarse grid of the lectures: 1e-4, 1e-3, 1e-2, 1e-1, 1. */
#define APP_TUNE_COARSE 5
extern const double app_tune_coarse_lrs[APP_TUNE_COARSE];

/* Finer candidates around `best` (best / 2, 2 best, 3 best), written to
 * out[0..2]; returns 3. */
#define APP_TUNE_FINE 3
int app_tune_fine_lrs(double best, double *out);

/* One training run of the search. */
typedef struct app_tune_trial {
    double lr;
    double train_loss;   /* last epoch's mean training loss; +inf if it diverged */
    double val_loss;     /* on the validation set; NaN without one; +inf if diverged */
    double val_accuracy; /* NaN without a validation set, for regression, or if diverged */
    int diverged;        /* the loss or a gradient became non-finite */
} app_tune_trial;

/* Told about each finished trial (index i of the search), e.g. to print it
 * while the next one trains. */
typedef void (*app_tune_callback)(void *ctx, int i, const app_tune_trial *t);

/* What every trial starts from: the model is rebuilt from `model_spec`
 * with `mp` (same seed, so the same initial weights) for each rate. */
typedef struct app_tune_setup {
    const char *model_spec;
    ds_model_params mp;
    ds_opt_params opt;  /* its lr is replaced by each trial's */
    ds_train_params tp; /* epochs per trial, batch, seed, schedule, ...; the
                           progress callback is not used */
    const ds_dataset *train;
    const ds_dataset *val;      /* may be NULL: trials are then ranked by train loss */
    app_tune_callback on_trial; /* NULL: none (app_tune_search only) */
    void *ctx;
} app_tune_setup;

/* Trains one model at rate lr. A diverged run is a result (diverged = 1),
 * not an error; other failures (bad options, sizes) return their status. */
ds_status app_tune_trial_run(const app_tune_setup *s, double lr, app_tune_trial *out);

/* Index of the best trial: lowest validation loss (training loss if the
 * trials have none), diverged trials never win; -1 if all diverged. */
int app_tune_best(const app_tune_trial *t, int n);

/* 1 if lr is one of the rates of t[0..n) (equal up to rounding: 0.1 * 3 is
 * 0.30000000000000004, yet the same rate as 0.3). */
int app_tune_tried(const app_tune_trial *t, int n, double lr);

/* The whole search: trials at `lrs` (n of them; NULL = the coarse grid),
 * then, if `refine`, at those of app_tune_fine_lrs around the best that
 * were not tried yet. Writes up to n + APP_TUNE_FINE trials (coarse first,
 * in the given order) to out and their count to *count. */
ds_status app_tune_search(const app_tune_setup *s, const double *lrs, int n, int refine,
                          app_tune_trial *out, int *count);

/* A line chart of validation loss (training loss without validation)
 * against rate, log x axis, coarse and fine trials as two series; the
 * diverged trials are left out. Appends an SVG document (opts as plot.h). */
ds_status app_tune_plot(ds_strbuf *out, const app_tune_trial *t, int n, int ncoarse,
                        const ds_plot_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
