/* exp_tune.c - the report's experiment 10: CS7015's learning-rate search
 * (a few epochs at 0.0001 ... 1 on a log scale, then a finer search around
 * the best) on a small real task: softmax regression on a slice of
 * Fashion-MNIST (Xiao et al. 2017) when Debian's package is installed, else
 * on generated Gaussian blobs. The search itself is tune.c's. */
#include "report/report_internal.h"

#include <math.h>
#include <stdio.h>

#define TUNE_EPOCHS 3

static const char *const default_data = "fashion-mnist:limit=3000";
static const char *const fallback_data = "blobs:n=3000,features=20,classes=5,spread=4";

static ds_status load(const app_report *r, ds_data *d, const char **used)
{
    *used = r->params.tune_data ? r->params.tune_data : default_data;
    ds_status st = ds_data_load(*used, 1, d);
    if (st == DS_OK || r->params.tune_data) return st;
    *used = fallback_data;
    return ds_data_load(*used, 1, d);
}

static void trial_table(app_report *r, const app_tune_trial *t, int n, int ncoarse, int best)
{
    ds_strbuf_puts(r->out, "<table><tr><th>search</th><th>learning rate</th><th>train loss</th>"
                           "<th>val loss</th><th>val accuracy</th></tr>\n");
    for (int i = 0; i < n; i++) {
        ds_strbuf_printf(r->out, "<tr%s><td>%s</td><td>%g</td>", i == best ? " class=\"best\"" : "",
                         i < ncoarse ? "log scale" : "finer", t[i].lr);
        if (t[i].diverged)
            ds_strbuf_puts(r->out, "<td colspan=\"3\">diverged</td></tr>\n");
        else
            ds_strbuf_printf(r->out, "<td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>\n",
                             t[i].train_loss, t[i].val_loss, t[i].val_accuracy);
    }
    ds_strbuf_puts(r->out, "</table>\n");
}

static ds_status tune_figures(app_report *r, const app_tune_trial *t, int n, const char *data,
                              const char *model)
{
    int best = app_tune_best(t, n), cbest = app_tune_best(t, APP_TUNE_COARSE);
    if (best < 0) return ds_set_error(DS_ERR_NONFINITE, "every learning-rate trial diverged");
    app_fig_open(r, "tune-table", "best-lr", t[best].lr, "coarse-best-lr", t[cbest].lr,
                 "best-val-loss", t[best].val_loss, "trials", (double)n, (char *)NULL);
    trial_table(r, t, n, APP_TUNE_COARSE, best);
    app_fig_close(r,
                  "%s, %s, plain SGD, batch 32, %d epochs per trial, 20%% held out for "
                  "validation. The log-scale sweep picks %g; the finer search around it picks "
                  "%g (validation loss %.4f, accuracy %.3f).",
                  model, data, TUNE_EPOCHS, t[cbest].lr, t[best].lr, t[best].val_loss,
                  t[best].val_accuracy);
    ds_plot_opts o = app_fig_opts(r, "Validation loss against learning rate", 720, 360);
    app_fig_open(r, "tune-plot", "best-lr", t[best].lr, (char *)NULL);
    ds_status st = app_tune_plot(r->out, t, n, APP_TUNE_COARSE, &o);
    app_fig_close(r,
                  "Too small a rate barely moves in %d epochs (loss %.3f at %g); the loss "
                  "falls to a minimum near %g and rises or diverges past it.",
                  TUNE_EPOCHS, t[0].val_loss, t[0].lr, t[best].lr);
    return st;
}

ds_status app_exp_tune(app_report *r)
{
    ds_data d = {0};
    const char *used;
    ds_status st = load(r, &d, &used);
    if (st != DS_OK) return st;
    ds_dataset *tr = NULL, *va = NULL;
    char model[64];
    snprintf(model, sizeof model, "mlp:%zu-%d", ds_dataset_features(d.train),
             (int)ds_dataset_classes(d.train));
    app_tune_setup s = {.model_spec = model, .mp = ds_model_default_params()};
    s.opt = ds_opt_default_params(DS_OPT_SGD);
    s.tp = ds_train_default_params();
    s.tp.epochs = TUNE_EPOCHS, s.tp.batch = 32, s.tp.seed = 1;
    app_tune_trial t[APP_TUNE_COARSE + APP_TUNE_FINE];
    int n = 0;
    if ((st = ds_dataset_split(d.train, 0.2, 1, &tr, &va)) == DS_OK) {
        s.train = tr, s.val = va;
        st = app_tune_search(&s, NULL, 0, 1, t, &n);
    }
    if (st == DS_OK) st = tune_figures(r, t, n, used, model);
    ds_dataset_free(tr);
    ds_dataset_free(va);
    ds_data_free(&d);
    return st;
}
