/* test_data_sets.c - generated data sets, spec strings, the validation split,
 * the mini-batch iterator and (when installed) Fashion-MNIST. */
#include "descent/data.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void toy(void **state)
{
    (void)state;
    ds_dataset *d;
    assert_int_equal(ds_gen_toy(&d), DS_OK);
    assert_int_equal(ds_dataset_rows(d), 2);
    assert_int_equal(ds_dataset_features(d), 1);
    assert_int_equal(ds_dataset_outputs(d), 1);
    assert_true(ds_dataset_x(d)[0] == 0.5f && ds_dataset_x(d)[1] == 2.5f);
    assert_true(ds_dataset_targets(d)[0] == 0.2f && ds_dataset_targets(d)[1] == 0.9f);
    ds_dataset_free(d);
}

/* Loads `spec` twice with `seed` and once with seed + 1: the first two are
 * bit-identical, the third differs. Returns the first. */
static ds_dataset *deterministic(const char *spec, uint64_t seed)
{
    ds_data a, b, c;
    assert_int_equal(ds_data_load(spec, seed, &a), DS_OK);
    assert_int_equal(ds_data_load(spec, seed, &b), DS_OK);
    assert_int_equal(ds_data_load(spec, seed + 1, &c), DS_OK);
    ds_dataset *x = a.train;
    size_t bytes = ds_dataset_rows(x) * ds_dataset_features(x) * sizeof(float);
    assert_memory_equal(ds_dataset_x(x), ds_dataset_x(b.train), bytes);
    assert_memory_not_equal(ds_dataset_x(x), ds_dataset_x(c.train), bytes);
    ds_data_free(&b);
    ds_data_free(&c);
    ds_dataset_free(a.test);
    return x;
}

static void sparse(void **state)
{
    (void)state;
    ds_dataset *d = deterministic("sparse:n=20000", 7);
    assert_int_equal(ds_dataset_rows(d), 20000);
    assert_int_equal(ds_dataset_features(d), 1);
    size_t zeros = 0;
    for (size_t i = 0; i < 20000; i++) {
        float x = ds_dataset_x(d)[i];
        zeros += x == 0.0f;
        assert_true(x >= -4.0f && x < 4.0f);
        double y = 1.0 / (1.0 + exp(-(2.0 * x - 1.0))); /* w* = 2, b* = -1 */
        assert_float_equal(ds_dataset_targets(d)[i], y, 1e-7);
    }
    /* 80% zeros: binomial sd 0.0028, so 0.01 is over 3 sd. */
    assert_true(fabs((double)zeros / 20000 - 0.8) < 0.01);
    ds_dataset_free(d);
}

static void blobs(void **state)
{
    (void)state;
    ds_dataset *d = deterministic("blobs:n=40,features=3,classes=4,spread=0", 3);
    assert_int_equal(ds_dataset_classes(d), 4);
    assert_int_equal(ds_dataset_features(d), 3);
    const float *x = ds_dataset_x(d);
    for (size_t i = 0; i < 40; i++) {
        assert_int_equal(ds_dataset_labels(d)[i], (int32_t)(i % 4));
        /* spread 0: every row is its class centre, inside [-5, 5). */
        assert_memory_equal(x + 3 * i, x + 3 * (i % 4), 3 * sizeof(float));
        assert_true(x[3 * i] >= -5.0f && x[3 * i] < 5.0f);
    }
    assert_memory_not_equal(x, x + 3, 3 * sizeof(float));
    ds_dataset_free(d);
}

static void linear(void **state)
{
    (void)state;
    ds_dataset *d = deterministic("linear:n=50,features=1,noise=0", 11);
    const float *x = ds_dataset_x(d), *y = ds_dataset_targets(d);
    /* Noise 0: all points on the line through the first two. */
    double w = ((double)y[1] - y[0]) / ((double)x[1] - x[0]), b = y[0] - w * x[0];
    for (int i = 2; i < 50; i++)
        assert_float_equal(y[i], w * x[i] + b, 1e-4 * (1 + fabs(y[i])));
    ds_dataset_free(d);
}

