/* exp_data.c - the report's experiments on data sets, run through the
 * library's models, data and trainer (lectures.md sections 1, 4 and 9):
 * stochastic, mini-batch and batch GD on the same points (CS7015 lecture 5,
 * Ng), lecture 4's sparse set with adaptive rates (Duchi et al. 2011,
 * Adagrad; Hinton's RMSProp; Kingma and Ba 2015, Adam; Reddi et al. 2018,
 * AMSGrad), and the log-scale learning-rate search (CS7015). */
#include "report/report_internal.h"

#include "descent/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The generators' true neuron (data.h: w* = 2, b* = -1). */
static const double truth[2] = {2, -1};

/* ---- 4. stochastic, mini-batch and batch ---- */

#define BATCH_POINTS 12
#define BATCH_EPOCHS 15
#define BATCH_LR     1.5
#define BATCH_NOISE  0.15 /* target noise, so no (w, b) fits every point exactly */

/* Rows of (w, b, loss over all data, epoch) after every step of a run. */
typedef struct walk {
    ds_model *m;
    const ds_fn2d *f;
    double *rows;
    size_t n, cap, per_epoch;
} walk;

static void walk_push(walk *k)
{
    const float *p = ds_model_param_data(k->m);
    double *row = k->rows + 4 * k->n;
    row[0] = p[0], row[1] = p[1], row[2] = k->f->eval(k->f, p[0], p[1], NULL);
    row[3] = (double)k->n / (double)k->per_epoch;
    k->n++;
}

static int on_step(void *ctx, const ds_train_progress *p)
{
    walk *k = ctx;
    if (!p->epoch_end && k->n < k->cap) walk_push(k);
    return 0;
}

/* Trains the neuron from w = b = -2 with plain SGD in batches of `batch`. */
static ds_status walk_run(walk *k, const ds_dataset *d, size_t batch)
{
    ds_model_params mp = ds_model_default_params();
    mp.init = DS_INIT_CONST, mp.init_value = -2, mp.loss = DS_LOSS_SSE;
    ds_opt_params op = ds_opt_default_params(DS_OPT_SGD);
    op.lr = BATCH_LR;
    ds_train_params tp = ds_train_default_params();
    tp.epochs = BATCH_EPOCHS, tp.batch = batch, tp.seed = 1, tp.threads = 1;
    tp.progress = on_step, tp.progress_ctx = k;
    size_t rows = ds_dataset_rows(d), b = batch == DS_BATCH_FULL ? rows : batch;
    k->per_epoch = (rows + b - 1) / b;
    k->cap = k->per_epoch * BATCH_EPOCHS + 1;
    k->rows = malloc(sizeof(double) * 4 * k->cap);
    if (!k->rows)
        return ds_set_error(DS_ERR_NOMEM, "out of memory allocating %zu bytes for walk rows",
                            (size_t)(sizeof(double) * 4 * k->cap));
    if (!(k->m = ds_model_init("neuron", 1, &mp))) return DS_ERR_INVALID;
    walk_push(k);
    ds_trainer *t = ds_trainer_init(k->m, &op, d, NULL, &tp);
    if (!t) return DS_ERR_INVALID;
    ds_status st = ds_trainer_run(t, 0);
    ds_trainer_free(t);
    return st;
}

/* Share of steps after which the loss over all data went up. */
static double rise_share(const walk *k)
{
    size_t up = 0;
    for (size_t i = 1; i < k->n; i++)
        up += k->rows[4 * i + 2] > k->rows[4 * (i - 1) + 2];
    return k->n > 1 ? (double)up / (double)(k->n - 1) : 0;
}

/* Length of the path in the (w, b) plane. */
static double path_length(const walk *k)
{
    double len = 0;
    for (size_t i = 1; i < k->n; i++)
        len += hypot(k->rows[4 * i] - k->rows[4 * (i - 1)],
                     k->rows[4 * i + 1] - k->rows[4 * (i - 1) + 1]);
    return len;
}

/* The three runs, batch first so the noisier paths are drawn on top of it. */
enum { RUN_FULL, RUN_MINI, RUN_SGD };

