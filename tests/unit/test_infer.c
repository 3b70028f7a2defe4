/* test_infer.c - the inference API (descent/infer.h):
 *  - a classifier trained and saved by the trainer, loaded with
 *    ds_infer_load, predicts the probabilities ds_model_predict gives the
 *    same model (bit for bit at the same chunk size, to float rounding at
 *    another), and its classes score exactly the accuracy of
 *    ds_model_evaluate (eval's forward pass);
 *  - a regression model gives its outputs, and refuses ds_infer_classify;
 *  - ds_infer_from_model equals loading the saved file;
 *  - concurrent calls from 4 threads through 2 slots give the single
 *    thread's results bit for bit;
 *  - missing, corrupt and non-model files, NULL arguments and bad params
 *    are refused with their status and a message. */
#include "descent/infer.h"
#include "descent/train.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Trains `spec` on d for a few epochs and saves it to `file`. */
static void train_save(const char *spec, ds_loss loss, const ds_dataset *d, const char *file)
{
    ds_model_params mp = ds_model_default_params();
    mp.act = DS_ACT_TANH;
    mp.loss = loss;
    mp.seed = 5;
    ds_model *m = ds_model_init(spec, 0, &mp);
    assert_non_null(m);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse("adam:lr=0.02", &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = 15;
    p.batch = 16;
    p.threads = 1;
    ds_trainer *t = ds_trainer_init(m, &op, d, NULL, &p);
    assert_non_null(t);
    assert_int_equal(ds_trainer_run(t, 0), DS_OK);
    assert_int_equal(ds_trainer_save(t, file), DS_OK);
    ds_trainer_free(t);
    ds_model_free(m);
}

static void test_classifier_matches_eval(void **state)
{
    (void)state;
    ds_dataset *d;
    assert_int_equal(ds_gen_blobs(300, 4, 3, 2.0, 9, &d), DS_OK);
    const char *file = path_in_tmp("blobs.ckpt");
    train_save("mlp:4-16-3", DS_LOSS_XENT, d, file);
    size_t n = ds_dataset_rows(d);
    const float *x = ds_dataset_x(d);

    ds_model *m;
    assert_int_equal(ds_model_load(file, &m), DS_OK);
    ds_model_set_threads(m, 1);
    float *want = malloc(n * 3 * sizeof *want), *got = malloc(n * 3 * sizeof *got);
    int32_t *cls = malloc(n * sizeof *cls);
    assert_int_equal(ds_model_predict(m, x, n, want), DS_OK);
    ds_batch all = ds_dataset_view(d, 0, n);
    double loss, acc;
    assert_int_equal(ds_model_evaluate(m, &all, &loss, &acc), DS_OK);

    ds_infer *inf;
    assert_int_equal(ds_infer_load(file, NULL, &inf), DS_OK);
    assert_int_equal(ds_infer_inputs(inf), 4);
    assert_int_equal(ds_infer_outputs(inf), 3);
    assert_int_equal(ds_infer_classes(inf), 3);
    assert_string_equal(ds_infer_describe(inf), "mlp:4-16-3 act=tanh loss=xent");
    assert_int_equal(ds_infer_classify(inf, x, n, cls, got), DS_OK);
    assert_memory_equal(got, want, n * 3 * sizeof *got);
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += cls[i] == ds_dataset_labels(d)[i];
    assert_true(acc > 0.9); /* the model learnt something: the check below means something */
    assert_true((double)right / (double)n == acc);
    ds_infer_free(inf);

    /* another chunk size: the same numbers up to float rounding */
    ds_infer_params p = ds_infer_default_params();
    p.max_rows = 7;
    p.slots = 1;
    assert_int_equal(ds_infer_load(file, &p, &inf), DS_OK);
    assert_int_equal(ds_infer_predict(inf, x, n, got), DS_OK);
    for (size_t i = 0; i < n * 3; i++)
        assert_true(fabsf(got[i] - want[i]) <= 1e-6f);
    ds_infer_free(inf);

    /* from the model in memory: equal to the file's */
    assert_int_equal(ds_infer_from_model(m, NULL, &inf), DS_OK);
    assert_int_equal(ds_infer_predict(inf, x, n, got), DS_OK);
    assert_memory_equal(got, want, n * 3 * sizeof *got);
    ds_infer_free(inf);
    ds_model_free(m);
    free(want), free(got), free(cls);
    ds_dataset_free(d);
}

static void test_regression(void **state)
{
    (void)state;
    ds_dataset *d;
    assert_int_equal(ds_gen_linear(200, 3, 0.1, 4, &d), DS_OK);
    const char *file = path_in_tmp("linear.ckpt");
    train_save("mlp:3-5-1", DS_LOSS_MSE, d, file);
    size_t n = ds_dataset_rows(d);
    ds_model *m;
    assert_int_equal(ds_model_load(file, &m), DS_OK);
    ds_model_set_threads(m, 1);
    float *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    assert_int_equal(ds_model_predict(m, ds_dataset_x(d), n, want), DS_OK);
    ds_infer *inf;
    assert_int_equal(ds_infer_load(file, NULL, &inf), DS_OK);
    assert_int_equal(ds_infer_classes(inf), 0);
    assert_int_equal(ds_infer_predict(inf, ds_dataset_x(d), n, got), DS_OK);
    assert_memory_equal(got, want, n * sizeof *got);
    int32_t cls[4];
    assert_int_equal(ds_infer_classify(inf, ds_dataset_x(d), 4, cls, NULL), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "not a classifier"));
    ds_infer_free(inf);
    ds_model_free(m);
    free(want), free(got);
    ds_dataset_free(d);
}