static void expect_spec_error(const char *spec, const char *part)
{
    ds_data d;
    ds_status s = ds_data_load(spec, 1, &d);
    if (s == DS_OK || d.train || d.test || !strstr(ds_last_error(), part))
        fail_msg("'%s': status %d, message '%s' (want '%s')", spec, s, ds_last_error(), part);
}

static void specs(void **state)
{
    (void)state;
    ds_data d;
    assert_int_equal(ds_data_load("blobs:n=50,test=10,classes=5", 1, &d), DS_OK);
    assert_int_equal(ds_dataset_rows(d.train), 50);
    assert_int_equal(ds_dataset_rows(d.test), 10);
    assert_int_equal(ds_dataset_classes(d.test), 5);
    ds_data e;
    assert_int_equal(ds_data_load("blobs:n=50,test=10,classes=5,seed=9,limit=20", 1, &e), DS_OK);
    assert_int_equal(ds_dataset_rows(e.train), 20);
    assert_int_equal(ds_dataset_rows(e.test), 10);
    assert_memory_not_equal(ds_dataset_x(d.train), ds_dataset_x(e.train), 20 * 2 * sizeof(float));
    ds_data_free(&e);
    assert_int_equal(ds_data_load("blobs:n=50,test=10,classes=5,limit=20", 9, &e), DS_OK);
    ds_data f;
    assert_int_equal(ds_data_load("blobs:n=50,test=10,classes=5,seed=9", 1, &f), DS_OK);
    assert_memory_equal(ds_dataset_x(f.train), ds_dataset_x(e.train), 20 * 2 * sizeof(float));
    ds_data_free(&d), ds_data_free(&e), ds_data_free(&f);
    assert_int_equal(ds_data_load("toy", 1, &d), DS_OK);
    assert_null(d.test);
    ds_data_free(&d);
    expect_spec_error("nope", "accepted: fashion-mnist");
    expect_spec_error("", "unknown data set");
    expect_spec_error("blobs:foo=1", "unknown key 'foo'");
    expect_spec_error("blobs:n=abc", "n=abc");
    expect_spec_error("blobs:n=0", "n=0");
    expect_spec_error("blobs:classes=1", "classes=1");
    expect_spec_error("sparse:zero=2", "zero must be in [0, 1]");
    expect_spec_error("idx:a", "wrong number of paths");
    expect_spec_error("idx:a,b,c", "need 2 or 4 paths");
    expect_spec_error("idx:/nonexistent/a,/nonexistent/b", "/nonexistent/a: cannot open");
    expect_spec_error("csv", "paths missing");
    expect_spec_error("csv:x.csv,task=maybe", "task must be");
    expect_spec_error("fashion-mnist:/nonexistent", "dataset-fashion-mnist");
}

static ds_dataset *counting(size_t n)
{
    ds_dataset *d = ds_dataset_create(n, 2, 7, 0);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++) {
        ds_dataset_x(d)[2 * i] = (float)i;
        ds_dataset_x(d)[2 * i + 1] = -(float)i;
        ds_dataset_labels(d)[i] = (int32_t)(i % 7);
    }
    return d;
}

