/* test_stream.c - the stream file (descent/stream.h): streamed generators
 * equal the in-memory ones row for row; the shuffled iterator over a stream
 * visits every row once per epoch, in an order that is a pure function of
 * (seed, epoch) and reachable by seek; shards tile the global batch; and
 * every malformed header, truncated or corrupt file is refused cleanly. */
#include "descent/data.h"
#include "descent/stream.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/ds_test_stream_XXXXXX";

static const char *path(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* A file of n rows whose single feature is the row's index and whose
 * label is index mod 3, in blocks of `block` rows. */
static void write_indexed(const char *p, size_t n, size_t block)
{
    ds_stream_writer *w;
    assert_int_equal(ds_stream_writer_open(p, 1, 3, 0, block, &w), DS_OK);
    for (size_t i = 0; i < n; i++) {
        float x = (float)i;
        int32_t y = (int32_t)(i % 3);
        ds_batch b = {.x = &x, .labels = &y, .n = 1, .features = 1};
        assert_int_equal(ds_stream_writer_append(w, &b), DS_OK);
    }
    assert_int_equal(ds_stream_writer_commit(w), DS_OK);
}

/* All rows of d in file order, through an unshuffled iterator. */
static void read_all(const ds_dataset *d, float *x, int32_t *labels, float *targets)
{
    ds_iter *it = ds_iter_init(d, 13, 0, 0);
    assert_non_null(it);
    ds_batch b;
    size_t k = 0, f = ds_dataset_features(d);
    while (ds_iter_next(it, &b)) {
        memcpy(x + k * f, b.x, b.n * f * sizeof(float));
        if (labels) memcpy(labels + k, b.labels, b.n * sizeof(int32_t));
        if (targets) memcpy(targets + k, b.targets, b.n * sizeof(float));
        k += b.n;
    }
    assert_int_equal(k, ds_dataset_rows(d));
    ds_iter_free(it);
}

static void generators_match_in_memory(void **state)
{
    (void)state;
    const size_t n = 1001, f = 4;
    ds_stream_gen_params g = ds_stream_gen_default_params(DS_STREAM_GEN_LINEAR);
    g.rows = n, g.features = f, g.seed = 9, g.block_rows = 7;
    assert_int_equal(ds_stream_generate(path("lin.ds"), &g), DS_OK);
    ds_dataset *s, *m;
    assert_int_equal(ds_stream_open(path("lin.ds"), 0, &s), DS_OK);
    assert_true(ds_dataset_is_streamed(s));
    assert_int_equal(ds_gen_linear(n, f, 0.1, 9, &m), DS_OK);
    float *x = malloc(n * f * sizeof *x), *y = malloc(n * sizeof *y);
    read_all(s, x, NULL, y);
    assert_memory_equal(x, ds_dataset_x(m), n * f * sizeof *x);
    assert_memory_equal(y, ds_dataset_targets(m), n * sizeof *y);
    ds_dataset_free(s), ds_dataset_free(m);

    g = ds_stream_gen_default_params(DS_STREAM_GEN_BLOBS);
    g.rows = n, g.features = f, g.classes = 5, g.seed = 3, g.block_rows = 64;
    assert_int_equal(ds_stream_generate(path("blobs.ds"), &g), DS_OK);
    assert_int_equal(ds_stream_open(path("blobs.ds"), 2, &s), DS_OK);
    assert_int_equal(ds_gen_blobs(n, f, 5, 1.0, 3, &m), DS_OK);
    int32_t *lab = malloc(n * sizeof *lab);
    read_all(s, x, lab, NULL);
    assert_memory_equal(x, ds_dataset_x(m), n * f * sizeof *x);
    assert_memory_equal(lab, ds_dataset_labels(m), n * sizeof *lab);
    assert_int_equal(ds_dataset_classes(s), 5);
    ds_dataset_free(s), ds_dataset_free(m);
    free(x), free(y), free(lab);
}

/* One shuffled epoch's row indices (the feature of write_indexed). */
static void epoch_order(ds_iter *it, size_t n, float *order)
{
    ds_batch b;
    size_t k = 0;
    while (ds_iter_next(it, &b)) {
        for (size_t i = 0; i < b.n; i++)
            assert_int_equal(b.labels[i], (int32_t)b.x[i] % 3); /* label moved with its row */
        memcpy(order + k, b.x, b.n * sizeof(float));
        k += b.n;
    }
    assert_int_equal(k, n);
}

static void shuffle_is_a_permutation_of_seed_and_epoch(void **state)
{
    (void)state;
    const size_t n = 1000;
    write_indexed(path("idx.ds"), n, 96); /* 11 blocks, the last of 40 rows */
    ds_dataset *d;
    assert_int_equal(ds_stream_open(path("idx.ds"), 3, &d), DS_OK);
    ds_iter *a = ds_iter_init(d, 64, 1, 5), *b = ds_iter_init(d, 64, 1, 5);
    float *e0 = malloc(n * sizeof *e0), *e1 = malloc(n * sizeof *e1), *again = malloc(n * 4);
    char *seen = calloc(n, 1);
    epoch_order(a, n, e0);
    epoch_order(a, n, e1);
    for (size_t i = 0; i < n; i++) {
        assert_true(e0[i] >= 0 && e0[i] < (float)n && !seen[(size_t)e0[i]]);
        seen[(size_t)e0[i]] = 1;
    }
    assert_memory_not_equal(e0, e1, n * sizeof *e0); /* epochs differ */
    size_t inplace = 0;
    for (size_t i = 0; i < n; i++)
        inplace += e0[i] == (float)i;
    assert_true(inplace < n / 10);                  /* actually shuffled */
    assert_int_equal(ds_iter_seek(b, 1, 0), DS_OK); /* seek to epoch 1 = the replay */
    epoch_order(b, n, again);
    assert_memory_equal(e1, again, n * sizeof *e1);
    assert_int_equal(ds_iter_seek(b, 1, 7), DS_OK); /* and into the middle of it */
    ds_batch bt;
    assert_true(ds_iter_next(b, &bt));
    assert_memory_equal(bt.x, e1 + 7 * 64, bt.n * sizeof(float));
    assert_null(ds_iter_order(b));
    ds_iter_free(a), ds_iter_free(b), ds_dataset_free(d);
    free(e0), free(e1), free(again), free(seen);
}

/* The shards' batches, concatenated, equal the unsharded batch. */
static void check_shards(const ds_dataset *d, size_t batch, size_t ranks)
{
    ds_iter *whole = ds_iter_init(d, batch, 1, 11), *part[8];
    for (size_t r = 0; r < ranks; r++) {
        part[r] = ds_iter_init(d, batch, 1, 11);
        assert_int_equal(ds_iter_set_shard(part[r], r, ranks), DS_OK);
        assert_int_equal(ds_iter_seek(part[r], 2, 0), DS_OK);
    }
    assert_int_equal(ds_iter_seek(whole, 2, 0), DS_OK);
    ds_batch w, p;
    while (ds_iter_next(whole, &w)) {
        size_t k = 0;
        for (size_t r = 0; r < ranks; r++) {
            assert_int_equal(ds_iter_next(part[r], &p), 1);
            assert_int_equal(ds_iter_global_rows(part[r]), w.n);
            if (r == 0) assert_true(p.n >= 1);
            assert_memory_equal(p.x, w.x + k * w.features, p.n * w.features * sizeof(float));
            k += p.n;
        }
        assert_int_equal(k, w.n);
    }
    for (size_t r = 0; r < ranks; r++)
        ds_iter_free(part[r]);
    ds_iter_free(whole);
}

static void shards_tile_the_batch(void **state)
{
    (void)state;
    write_indexed(path("shard.ds"), 203, 16);
    ds_dataset *s, *m;
    assert_int_equal(ds_stream_open(path("shard.ds"), 4, &s), DS_OK);
    assert_int_equal(ds_gen_blobs(203, 3, 4, 1.0, 1, &m), DS_OK);
    for (size_t ranks = 1; ranks <= 4; ranks++) {
        check_shards(s, 50, ranks);
        check_shards(m, 50, ranks);
        check_shards(m, 2, ranks); /* batches smaller than the ranks */
    }
    ds_iter *it = ds_iter_init(m, 10, 1, 0);
    assert_int_equal(ds_iter_set_shard(it, 3, 3), DS_ERR_INVALID);
    ds_iter_free(it);
    ds_dataset_free(s), ds_dataset_free(m);
}

/* Writes a 64-byte header with the given fields and a valid CRC, then
 * `body` bytes of zeros. */
static void write_header(const char *p, uint64_t rows, uint32_t features, int32_t classes,
                         uint32_t outputs, uint32_t block, size_t body)
{
    unsigned char h[64] = "DSSTREAM";
    uint32_t v[8] = {
        1, 64, (uint32_t)rows, (uint32_t)(rows >> 32), features, (uint32_t)classes, outputs, block};
    memcpy(h + 8, v, sizeof v); /* little-endian host (the format requires it) */
    uint32_t crc = (uint32_t)crc32(0L, h, 60);
    memcpy(h + 60, &crc, 4);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(h, 1, 64, f);
    for (size_t i = 0; i < body; i++)
        fputc(0, f);
    fclose(f);
}

static void expect_refused(const char *p, ds_status want, const char *needle)
{
    ds_dataset *d = (ds_dataset *)1;
    assert_int_equal(ds_stream_open(p, 0, &d), want);
    assert_null(d);
    if (!strstr(ds_last_error(), needle)) fail_msg("'%s' not in '%s'", needle, ds_last_error());
}

static void bad_files_are_refused(void **state)
{
    (void)state;
    const char *p = path("bad.ds");
    write_header(p, 10, 2, 3, 0, 4, 10 * 12);
    ds_dataset *d;
    assert_int_equal(ds_stream_open(p, 0, &d), DS_OK); /* the control: valid */
    ds_dataset_free(d);
    write_header(p, 10, 2, 3, 0, 4, 10 * 12 - 1);
    expect_refused(p, DS_ERR_FORMAT, "truncated");
    write_header(p, 10, 2, 3, 0, 4, 10 * 12 + 1);
    expect_refused(p, DS_ERR_FORMAT, "trailing");
    write_header(p, (uint64_t)1 << 40, 2, 3, 0, 4, 0);
    expect_refused(p, DS_ERR_FORMAT, "rows");
    write_header(p, 0, 2, 3, 0, 4, 0);
    expect_refused(p, DS_ERR_FORMAT, "rows");
    write_header(p, 10, 0, 3, 0, 4, 0);
    expect_refused(p, DS_ERR_FORMAT, "features");
    write_header(p, 10, 1u << 30, 3, 0, 4, 0);
    expect_refused(p, DS_ERR_FORMAT, "features");
    write_header(p, 10, 2, 3, 1, 4, 0);
    expect_refused(p, DS_ERR_FORMAT, "classes");
    write_header(p, 10, 2, -1, 0, 4, 0);
    expect_refused(p, DS_ERR_FORMAT, "classes");
    write_header(p, 10, 2, 3, 0, 0, 10 * 12);
    expect_refused(p, DS_ERR_FORMAT, "block");
    write_header(p, 10, 2, 3, 0, 4, 10 * 12);
    FILE *f = fopen(p, "r+b"); /* one flipped bit in the rows field */
    fseek(f, 16, SEEK_SET), fputc(11, f), fclose(f);
    expect_refused(p, DS_ERR_FORMAT, "CRC");
    f = fopen(p, "wb");
    fputs("DSSTREAM but far too short", f), fclose(f);
    expect_refused(p, DS_ERR_FORMAT, "shorter");
    f = fopen(p, "wb");
    for (int i = 0; i < 200; i++)
        fputc('x', f);
    fclose(f);
    expect_refused(p, DS_ERR_FORMAT, "magic");
    expect_refused(path("missing.ds"), DS_ERR_IO, "missing.ds");
}

static void corrupt_label_stops_the_iterator(void **state)
{
    (void)state;
    const char *p = path("label.ds");
    write_indexed(p, 50, 8);
    FILE *f = fopen(p, "r+b");
    int32_t bad = 7; /* row 20's label */
    fseek(f, 64 + 20 * 8 + 4, SEEK_SET), fwrite(&bad, 4, 1, f), fclose(f);
    ds_dataset *d;
    assert_int_equal(ds_stream_open(p, 0, &d), DS_OK);
    ds_iter *it = ds_iter_init(d, 50, 0, 0);
    ds_batch b;
    assert_int_equal(ds_iter_next(it, &b), 0);
    assert_non_null(strstr(ds_last_error(), "label 7"));
    ds_iter_free(it), ds_dataset_free(d);
}

static void writer_is_atomic(void **state)
{
    (void)state;
    const char *p = path("atomic.ds");
    write_indexed(p, 30, 8);
    ds_stream_writer *w;
    assert_int_equal(ds_stream_writer_open(p, 1, 3, 0, 8, &w), DS_OK);
    assert_int_equal(ds_stream_writer_commit(w), DS_ERR_INVALID); /* no rows */
    assert_int_equal(ds_stream_writer_open(p, 1, 3, 0, 8, &w), DS_OK);
    float x = 1;
    int32_t y = 9; /* out of range */
    ds_batch b = {.x = &x, .labels = &y, .n = 1, .features = 1};
    assert_int_equal(ds_stream_writer_append(w, &b), DS_ERR_INVALID);
    ds_stream_writer_abort(w);
    ds_dataset *d;
    assert_int_equal(ds_stream_open(p, 0, &d), DS_OK); /* the old file, untouched */
    assert_int_equal(ds_dataset_rows(d), 30);
    ds_dataset_free(d);
    assert_int_equal(ds_stream_writer_open(p, 0, 3, 0, 8, &w), DS_ERR_INVALID);
    assert_null(w);
    assert_int_equal(ds_stream_writer_open(path("no/such/dir.ds"), 1, 3, 0, 8, &w), DS_ERR_IO);
}

static void spec_and_in_memory_only_operations(void **state)
{
    (void)state;
    write_indexed(path("spec.ds"), 100, 8);
    char spec[300];
    snprintf(spec, sizeof spec, "stream:%s,window=2,limit=37", path("spec.ds"));
    ds_data dd;
    assert_int_equal(ds_data_load(spec, 0, &dd), DS_OK);
    assert_int_equal(ds_dataset_rows(dd.train), 37);
    assert_null(dd.test);
    ds_iter *it = ds_iter_init(dd.train, 10, 1, 3);
    float order[37];
    epoch_order(it, 37, order);
    for (int i = 0; i < 37; i++)
        assert_true(order[i] < 37); /* rows past the limit are never read */
    ds_iter_free(it);
    ds_dataset *tr, *va;
    assert_int_equal(ds_dataset_split(dd.train, 0.2, 0, &tr, &va), DS_ERR_UNSUPPORTED);
    assert_non_null(strstr(ds_last_error(), "streamed"));
    assert_int_equal(ds_dataset_view(dd.train, 0, 10).n, 0);
    ds_data_free(&dd);
    snprintf(spec, sizeof spec, "stream:%s,window=0", path("spec.ds"));
    assert_int_equal(ds_data_load(spec, 0, &dd), DS_ERR_INVALID); /* out of range */
    assert_int_equal(ds_data_load("stream:", 0, &dd), DS_ERR_PARSE);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generators_match_in_memory),
        cmocka_unit_test(shuffle_is_a_permutation_of_seed_and_epoch),
        cmocka_unit_test(shards_tile_the_batch),
        cmocka_unit_test(bad_files_are_refused),
        cmocka_unit_test(corrupt_label_stops_the_iterator),
        cmocka_unit_test(writer_is_atomic),
        cmocka_unit_test(spec_and_in_memory_only_operations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
