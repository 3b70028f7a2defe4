/* tune.c - the learning-rate search of the lectures (lectures.md section 9,
 * CS7015 lecture 5): "try a log scale 0.0001, 0.001, 0.01, 0.1, 1.0 for a
 * few epochs each, then a finer search around the best (e.g. 0.05, 0.2,
 * 0.3 around 0.1)". Each trial rebuilds the model from the same seed, so
 * every rate starts from the same weights and sees the same batches. */
#include "report/report.h"

#include <math.h>
#include <stdlib.h>

const double app_tune_coarse_lrs[APP_TUNE_COARSE] = {1e-4, 1e-3, 1e-2, 1e-1, 1.0};

int app_tune_fine_lrs(double best, double *out)
{
    out[0] = best / 2;
    out[1] = best * 2;
    out[2] = best * 3;
    return APP_TUNE_FINE;
}

static void mark_diverged(app_tune_trial *t)
{
    t->diverged = 1;
    t->train_loss = INFINITY;
    t->val_loss = INFINITY;
    t->val_accuracy = NAN;
}

ds_status app_tune_trial_run(const app_tune_setup *s, double lr, app_tune_trial *out)
{
    if (!(lr >= 0) || !isfinite(lr))
        return ds_set_error(DS_ERR_INVALID, "learning rate must be a finite number >= 0 (got %g)",
                            lr);
    ds_opt_params op = s->opt;
    op.lr = lr;
    ds_train_params tp = s->tp;
    tp.progress = NULL; /* trials are quiet; the caller reports them */
    tp.checkpoint = NULL;
    int32_t classes = ds_dataset_classes(s->train); /* for mlp:auto-...-auto */
    size_t outputs = classes > 0 ? (size_t)classes : ds_dataset_outputs(s->train);
    ds_model *m = ds_model_init_data(s->model_spec, ds_dataset_features(s->train), outputs, &s->mp);
    if (!m) return DS_ERR_INVALID; /* bad spec or size: the message says which */
    ds_trainer *t = ds_trainer_init(m, &op, s->train, s->val, &tp);
    if (!t) { /* options or data that do not fit the model: the message says which */
        ds_model_free(m);
        return DS_ERR_INVALID;
    }
    ds_status st = ds_trainer_run(t, 0);
    *out = (app_tune_trial){.lr = lr};
    if (st == DS_ERR_NONFINITE) {
        mark_diverged(out);
        st = DS_OK;
    } else if (st == DS_OK) {
        ds_train_progress last = ds_trainer_last_epoch(t);
        out->train_loss = last.train_loss;
        out->val_loss = last.val_loss;
        out->val_accuracy = last.val_accuracy;
        if (!isfinite(out->train_loss) || (s->val && !isfinite(out->val_loss))) mark_diverged(out);
    }
    ds_trainer_free(t);
    ds_model_free(m);
    return st;
}

int app_tune_best(const app_tune_trial *t, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (t[i].diverged) continue;
        double v = isnan(t[i].val_loss) ? t[i].train_loss : t[i].val_loss;
        double b = best < 0                  ? INFINITY
                   : isnan(t[best].val_loss) ? t[best].train_loss
                                             : t[best].val_loss;
        if (best < 0 || v < b) best = i;
    }
    return best;
}

/* Runs the next trial of the search at lr and tells the caller. */
static ds_status search_trial(const app_tune_setup *s, double lr, app_tune_trial *out, int *count)
{
    int i = *count;
    ds_status st = app_tune_trial_run(s, lr, &out[i]);
    if (st != DS_OK) return st;
    *count = i + 1;
    if (s->on_trial) s->on_trial(s->ctx, i, &out[i]);
    return DS_OK;
}

int app_tune_tried(const app_tune_trial *t, int n, double lr)
{
    for (int i = 0; i < n; i++)
        if (fabs(t[i].lr - lr) <= 1e-9 * lr) return 1;
    return 0;
}

ds_status app_tune_search(const app_tune_setup *s, const double *lrs, int n, int refine,
                          app_tune_trial *out, int *count)
{
    if (!lrs) lrs = app_tune_coarse_lrs, n = APP_TUNE_COARSE;
    *count = 0;
    for (int i = 0; i < n; i++) {
        ds_status st = search_trial(s, lrs[i], out, count);
        if (st != DS_OK) return st;
    }
    int best = app_tune_best(out, n);
    if (!refine || best < 0) return DS_OK;
    double fine[APP_TUNE_FINE];
    int nf = app_tune_fine_lrs(out[best].lr, fine);
    for (int i = 0; i < nf; i++) {
        /* a finer rate the sweep already tried (0.2 = 2 x 0.1 in 0.1/0.2) */
        ds_status st =
            app_tune_tried(out, *count, fine[i]) ? DS_OK : search_trial(s, fine[i], out, count);
        if (st != DS_OK) return st;
    }
    return DS_OK;
}

static int cmp_lr(const void *a, const void *b)
{
    double x = ((const double *)a)[0], y = ((const double *)b)[0];
    return (x > y) - (x < y);
}

/* Packs the finite trials of t[0..n) as (lr, loss) rows sorted by lr. */
static size_t pack(const app_tune_trial *t, int n, double *xy)
{
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (t[i].diverged) continue;
        xy[2 * k] = t[i].lr;
        xy[2 * k + 1] = isnan(t[i].val_loss) ? t[i].train_loss : t[i].val_loss;
        k++;
    }
    qsort(xy, k, 2 * sizeof(double), cmp_lr);
    return k;
}

ds_status app_tune_plot(ds_strbuf *out, const app_tune_trial *t, int n, int ncoarse,
                        const ds_plot_opts *opts)
{
    if (n < 1 || ncoarse < 0 || ncoarse > n)
        return ds_set_error(DS_ERR_INVALID, "tune plot: %d trials, %d coarse", n, ncoarse);
    double *xy = malloc(sizeof(double) * 4 * (size_t)n);
    if (!xy)
        return ds_set_error(DS_ERR_NOMEM, "out of memory allocating %zu bytes for tune plot",
                            (size_t)(sizeof(double) * 4 * (size_t)n));
    size_t nc = pack(t, ncoarse, xy), nf = pack(t + ncoarse, n - ncoarse, xy + 2 * n);
    int has_val = app_tune_best(t, n) >= 0 && !isnan(t[app_tune_best(t, n)].val_loss);
    ds_plot_series s[2] = {
        {"log-scale sweep", NULL, xy, xy + 1, nc, 2, NULL},
        {"finer search", NULL, xy + 2 * n, xy + 2 * n + 1, nf, 2, NULL},
    };
    ds_plot_opts o = *opts;
    o.xscale = DS_PLOT_LOG;
    if (!o.xlabel) o.xlabel = "learning rate";
    if (!o.ylabel) o.ylabel = has_val ? "validation loss" : "training loss";
    ds_status st = ds_plot_lines(out, s, nf ? 2 : 1, &o);
    free(xy);
    return st;
}