typedef struct job {
    ds_infer *inf;
    const float *x;
    size_t n;
    const float *want;
    int ok;
} job;

static void *predict_many(void *arg)
{
    job *j = arg;
    float *out = malloc(j->n * 3 * sizeof *out);
    j->ok = out != NULL;
    for (int k = 0; k < 20 && j->ok; k++) {
        memset(out, 0, j->n * 3 * sizeof *out);
        j->ok = ds_infer_predict(j->inf, j->x, j->n, out) == DS_OK &&
                memcmp(out, j->want, j->n * 3 * sizeof *out) == 0;
    }
    free(out);
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    ds_dataset *d;
    assert_int_equal(ds_gen_blobs(500, 4, 3, 2.0, 3, &d), DS_OK);
    const char *file = path_in_tmp("conc.ckpt");
    train_save("mlp:4-32-3", DS_LOSS_XENT, d, file);
    size_t n = ds_dataset_rows(d);
    ds_infer_params p = ds_infer_default_params();
    p.slots = 2;
    p.max_rows = 64;
    ds_infer *inf;
    assert_int_equal(ds_infer_load(file, &p, &inf), DS_OK);
    float *want = malloc(n * 3 * sizeof *want);
    assert_int_equal(ds_infer_predict(inf, ds_dataset_x(d), n, want), DS_OK);
    pthread_t th[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){inf, ds_dataset_x(d), n, want, 0};
        assert_int_equal(pthread_create(&th[i], NULL, predict_many, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(jobs[i].ok);
    }
    ds_infer_free(inf);
    free(want);
    ds_dataset_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    ds_infer *inf = (ds_infer *)&inf;
    assert_int_equal(ds_infer_load(path_in_tmp("missing.ckpt"), NULL, &inf), DS_ERR_IO);
    assert_null(inf);
    assert_non_null(strstr(ds_last_error(), "missing.ckpt"));
    const char *junk = path_in_tmp("junk.ckpt");
    FILE *f = fopen(junk, "w");
    assert_non_null(f);
    fputs("label,x\n1,2\n", f);
    fclose(f);
    assert_int_equal(ds_infer_load(junk, NULL, &inf), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "junk.ckpt"));
    /* a checkpoint without a model */
    ds_ckpt *c = ds_ckpt_new();
    assert_int_equal(ds_ckpt_put_i64(c, "train.seed", 1), DS_OK);
    const char *empty = path_in_tmp("nomodel.ckpt");
    assert_int_equal(ds_ckpt_save(c, empty), DS_OK);
    ds_ckpt_free(c);
    assert_int_equal(ds_infer_load(empty, NULL, &inf), DS_ERR_NOT_FOUND);
    assert_non_null(strstr(ds_last_error(), "model.desc"));

    ds_infer_params p = ds_infer_default_params();
    p.max_rows = 0;
    ds_model *m = ds_model_init("mlp:2-3", 0, NULL);
    assert_int_equal(ds_infer_from_model(m, &p, &inf), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "max_rows"));
    p = ds_infer_default_params();
    p.slots = -1;
    assert_int_equal(ds_infer_from_model(m, &p, &inf), DS_ERR_INVALID);
    assert_int_equal(ds_infer_from_model(m, NULL, &inf), DS_OK);
    float x[2] = {1, 2}, out[3];
    int32_t cls;
    assert_int_equal(ds_infer_predict(inf, NULL, 1, out), DS_ERR_INVALID);
    assert_int_equal(ds_infer_predict(inf, x, 1, NULL), DS_ERR_INVALID);
    assert_int_equal(ds_infer_classify(inf, x, 1, NULL, out), DS_ERR_INVALID);
    assert_int_equal(ds_infer_predict(inf, NULL, 0, NULL), DS_OK); /* nothing to do */
    assert_int_equal(ds_infer_classify(inf, x, 1, &cls, NULL), DS_OK);
    assert_true(cls >= 0 && cls < 3);
    ds_infer_free(inf);
    ds_infer_free(NULL);
    ds_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classifier_matches_eval),
        cmocka_unit_test(test_regression),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