static ds_status batches_figures(app_report *r, const ds_fn2d *f, walk *k)
{
    static const char *const names[] = {"batch (all)", "mini-batch (2)", "stochastic (1)"};
    static const char *const colors[] = {"#000000", "#ff7f0e", "#2ca02c"};
    ds_plot_series path[3], loss[3];
    double fin[3], rise[3], steps[3], len[3];
    for (int i = 0; i < 3; i++) {
        path[i] = (ds_plot_series){names[i], colors[i], k[i].rows, k[i].rows + 1, k[i].n, 4, NULL};
        loss[i] =
            (ds_plot_series){names[i], colors[i], k[i].rows + 3, k[i].rows + 2, k[i].n, 4, NULL};
        fin[i] = k[i].rows[4 * (k[i].n - 1) + 2], rise[i] = rise_share(&k[i]);
        steps[i] = (double)(k[i].n - 1), len[i] = path_length(&k[i]);
    }
    ds_plot_opts o = app_fig_opts(r, "Paths on the loss over the same points", 720, 460);
    o.xlabel = "w", o.ylabel = "b";
    app_fig_open(r, "batches-path", "sgd-length", len[RUN_SGD], "mini-length", len[RUN_MINI],
                 "batch-length", len[RUN_FULL], (char *)NULL);
    ds_status st = ds_plot_map(r->out, f, path, 3, &o);
    app_fig_close(r,
                  "%d points, eta = %g, %d epochs each. Batch GD takes %.0f steps, %.2f long on "
                  "average, down the gradient of all points; mini-batch GD %.0f steps of "
                  "%.3f; stochastic GD %.0f steps of %.3f, each following one point's "
                  "gradient, so its path wanders.",
                  BATCH_POINTS, BATCH_LR, BATCH_EPOCHS, steps[RUN_FULL],
                  len[RUN_FULL] / steps[RUN_FULL], steps[RUN_MINI], len[RUN_MINI] / steps[RUN_MINI],
                  steps[RUN_SGD], len[RUN_SGD] / steps[RUN_SGD]);
    if (st != DS_OK) return st;
    o = app_fig_opts(r, "Loss over all points after every update", 720, 320);
    o.xlabel = "epoch", o.ylabel = "loss", o.yscale = DS_PLOT_LOG;
    app_fig_open(r, "batches-loss", "sgd-rise", rise[RUN_SGD], "mini-rise", rise[RUN_MINI],
                 "batch-rise", rise[RUN_FULL], "sgd-final", fin[RUN_SGD], "batch-final",
                 fin[RUN_FULL], (char *)NULL);
    st = ds_plot_lines(r->out, loss, 3, &o);
    app_fig_close(r,
                  "The loss over all points after each update: it rose after %.0f%% of batch "
                  "GD's updates, %.0f%% of mini-batch's and %.0f%% of stochastic GD's. Loss "
                  "after %d epochs: stochastic %.3g, mini-batch %.3g, batch %.3g.",
                  100 * rise[RUN_FULL], 100 * rise[RUN_MINI], 100 * rise[RUN_SGD], BATCH_EPOCHS,
                  fin[RUN_SGD], fin[RUN_MINI], fin[RUN_FULL]);
    return st;
}

/* Targets y + N(0, BATCH_NOISE^2), kept inside (0, 1) where the sigmoid lives. */
static void add_noise(ds_dataset *d)
{
    ds_rng g = ds_rng_seed(11);
    float *y = ds_dataset_targets(d);
    for (size_t i = 0; i < ds_dataset_rows(d); i++)
        y[i] = (float)fmin(0.99, fmax(0.01, y[i] + BATCH_NOISE * ds_rng_normal(&g)));
}

ds_status app_exp_batches(app_report *r)
{
    ds_dataset *d = NULL;
    ds_status st = ds_gen_sparse(BATCH_POINTS, 1, 0.0, 7, &d);
    if (st != DS_OK) return st;
    add_noise(d);
    static const double win[4] = {-3, 5, -5, 3};
    const ds_fn2d fn = app_neuron_fn(d, win, NULL); /* the noise moved the minimum off (w*, b*) */
    const ds_fn2d *f = &fn;
    walk k[3];
    memset(k, 0, sizeof k);
    static const size_t sizes[3] = {DS_BATCH_FULL, 2, 1};
    for (int i = 0; i < 3 && st == DS_OK; i++) {
        k[i].f = f;
        st = walk_run(&k[i], d, sizes[i]);
    }
    if (st == DS_OK) st = batches_figures(r, f, k);
    for (int i = 0; i < 3; i++) {
        ds_model_free(k[i].m);
        free(k[i].rows);
    }
    ds_dataset_free(d);
    return st;
}

