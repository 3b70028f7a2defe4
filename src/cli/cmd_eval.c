/* cmd_eval.c - `descent eval`: loss and accuracy of a saved model (a
 * checkpoint written by `descent train --save`) on a data set's test split.
 * The data spec and seed default to those recorded in the checkpoint, so
 * `descent eval --model-file FILE` re-checks a run on its own data. */
#include "commands.h"
#include "confusion.h"
#include "train_opts.h"

#include "descent/prep.h"
#include "descent/train.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static struct {
    const char *file, *data;
    cli_csv_opts csv;
    long seed, threads;
    int json, confusion;
} o = {.seed = LONG_MIN};

static const cli_arg eval_args[] = {
    {"model-file", CLI_ARG_STRING, &o.file, "FILE",
     "checkpoint from descent train --save (required)"},
    {"data", CLI_ARG_STRING, &o.data, "SPEC", "data set (default: the one recorded in FILE)"},
    CLI_CSV_ARGS(o.csv),
    {"seed", CLI_ARG_INT, &o.seed, "N", "seed for generated data (default: the one in FILE)"},
    {"threads", CLI_ARG_INT, &o.threads, "N", "threads (default 0: all cores)"},
    {"json", CLI_ARG_FLAG, &o.json, NULL, "print {\"test_loss\": ..., \"test_accuracy\": ...}"},
    {"confusion", CLI_ARG_FLAG, &o.confusion, NULL,
     "classifiers: the confusion matrix and per-class precision, recall, F1"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_command eval_cmd = {
    .name = "eval",
    .usage = "descent eval --model-file FILE [--data SPEC] [--json] [--confusion]",
    .summary = "report loss and accuracy of a saved model on the test split",
    .details = "Uses the test split when the data set has one, else all of its rows, after\n"
               "the preprocessing FILE recorded (--normalize, missing values' fill). A CSV\n"
               "file's columns are matched by name to the training file's, and named class\n"
               "labels are mapped to the model's classes (an unknown one is refused).\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input.",
    .args = eval_args,
};

/* The data as the checkpoint c and the options say, its labels mapped to
 * the model's class names and the preprocessing applied; exit or -1. */
static int load_data(const ds_ckpt *c, ds_data *d)
{
    int64_t seed = 0;
    ds_ckpt_get_i64(c, "train.seed", &seed);
    if (o.seed != LONG_MIN) seed = o.seed;
    const char *stored = ds_ckpt_find(c, "data.desc", DS_CKPT_TEXT, NULL);
    char spec[4096];
    int rc = cli_csv_spec(&eval_cmd, &o.csv,
                          o.data   ? o.data
                          : stored ? stored
                                   : "fashion-mnist",
                          spec, sizeof spec);
    if (rc >= 0) return rc;
    ds_prep *p;
    ds_status s = ds_prep_from_checkpoint(c, &p);
    if (s != DS_OK) return cli_usage_error(&eval_cmd, "%s: %s", o.file, ds_last_error());
    s = ds_data_load_for(spec, (uint64_t)seed, p, d);
    if (s != DS_OK) {
        ds_prep_free(p);
        return cli_lib_error(&eval_cmd, CLI_EXIT_USAGE);
    }
    s = ds_prep_apply_dataset(p, d->test ? d->test : d->train);
    ds_prep_free(p);
    return s == DS_OK ? -1 : cli_usage_error(&eval_cmd, "%s: %s", o.file, ds_last_error());
}

/* Loads model and data as the checkpoint and the options say; exit or -1. */
static int load(ds_model **m, ds_data *d)
{
    ds_ckpt *c;
    if (o.seed != LONG_MIN && o.seed < 0)
        return cli_usage_error(&eval_cmd, "--seed must be >= 0 (got %ld)", o.seed);
    if (ds_ckpt_load(o.file, &c) != DS_OK) return cli_lib_error(&eval_cmd, CLI_EXIT_USAGE);
    ds_status s = ds_model_from_checkpoint(c, m);
    int rc = s == DS_OK ? load_data(c, d)
                        : cli_usage_error(&eval_cmd, "%s: %s", o.file, ds_last_error());
    ds_ckpt_free(c);
    if (rc >= 0) return rc;
    const ds_dataset *set = d->test ? d->test : d->train;
    if (ds_dataset_features(set) != ds_model_inputs(*m))
        return cli_usage_error(&eval_cmd,
                               "%s: the model takes %zu inputs, the data has %zu features", o.file,
                               ds_model_inputs(*m), ds_dataset_features(set));
    return -1;
}

static void report(const ds_data *d, size_t n, double loss, double acc, const cli_confusion *c)
{
    if (o.json) {
        printf("{\"examples\": %zu, \"test_loss\": %.17g, \"test_accuracy\": ", n, loss);
        if (isnan(acc))
            printf("null");
        else
            printf("%.17g", acc);
        if (c) fputs(", ", stdout), cli_confusion_json(c, stdout);
        printf("}\n");
    } else {
        printf("%s: %zu examples  loss %.6g  accuracy %.4f\n", d->test ? "test" : "all rows", n,
               loss, acc);
        if (c) fputs("\n", stdout), cli_confusion_print(c, stdout);
    }
}

static int evaluate(ds_model *m, const ds_data *d)
{
    const ds_dataset *set = d->test ? d->test : d->train;
    ds_batch all = ds_dataset_view(set, 0, ds_dataset_rows(set));
    double loss, acc;
    cli_confusion c = {0};
    if (o.threads) ds_model_set_threads(m, (int)o.threads);
    ds_status s = ds_model_evaluate(m, &all, &loss, &acc);
    if (s == DS_OK && o.confusion) s = cli_confusion_of(m, set, (int)o.threads, &c);
    if (s != DS_OK)
        return cli_lib_error(&eval_cmd, s == DS_ERR_NOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE);
    report(d, all.n, loss, acc, o.confusion ? &c : NULL);
    cli_confusion_free(&c);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int run_eval(int argc, char **argv)
{
    int rc = cli_parse(&eval_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    if (!o.file) return cli_usage_error(&eval_cmd, "missing --model-file FILE");
    if (o.threads < 0 || o.threads > 4096)
        return cli_usage_error(&eval_cmd, "--threads must be 0..4096 (got %ld)", o.threads);
    ds_model *m = NULL;
    ds_data d = {NULL, NULL};
    rc = load(&m, &d);
    if (rc < 0) rc = evaluate(m, &d);
    ds_model_free(m);
    ds_data_free(&d);
    return rc;
}

const cli_subcommand cli_cmd_eval = {&eval_cmd, run_eval};
