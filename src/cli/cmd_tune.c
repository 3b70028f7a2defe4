/* cmd_tune.c - `descent tune`: the lectures' learning-rate search (CS7015:
 * a few epochs at 0.0001 ... 1 on a log scale, then a finer search around
 * the best) for any training setup `descent train` accepts. Every trial
 * starts from the same weights (same seed) and is judged on a held-out
 * validation share, never on the test set. The search is the library's
 * (descent/report.h, ds_tune_search). */
#include "commands.h"

#include "../core/internal.h"
#include "descent/report.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define UNSET_L LONG_MIN
#define MAX_LRS 16

static struct {
    const char *model, *act, *loss, *init, *data, *batch, *opt, *schedule, *unit, *lrs, *plot;
    double l2, val;
    long seed, epochs, threads;
    int coarse_only;
} o = {.l2 = 0, .val = 0.2, .seed = 0, .epochs = 2, .threads = 0};

static const ds_arg tune_args[] = {
    {"model", DS_ARG_STRING, &o.model, "SPEC",
     "mlp:N0-N1-...-NL or neuron (default mlp:784-256-128-10)"},
    {"act", DS_ARG_STRING, &o.act, "A", "hidden activation: relu (default), sigmoid, tanh"},
    {"loss", DS_ARG_STRING, &o.loss, "L", "xent (default for mlp), mse, sse (default for neuron)"},
    {"l2", DS_ARG_DOUBLE, &o.l2, "LAMBDA", "add lambda/(2m) sum ||W||^2 to the cost (default 0)"},
    {"init", DS_ARG_STRING, &o.init, "I", "default (He/Xavier), he, xavier, zeros, const:V"},
    {"seed", DS_ARG_INT, &o.seed, "N", "seed of weights, split and shuffles (default 0)"},
    {"data", DS_ARG_STRING, &o.data, "SPEC",
     "fashion-mnist (default), idx:IMAGES,LABELS, csv:PATH, toy, sparse, blobs, linear"},
    {"val", DS_ARG_DOUBLE, &o.val, "FRACTION",
     "validation share that ranks the rates (default 0.2; 0: rank by train loss)"},
    {"batch", DS_ARG_STRING, &o.batch, "N|full", "mini-batch size; 1 = SGD (default 64)"},
    {"epochs", DS_ARG_INT, &o.epochs, "N", "epochs per trial (default 2)"},
    {"epochs-per-trial", DS_ARG_INT, &o.epochs, "N", "the same as --epochs"},
    {"opt", DS_ARG_STRING, &o.opt, "SPEC",
     "optimizer NAME[:key=value,...]; its lr is replaced (default adam)"},
    {"schedule", DS_ARG_STRING, &o.schedule, "S", "learning-rate schedule (default constant)"},
    {"schedule-unit", DS_ARG_STRING, &o.unit, "U", "schedule counts epoch (default) or step"},
    {"threads", DS_ARG_INT, &o.threads, "N", "threads (default 0: all cores)"},
    {"lrs", DS_ARG_STRING, &o.lrs, "A/B/...",
     "rates of the first sweep (default 0.0001/0.001/0.01/0.1/1)"},
    {"coarse-only", DS_ARG_FLAG, &o.coarse_only, NULL, "skip the finer search around the best"},
    {"plot", DS_ARG_STRING, &o.plot, "FILE.svg", "draw loss against learning rate (log x)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const ds_command tune_cmd = {
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

static int lib_usage(void)
{
    return ds_cli_lib_error(&tune_cmd, DS_EXIT_USAGE);
}

/* "A/B/C" into rates (each finite, > 0); returns the count or -1 after an error. */
static int parse_lrs(const char *s, double *lrs)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf) return ds_cli_usage_error(&tune_cmd, "--lrs is too long"), -1;
    strcpy(buf, s);
    int n = 0;
    /* strtok would skip the empty item of "1//2"; a typo must not pass */
    for (char *tok = buf, *next; tok; tok = next) {
        if ((next = strchr(tok, '/'))) *next++ = '\0';
        if (n == MAX_LRS)
            return ds_cli_usage_error(&tune_cmd, "--lrs takes at most %d rates", MAX_LRS), -1;
        if (!*tok)
            return ds_cli_usage_error(&tune_cmd, "--lrs expects A/B/..., got an empty rate in '%s'",
                                      s),
                   -1;
        if (ds__parse_double(tok, &lrs[n]) != 0 || !(lrs[n] > 0))
            return ds_cli_usage_error(&tune_cmd,
                                      "--lrs expects rates > 0 separated by '/', got '%s'", tok),
                   -1;
        n++;
    }
    return n;
}

