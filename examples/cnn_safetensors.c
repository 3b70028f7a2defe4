/* cnn_safetensors.c - a convolutional network on Fashion-MNIST through the
 * training API, its weights written as safetensors (the names of torch's
 * state_dict for the same nn.Sequential, doc/models.md) and read back into a
 * fresh model, which must classify the test images exactly as the trained
 * one does.
 *
 * usage: cnn_safetensors OUT.safetensors [ROWS [EPOCHS]]
 * Trains on the first ROWS (default 2000) training images, tests on as many
 * test images. Prints "accuracy A" and "reloaded A"; exits 0, or 1 with a
 * message on any error (or if the two accuracies differ). */
#include "descent/train.h"

#include <stdio.h>
#include <stdlib.h>

#define NET                                                                                        \
    "net:in=1x28x28|conv:8,5,same|relu|maxpool:2|conv:16,3,same|batchnorm|relu|maxpool:2|"         \
    "dense:10"

static int fail(const char *what)
{
    fprintf(stderr, "cnn_safetensors: %s: %s\n", what, ds_last_error());
    return 1;
}

static int train(ds_model *m, const ds_data *d, long epochs, double *acc)
{
    ds_opt_params opt;
    ds_train_params p = ds_train_default_params();
    p.epochs = epochs;
    p.batch = 32;
    double loss;
    ds_trainer *t = NULL;
    int ok = ds_opt_parse("adam:lr=2e-3", &opt) == DS_OK &&
             (t = ds_trainer_init(m, &opt, d->train, d->test, &p)) != NULL &&
             ds_trainer_run(t, 0) == DS_OK && ds_trainer_evaluate(t, d->test, &loss, acc) == DS_OK;
    ds_trainer_free(t);
    return ok ? 0 : fail("training");
}

int main(int argc, char **argv)
{
    char spec[64];
    ds_data d = {0};
    double acc, again, loss;
    if (argc < 2) {
        fprintf(stderr, "usage: cnn_safetensors OUT.safetensors [ROWS [EPOCHS]]\n");
        return 1;
    }
    snprintf(spec, sizeof spec, "fashion-mnist:limit=%ld", argc > 2 ? atol(argv[2]) : 2000);
    if (ds_data_load(spec, 1, &d) != DS_OK) return fail("loading");
    ds_model *m = ds_model_init(NET, ds_dataset_features(d.train), NULL);
    ds_model *fresh = ds_model_init(NET, ds_dataset_features(d.train), NULL);
    int rc = !m || !fresh ? fail("model") : train(m, &d, argc > 3 ? atol(argv[3]) : 2, &acc);
    if (!rc && ds_model_save_safetensors(m, argv[1]) != DS_OK) rc = fail("saving");
    if (!rc && ds_model_load_safetensors(fresh, argv[1]) != DS_OK) rc = fail("reading back");
    ds_batch all = {.x = ds_dataset_x(d.test),
                    .n = ds_dataset_rows(d.test),
                    .features = ds_dataset_features(d.test),
                    .labels = ds_dataset_labels(d.test)};
    if (!rc && ds_model_evaluate(fresh, &all, &loss, &again) != DS_OK) rc = fail("evaluating");
    if (!rc) printf("accuracy %.4f\nreloaded %.4f\n", acc, again);
    if (!rc && again != acc) rc = 1;
    ds_model_free(m);
    ds_model_free(fresh);
    ds_data_free(&d);
    return rc;
}