static void split(void **state)
{
    (void)state;
    ds_dataset *d = counting(100), *tr, *va, *tr2, *va2;
    assert_int_equal(ds_dataset_split(d, 0.2, 5, &tr, &va), DS_OK);
    assert_int_equal(ds_dataset_rows(tr), 80);
    assert_int_equal(ds_dataset_rows(va), 20);
    int seen[100] = {0};
    for (size_t i = 0; i < 80; i++)
        seen[(int)ds_dataset_x(tr)[2 * i]]++;
    for (size_t i = 0; i < 20; i++)
        seen[(int)ds_dataset_x(va)[2 * i]]++;
    for (int i = 0; i < 100; i++)
        assert_int_equal(seen[i], 1);
    for (size_t i = 1; i < 20; i++)
        assert_true(ds_dataset_x(va)[2 * i] > ds_dataset_x(va)[2 * i - 2]);
    assert_int_equal(ds_dataset_labels(va)[3], (int32_t)ds_dataset_x(va)[6] % 7);
    assert_int_equal(ds_dataset_split(d, 0.2, 5, &tr2, &va2), DS_OK);
    assert_memory_equal(ds_dataset_x(va), ds_dataset_x(va2), 40 * sizeof(float));
    ds_dataset_free(tr2), ds_dataset_free(va2);
    assert_int_equal(ds_dataset_split(d, 0.2, 6, &tr2, &va2), DS_OK);
    assert_memory_not_equal(ds_dataset_x(va), ds_dataset_x(va2), 40 * sizeof(float));
    ds_dataset_free(tr2), ds_dataset_free(va2), ds_dataset_free(tr), ds_dataset_free(va);
    const double bad[] = {0.0, 1.0, -0.5, 0.001, 0.999, NAN};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        assert_int_equal(ds_dataset_split(d, bad[k], 5, &tr, &va), DS_ERR_INVALID);
        assert_null(tr), assert_null(va);
    }
    ds_dataset_free(d);
}

/* Runs one epoch; writes the row ids in visiting order into ids, batch sizes
 * into sizes. Checks each batch's rows are whole rows with their labels. */
static size_t run_epoch(ds_iter *it, size_t *ids, size_t *sizes)
{
    ds_batch b;
    size_t nb = 0, k = 0;
    while (ds_iter_next(it, &b)) {
        for (size_t r = 0; r < b.n; r++) {
            size_t id = (size_t)b.x[2 * r];
            assert_true(b.x[2 * r + 1] == -(float)id);
            assert_int_equal(b.labels[r], (int32_t)(id % 7));
            ids[k++] = id;
        }
        assert_null(b.targets);
        sizes[nb++] = b.n;
    }
    assert_int_equal(b.n, 0);
    return nb;
}

static void iterator_epochs(void **state)
{
    (void)state;
    ds_dataset *d = counting(10);
    ds_iter *it = ds_iter_init(d, 3, 1, 42), *again = ds_iter_init(d, 3, 1, 42);
    assert_int_equal(ds_iter_batches_per_epoch(it), 4);
    size_t ids[3][10], sizes[4], ids2[10];
    for (int e = 0; e < 3; e++) {
        assert_int_equal(ds_iter_epoch(it), e);
        assert_int_equal(run_epoch(it, ids[e], sizes), 4);
        assert_int_equal(sizes[0] + sizes[1] + sizes[2], 9);
        assert_int_equal(sizes[3], 1); /* the last partial batch is kept */
        int seen[10] = {0};
        for (int i = 0; i < 10; i++)
            seen[ids[e][i]]++;
        for (int i = 0; i < 10; i++)
            assert_int_equal(seen[i], 1);
    }
    assert_memory_not_equal(ids[0], ids[1], sizeof ids[0]);
    assert_memory_not_equal(ids[1], ids[2], sizeof ids[0]);
    /* Same (seed, epoch), same order: a fresh iterator sought to epoch 2. */
    assert_int_equal(ds_iter_seek(again, 2, 0), DS_OK);
    run_epoch(again, ids2, sizes);
    assert_memory_equal(ids2, ids[2], sizeof ids2);
    ds_iter_free(again);
    again = ds_iter_init(d, 3, 1, 43);
    run_epoch(again, ids2, sizes);
    assert_memory_not_equal(ids2, ids[0], sizeof ids2);
    ds_iter_free(again);
    ds_iter_free(it);
    ds_dataset_free(d);
}

