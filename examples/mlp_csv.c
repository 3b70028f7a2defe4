/* mlp_csv.c - train a small network on a CSV file through the training API
 * (descent/train.h): load the data, hold out a validation split, build an
 * mlp, train with Adam and a progress callback, evaluate, save.
 *
 * usage: mlp_csv FILE.csv [EPOCHS [SAVE_PATH]]
 * The CSV has a header row and a column named "label" (class 0, 1, ...);
 * every other column is a feature. Prints one line per epoch and
 * "accuracy A" at the end; exits 0, or 1 with a message on any error. */
#include "descent/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The library never prints: the caller renders progress. */
static int on_progress(void *ctx, const ds_train_progress *p)
{
    (void)ctx;
    if (p->epoch_end)
        printf("epoch %lld  train_loss %.4f  val_loss %.4f  val_accuracy %.3f\n",
               (long long)p->epoch, p->train_loss, p->val_loss, p->val_accuracy);
    return 0;
}

/* "mlp:F-16-C" for F features and C classes. */
static ds_model *make_model(const ds_dataset *d)
{
    char spec[64];
    snprintf(spec, sizeof spec, "mlp:%zu-16-%d", ds_dataset_features(d),
             (int)ds_dataset_classes(d));
    ds_model_params mp = ds_model_default_params();
    mp.act = DS_ACT_TANH;
    mp.seed = 1;
    return ds_model_init(spec, 0, &mp);
}

static int fail(const char *what)
{
    fprintf(stderr, "mlp_csv: %s: %s\n", what, ds_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mlp_csv FILE.csv [EPOCHS [SAVE_PATH]]\n");
        return 1;
    }
    ds_dataset *all = NULL, *train = NULL, *val = NULL;
    if (ds_csv_load(argv[1], NULL, &all) != DS_OK) return fail("loading");
    if (ds_dataset_split(all, 0.2, 1, &train, &val) != DS_OK) return fail("splitting");
    ds_model *m = make_model(all);
    ds_opt_params opt;
    ds_train_params p = ds_train_default_params();
    p.epochs = argc > 2 ? atol(argv[2]) : 30;
    p.batch = 8;
    p.progress = on_progress;
    int rc = 0;
    ds_trainer *t = NULL;
    double loss, acc;
    if (!m || ds_opt_parse("adam:lr=0.02", &opt) != DS_OK ||
        !(t = ds_trainer_init(m, &opt, train, val, &p)) || ds_trainer_run(t, 0) != DS_OK ||
        ds_trainer_evaluate(t, val, &loss, &acc) != DS_OK ||
        (argc > 3 && ds_trainer_save(t, argv[3]) != DS_OK))
        rc = fail("training");
    else
        printf("accuracy %.4f loss %.4f\n", acc, loss);
    ds_trainer_free(t);
    ds_model_free(m);
    ds_dataset_free(train);
    ds_dataset_free(val);
    ds_dataset_free(all);
    return rc;
}
