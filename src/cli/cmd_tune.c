/* cmd_tune.c - `descent tune`: the lectures' learning-rate search (CS7015:
 * a few epochs at 0.0001 ... 1 on a log scale, then a finer search around
 * the best) for any training setup `descent train` accepts. Every trial
 * starts from the same weights (same seed) and is judged on a held-out
 * validation share, never on the test set. The search is the library's
 * (descent/report.h, app_tune_search). */
#include "commands.h"
#include "outputs.h"
#include "train_opts.h"

#include "descent/parse.h"
#include "../report/report.h"

#include <stdio.h>
#include <string.h>

#define MAX_LRS 16

static struct {
    cli_train_opts t;
    const char *lrs, *plot;
    int coarse_only;
} o = {.t = {.l2 = 0, .val = 0.2, .seed = 0, .epochs = 2}};

static const cli_arg tune_args[] = {
    CLI_TRAIN_ARGS_MODEL(o.t),
    {"val", CLI_ARG_DOUBLE, &o.t.val, "FRACTION",
     "validation share that ranks the rates (default 0.2; 0: rank by train loss)"},
    CLI_TRAIN_ARG_BATCH(o.t),
    {"epochs", CLI_ARG_INT, &o.t.epochs, "N", "epochs per trial (default 2)"},
    {"epochs-per-trial", CLI_ARG_INT, &o.t.epochs, "N", "the same as --epochs"},
    {"opt", CLI_ARG_STRING, &o.t.opt, "SPEC",
     "optimizer NAME[:key=value,...]; its lr is replaced (default adam)"},
    CLI_TRAIN_ARG_SCHEDULE(o.t),
    CLI_TRAIN_ARG_UNIT(o.t),
    CLI_TRAIN_ARG_THREADS(o.t),
    {"lrs", CLI_ARG_STRING, &o.lrs, "A/B/...",
     "rates of the first sweep (default 0.0001/0.001/0.01/0.1/1)"},
    {"coarse-only", CLI_ARG_FLAG, &o.coarse_only, NULL, "skip the finer search around the best"},
    {"plot", CLI_ARG_STRING, &o.plot, "FILE.svg",
     "draw loss against learning rate (log x; - for stdout)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_command tune_cmd = {
    .name = "tune",
    .usage = "descent tune [train options] [--lrs A/B/...] [--epochs-per-trial N] [--plot F.svg]",
    .summary = "find a learning rate: log-scale sweep, then a finer search around the best",
    .details = "Trains the model of `descent train` for a few epochs at each rate, from the\n"
               "same initial weights, then at best/2, 2 best and 3 best (CS7015: 0.05, 0.2,\n"
               "0.3 around 0.1). Prints lr, train_loss, val_loss, val_accuracy per trial and\n"
               "the best rate (lowest validation loss; diverged trials never win).\n"
               "Exit status: 0 done, 1 runtime failure or every trial diverged, 2 bad input.",
    .args = tune_args,
};

/* "A/B/C" into rates (each finite, > 0); returns the count or -1 after an error. */
static int parse_lrs(const char *s, double *lrs)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf) return cli_usage_error(&tune_cmd, "--lrs is too long"), -1;
    strcpy(buf, s);
    int n = 0;
    /* strtok would skip the empty item of "1//2"; a typo must not pass */
    for (char *tok = buf, *next; tok; tok = next) {
        if ((next = strchr(tok, '/'))) *next++ = '\0';
        if (n == MAX_LRS)
            return cli_usage_error(&tune_cmd, "--lrs takes at most %d rates", MAX_LRS), -1;
        if (!*tok)
            return cli_usage_error(&tune_cmd, "--lrs expects A/B/..., got an empty rate in '%s'",
                                   s),
                   -1;
        if (ds_parse_double(tok, &lrs[n]) != 0 || !(lrs[n] > 0))
            return cli_usage_error(&tune_cmd, "--lrs expects rates > 0 separated by '/', got '%s'",
                                   tok),
                   -1;
        n++;
    }
    return n;
}

/* Prints each trial as it finishes, under a header printed before the first. */
static void print_trial(void *ctx, int i, const app_tune_trial *t)
{
    (void)ctx;
    if (i == 0) printf("%-12s %-12s %-12s %s\n", "lr", "train_loss", "val_loss", "val_accuracy");
    if (t->diverged)
        printf("%-12g diverged\n", t->lr);
    else
        printf("%-12g %-12g %-12g %.4f\n", t->lr, t->train_loss, t->val_loss, t->val_accuracy);
    fflush(stdout);
}

static int save_plot(const app_tune_trial *t, int n, int ncoarse)
{
    ds_strbuf b = {0};
    ds_plot_opts po = ds_plot_default_opts();
    po.title = "Learning-rate search";
    ds_status st = app_tune_plot(&b, t, n, ncoarse, &po);
    if (st == DS_OK) st = cli_save(&b, o.plot);
    ds_strbuf_free(&b);
    return st == DS_OK ? -1 : cli_lib_error(&tune_cmd, CLI_EXIT_FAIL);
}

/* Runs the search on the loaded data; exit status. */
static int search(app_tune_setup *s, const double *lrs, int nl)
{
    app_tune_trial t[MAX_LRS + APP_TUNE_FINE];
    int n = 0, rc;
    ds_status st = app_tune_search(s, lrs, nl, !o.coarse_only, t, &n);
    if (st != DS_OK)
        return cli_lib_error(&tune_cmd, st == DS_ERR_INVALID || st == DS_ERR_MISMATCH
                                            ? CLI_EXIT_USAGE
                                            : CLI_EXIT_FAIL);
    int best = app_tune_best(t, n);
    if (best < 0) {
        fprintf(stderr, "descent tune: every trial diverged; try smaller rates (--lrs)\n");
        return CLI_EXIT_FAIL;
    }
    if (o.plot && (rc = save_plot(t, n, nl)) >= 0) return rc;
    printf("best lr %g\n", t[best].lr);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int run_tune(int argc, char **argv)
{
    int rc = cli_parse(&tune_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    double lrs[MAX_LRS];
    int nl = APP_TUNE_COARSE;
    memcpy(lrs, app_tune_coarse_lrs, sizeof(double) * APP_TUNE_COARSE);
    if (o.lrs && (nl = parse_lrs(o.lrs, lrs)) < 0) return CLI_EXIT_USAGE;
    cli_train_job job = {0};
    cli_file out = {"plot", o.plot, CLI_STREAM | CLI_STDOUT, 0};
    cli_file in = {"data", NULL, CLI_SPEC, 0};
    if ((rc = cli_train_opts_resolve(&tune_cmd, &o.t, NULL, &job)) >= 0) return rc;
    in.path = job.data_spec;
    if ((rc = cli_check_outputs(&tune_cmd, &out, 1, &in, 1)) >= 0) return rc;
    if ((rc = cli_train_job_load(&tune_cmd, &job)) < 0) {
        app_tune_setup s = {.model_spec = job.model_spec,
                            .mp = job.mp,
                            .opt = job.op,
                            .tp = job.tp,
                            .train = cli_train_job_train_set(&job),
                            .val = job.va,
                            .on_trial = print_trial};
        rc = search(&s, lrs, nl);
    }
    cli_train_job_free(&job);
    return rc;
}

const cli_subcommand cli_cmd_tune = {&tune_cmd, run_tune};
