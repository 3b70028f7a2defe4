/* compare.h - `descent compare`'s study (doc/compare.md): DeepOBS-style
 * test problems (Schneider, Balles and Hennig, ICLR 2019), every optimizer
 * tuned on the learning-rate grid of `descent tune` and its best rate rerun
 * over seeds, then summarised (mean and spread over seeds, epochs to a
 * target, Dolan-More performance profiles) and drawn as one HTML page.
 * Program-side code (descent_app), like report.h.
 *
 * This file holds the results and what is computed from them; the runs
 * themselves are the program's (src/cli/compare_run.c): the model problems
 * go through `descent train`'s own option code so that a run's numbers are
 * the numbers `descent train` prints for the same setting. */
#ifndef DESCENT_COMPARE_H
#define DESCENT_COMPARE_H

#include "descent/error.h"
#include "descent/strbuf.h"

#include <stddef.h>

#define APP_CMP_MAX_GRID  8 /* 5 coarse + 3 finer rates (report.h's APP_TUNE_*) */
#define APP_CMP_MAX_SEEDS 16
#define APP_CMP_MAX_OPTS  16
#define APP_CMP_MAX_PROBS 8

/* One training run: a problem, an optimizer at one rate, one seed. */
typedef struct app_cmp_run {
    double lr;
    long seed;
    int done;          /* finished (results below valid) */
    int diverged;      /* a non-finite or exploding loss stopped it */
    double rank_loss;  /* what ranks the rates: validation loss (test loss for the
                          function problems, whose test is the noise-free loss) */
    double test_loss;  /* final */
    double test_acc;   /* final; NaN for problems without classes */
    double train_loss; /* mean loss of the last epoch */
    int nepochs;       /* epochs completed: curve[0 .. nepochs) */
    double *curve;     /* mean training loss per epoch (owned) */
} app_cmp_run;

/* One problem x optimizer: its grid (coarse first, then finer) and the
 * seeds of its best rate (seeds[0] is the grid run at that rate). */
typedef struct app_cmp_cell {
    int ngrid, ncoarse, best; /* best: index in grid, -1 if every rate diverged */
    app_cmp_run grid[APP_CMP_MAX_GRID];
    app_cmp_run seeds[APP_CMP_MAX_SEEDS];
    /* summary (app_cmp_summarise) */
    double mean, sd; /* of the final metric over the seeds; NaN if diverged */
    int ncurve;      /* epochs of the curves below (0: every seed diverged) */
    double *mean_curve, *lo_curve, *hi_curve; /* per epoch, over the seeds (one owned block) */
    int to_target; /* first epoch (1-based) the mean curve is <= the target; -1: never */
} app_cmp_cell;

typedef struct app_cmp_problem {
    const char *name;
    const char *source;  /* where its definition comes from */
    const char *command; /* the `descent train` or `descent trace` arguments of a
                            run, tab-separated, less --opt and --seed (NULL: none,
                            quadratic_deep) */
    int classify;        /* metric: test accuracy (higher is better), else test loss */
    int epochs;
    double target;  /* training loss the time-to-target counts to (app_cmp_summarise) */
    double optimum; /* the lowest test loss there is (NaN: unknown) */
    /* Published results on DeepOBS's own instance of the problem (NaN if
     * none; doc/compare.md has the source): the final test metric of SGD,
     * momentum and Adam at their default rates and DeepOBS's full budget */
    double deepobs[3];
} app_cmp_problem;

typedef struct app_cmp_study {
    const char *budget;
    int seeds, nprob, nopt;
    app_cmp_problem prob[APP_CMP_MAX_PROBS];
    const char *opt[APP_CMP_MAX_OPTS]; /* the optimizer specs as given */
    app_cmp_cell cell[APP_CMP_MAX_PROBS][APP_CMP_MAX_OPTS];
    /* Dolan-More profiles (app_cmp_summarise): rho[o][k] = share of problems
     * on which optimizer o reached the target within tau[k] times the
     * fastest optimizer's epochs */
    int ntau;
    double tau[32];
    double rho[APP_CMP_MAX_OPTS][32];
} app_cmp_study;

/* The final metric of a run (accuracy or loss, as the problem says). */
double app_cmp_metric(const app_cmp_problem *p, const app_cmp_run *r);

/* Chooses each cell's best grid rate (app_tune_best: lowest rank_loss,
 * diverged runs never win) into cell->best. */
void app_cmp_pick_best(app_cmp_study *s);

/* Means, spreads, targets, epochs to target and performance profiles from
 * the finished runs. DS_ERR_NOMEM. */
ds_status app_cmp_summarise(app_cmp_study *s);

/* The study as JSON (every number %.17g, non-finite ones null). */
void app_cmp_json(ds_strbuf *b, const app_cmp_study *s);

/* The study as one self-contained HTML page (inline SVG, no script). */
ds_status app_cmp_page(ds_strbuf *b, const app_cmp_study *s);

/* Frees the curves the study's runs and cells own. */
void app_cmp_free(app_cmp_study *s);

#endif