/* Model, optimizer and loop options into the setup; exit status or -1. */
static int options(ds_tune_setup *s)
{
    s->model_spec = o.model ? o.model : "mlp:784-256-128-10";
    s->mp = ds_model_default_params();
    if (o.act && ds_act_parse(o.act, &s->mp.act) != DS_OK) return lib_usage();
    if (o.loss && ds_loss_parse(o.loss, &s->mp.loss) != DS_OK) return lib_usage();
    if (o.init && ds_init_parse(o.init, &s->mp) != DS_OK) return lib_usage();
    if (!(o.l2 >= 0)) return ds_cli_usage_error(&tune_cmd, "--l2 must be >= 0 (got %g)", o.l2);
    if (o.seed < 0) return ds_cli_usage_error(&tune_cmd, "--seed must be >= 0 (got %ld)", o.seed);
    s->mp.l2 = o.l2, s->mp.seed = (uint64_t)o.seed;
    if (ds_opt_parse(o.opt ? o.opt : "adam", &s->opt) != DS_OK) return lib_usage();
    s->tp = ds_train_default_params();
    if (o.epochs < 1)
        return ds_cli_usage_error(&tune_cmd, "--epochs must be >= 1 (got %ld)", o.epochs);
    s->tp.epochs = o.epochs, s->tp.seed = s->mp.seed;
    if (o.batch && ds_batch_size_parse(o.batch, &s->tp.batch) != DS_OK) return lib_usage();
    if (ds_schedule_parse(o.schedule, &s->tp.schedule) != DS_OK) return lib_usage();
    if (o.unit && strcmp(o.unit, "step") != 0 && strcmp(o.unit, "epoch") != 0)
        return ds_cli_usage_error(&tune_cmd, "--schedule-unit must be step or epoch (got '%s')",
                                  o.unit);
    s->tp.schedule_per_step = o.unit && strcmp(o.unit, "step") == 0;
    if (o.threads < 0 || o.threads > 4096)
        return ds_cli_usage_error(&tune_cmd, "--threads must be 0..4096 (got %ld)", o.threads);
    s->tp.threads = (int)o.threads;
    if (!(o.val >= 0 && o.val < 1))
        return ds_cli_usage_error(&tune_cmd, "--val must be in [0, 1) (got %g)", o.val);
    return -1;
}

/* Prints each trial as it finishes, under a header printed before the first. */
static void print_trial(void *ctx, int i, const ds_tune_trial *t)
{
    (void)ctx;
    if (i == 0) printf("%-12s %-12s %-12s %s\n", "lr", "train_loss", "val_loss", "val_accuracy");
    if (t->diverged)
        printf("%-12g diverged\n", t->lr);
    else
        printf("%-12g %-12.6f %-12.6f %.4f\n", t->lr, t->train_loss, t->val_loss, t->val_accuracy);
    fflush(stdout);
}

static int save_plot(const ds_tune_trial *t, int n, int ncoarse)
{
    ds_strbuf b = {0};
    ds_plot_opts po = ds_plot_default_opts();
    po.title = "Learning-rate search";
    ds_status st = ds_tune_plot(&b, t, n, ncoarse, &po);
    if (st == DS_OK) st = ds_strbuf_save(&b, o.plot);
    ds_strbuf_free(&b);
    return st == DS_OK ? -1 : ds_cli_lib_error(&tune_cmd, DS_EXIT_FAIL);
}

/* Runs the search on the loaded data; exit status. */
static int search(ds_tune_setup *s, const double *lrs, int nl)
{
    ds_tune_trial t[MAX_LRS + DS_TUNE_FINE];
    int n = 0, rc;
    ds_status st = ds_tune_search(s, lrs, nl, !o.coarse_only, t, &n);
    if (st != DS_OK)
        return ds_cli_lib_error(&tune_cmd, st == DS_ERR_INVALID || st == DS_ERR_MISMATCH
                                               ? DS_EXIT_USAGE
                                               : DS_EXIT_FAIL);
    int best = ds_tune_best(t, n);
    if (best < 0) {
        fprintf(stderr, "descent tune: every trial diverged; try smaller rates (--lrs)\n");
        return DS_EXIT_FAIL;
    }
    if (o.plot && (rc = save_plot(t, n, nl)) >= 0) return rc;
    printf("best lr %g\n", t[best].lr);
    return fflush(stdout) == 0 ? DS_EXIT_OK : DS_EXIT_FAIL;
}

static int run_tune(int argc, char **argv)
{
    int rc = ds_cli_parse(&tune_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    double lrs[MAX_LRS];
    int nl = DS_TUNE_COARSE;
    memcpy(lrs, ds_tune_coarse_lrs, sizeof(double) * DS_TUNE_COARSE);
    if (o.lrs && (nl = parse_lrs(o.lrs, lrs)) < 0) return DS_EXIT_USAGE;
    ds_tune_setup s = {.on_trial = print_trial};
    if ((rc = options(&s)) >= 0 || (rc = ds_cli_check_output(&tune_cmd, "plot", o.plot)) >= 0)
        return rc;
    ds_data d = {0};
    ds_dataset *tr = NULL, *va = NULL;
    if (ds_data_load(o.data ? o.data : "fashion-mnist", s.mp.seed, &d) != DS_OK) return lib_usage();
    s.train = d.train, s.val = NULL;
    if (o.val > 0 && ds_dataset_split(d.train, o.val, s.mp.seed, &tr, &va) != DS_OK)
        rc = lib_usage();
    else {
        if (va) s.train = tr, s.val = va;
        rc = search(&s, lrs, nl);
    }
    ds_dataset_free(tr);
    ds_dataset_free(va);
    ds_data_free(&d);
    return rc;
}

const ds_subcommand ds_cmd_tune = {&tune_cmd, run_tune};