static void iterator_seek(void **state)
{
    (void)state;
    ds_dataset *d = counting(10);
    ds_iter *it = ds_iter_init(d, 3, 1, 42);
    size_t ids[10], sizes[4];
    ds_iter_seek(it, 5, 0);
    run_epoch(it, ids, sizes);
    ds_batch b;
    assert_int_equal(ds_iter_seek(it, 5, 2), DS_OK);
    assert_int_equal(ds_iter_next(it, &b), 1);
    assert_int_equal(b.n, 3);
    for (size_t r = 0; r < 3; r++)
        assert_true(b.x[2 * r] == (float)ids[6 + r]);
    assert_int_equal(ds_iter_batch_index(it), 3);
    assert_int_equal(ds_iter_seek(it, 1, 4), DS_OK); /* the end of epoch 1 */
    assert_int_equal(ds_iter_next(it, &b), 0);
    assert_int_equal(ds_iter_epoch(it), 2);
    assert_int_equal(ds_iter_seek(it, 1, 5), DS_ERR_INVALID);
    assert_int_equal(ds_iter_seek(it, -1, 0), DS_ERR_INVALID);
    assert_int_equal(ds_iter_epoch(it), 2);
    ds_iter_free(it);
    ds_dataset_free(d);
}

static void iterator_sizes(void **state)
{
    (void)state;
    ds_dataset *d = counting(10);
    size_t ids[10], sizes[10];
    const size_t batch[] = {1, DS_BATCH_FULL, 10, 25};
    const size_t want[] = {10, 1, 1, 1};
    for (int k = 0; k < 4; k++) {
        ds_iter *it = ds_iter_init(d, batch[k], 1, 1);
        assert_int_equal(ds_iter_batches_per_epoch(it), want[k]);
        assert_int_equal(run_epoch(it, ids, sizes), want[k]);
        assert_int_equal(sizes[0], 10 / want[k]);
        ds_iter_free(it);
    }
    /* Unshuffled: file order, views into the data set itself. */
    ds_iter *it = ds_iter_init(d, 4, 0, 1);
    for (int e = 0; e < 2; e++) {
        assert_int_equal(run_epoch(it, ids, sizes), 3);
        for (size_t i = 0; i < 10; i++)
            assert_int_equal(ids[i], i);
    }
    ds_batch b;
    ds_iter_next(it, &b);
    assert_ptr_equal(b.x, ds_dataset_x(d));
    ds_iter_free(it);
    ds_dataset_free(d);
    size_t s = 7;
    assert_int_equal(ds_batch_size_parse("full", &s), DS_OK);
    assert_int_equal(s, DS_BATCH_FULL);
    assert_int_equal(ds_batch_size_parse("32", &s), DS_OK);
    assert_int_equal(s, 32);
    const char *bad[] = {"0", "-1", "abc", "3x", "", " 4"};
    for (int k = 0; k < 6; k++)
        assert_int_equal(ds_batch_size_parse(bad[k], &s), DS_ERR_PARSE);
    assert_int_equal(s, 32);
}

static void fashion_mnist(void **state)
{
    (void)state;
    if (access(DS_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0) skip();
    ds_data d;
    assert_int_equal(ds_data_load("fashion-mnist", 0, &d), DS_OK);
    assert_int_equal(ds_dataset_rows(d.train), 60000);
    assert_int_equal(ds_dataset_rows(d.test), 10000);
    assert_int_equal(ds_dataset_features(d.train), 784);
    assert_int_equal(ds_dataset_classes(d.train), 10);
    /* Fashion-MNIST's documented balance: 6000 / 1000 images per class. */
    size_t count[10] = {0};
    for (size_t i = 0; i < 60000; i++)
        count[ds_dataset_labels(d.train)[i]]++;
    for (int c = 0; c < 10; c++)
        assert_int_equal(count[c], 6000);
    float lo = 1, hi = 0;
    for (size_t i = 0; i < 60000 * 784; i++) {
        float v = ds_dataset_x(d.train)[i];
        lo = v < lo ? v : lo, hi = v > hi ? v : hi;
    }
    assert_true(lo == 0.0f && hi == 1.0f);
    ds_data_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(toy),
        cmocka_unit_test(sparse),
        cmocka_unit_test(blobs),
        cmocka_unit_test(linear),
        cmocka_unit_test(specs),
        cmocka_unit_test(split),
        cmocka_unit_test(iterator_epochs),
        cmocka_unit_test(iterator_seek),
        cmocka_unit_test(iterator_sizes),
        cmocka_unit_test(fashion_mnist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