/* ---- 5. sparse features ---- */

#define SPARSE_STEPS 300
#define SPARSE_EARLY 50 /* steps over which the share of moves along w is measured */

/* Share of the path length along w over the first `steps` steps. */
static double w_share(const app_race *race, int i, long steps)
{
    double dw = 0, db = 0;
    for (long t = 1; t <= steps && t < race->nrows[i]; t++) {
        dw += fabs(race->rows[i][3 * t] - race->rows[i][3 * (t - 1)]);
        db += fabs(race->rows[i][3 * t + 1] - race->rows[i][3 * (t - 1) + 1]);
    }
    return dw + db > 0 ? dw / (dw + db) : 0;
}

static ds_status sparse_figures(app_report *r, const ds_fn2d *f, const app_race *race)
{
    double share[7], fin[7];
    for (int i = 0; i < race->n; i++)
        share[i] = w_share(race, i, SPARSE_EARLY), fin[i] = app_race_loss(race, i, SPARSE_STEPS);
    ds_plot_opts o = app_fig_opts(r, "GD, momentum, NAG and Adagrad on sparse data", 720, 460);
    o.xlabel = "w", o.ylabel = "b";
    app_fig_open(r, "sparse-momentum", "gd-wshare", share[0], "momentum-wshare", share[1],
                 "nag-wshare", share[2], "adagrad-wshare", share[3], "gd-final", fin[0],
                 "adagrad-final", fin[3], (char *)NULL);
    ds_status st = app_race_map(r, f, race, 0, 4, &o);
    app_fig_close(r,
                  "GD (eta 0.05), momentum and NAG (eta 0.01, gamma 0.9): over the first %d "
                  "steps only %.0f%% of GD's movement is along w (momentum %.0f%%, NAG %.0f%%): "
                  "the feature is 0 for most points, so dL/dw is small. "
                  "Adagrad divides by the root of each parameter's own squared-gradient sum, "
                  "so w moves too: %.0f%% of its movement. Loss after %d steps: GD %.3g, "
                  "Adagrad %.3g.",
                  SPARSE_EARLY, 100 * share[0], 100 * share[1], 100 * share[2], 100 * share[3],
                  SPARSE_STEPS, fin[0], fin[3]);
    if (st != DS_OK) return st;
    o = app_fig_opts(r, "Adagrad, RMSProp, Adam and AMSGrad", 720, 460);
    o.xlabel = "w", o.ylabel = "b";
    app_fig_open(r, "sparse-adaptive", "adagrad-final", fin[3], "rmsprop-final", fin[4],
                 "adam-final", fin[5], "amsgrad-final", fin[6], (char *)NULL);
    st = app_race_map(r, f, race, 3, 4, &o);
    app_fig_close(r,
                  "RMSProp averages squared gradients instead of summing them, so its rate "
                  "does not decay away; Adam adds momentum, AMSGrad keeps the largest average. "
                  "Loss after %d steps: Adagrad %.3g, RMSProp %.3g, Adam %.3g, AMSGrad %.3g.",
                  SPARSE_STEPS, fin[3], fin[4], fin[5], fin[6]);
    return st;
}

ds_status app_exp_sparse(app_report *r)
{
    ds_dataset *d = NULL;
    ds_status st = ds_gen_sparse(100, 1, 0.8, 3, &d);
    if (st != DS_OK) return st;
    static const double win[4] = {-4, 4, -6, 4};
    const ds_fn2d fn = app_neuron_fn(d, win, truth), *f = &fn;
    const char *spec[] = {"sgd:lr=0.05",    "sgd:lr=0.01,momentum=0.9", "nag:lr=0.01,momentum=0.9",
                          "adagrad:lr=0.5", "rmsprop:lr=0.02",          "adam:lr=0.05",
                          "amsgrad:lr=0.05"};
    const char *name[] = {"GD", "momentum", "NAG", "Adagrad", "RMSProp", "Adam", "AMSGrad"};
    app_race race;
    if ((st = app_race_run(&race, f, 7, spec, name, -3, 3, SPARSE_STEPS)) == DS_OK) {
        st = sparse_figures(r, f, &race);
        app_race_free(&race);
    }
    ds_dataset_free(d);
    return st;
}
