/* test_data_files.c - the IDX and CSV readers on fixture files written by the
 * test into a fresh temporary directory: good files round-trip, and every
 * bad case of testing.md ("Parsers") fails with a message naming the file
 * and the problem. */
#include "descent/data.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* A path in the temporary directory (static buffer: one use at a time per slot). */
static const char *tmp_path(const char *name, int slot)
{
    static char buf[4][256];
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", tmpdir, name);
    return buf[slot];
}

static void write_bytes(const char *path, const void *p, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        if (n) assert_int_equal(gzwrite(f, p, (unsigned)n), (int)n);
        assert_int_equal(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(p, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
    }
}

/* Writes an IDX file: type, dims, then `body` bytes (any count, to make
 * short and long files). */
static void write_idx(const char *path, int gz, unsigned type, int ndims, const uint32_t *dims,
                      const unsigned char *body, size_t nbody)
{
    unsigned char buf[4096];
    size_t n = 0;
    buf[n++] = 0, buf[n++] = 0, buf[n++] = (unsigned char)type, buf[n++] = (unsigned char)ndims;
    for (int i = 0; i < ndims; i++)
        for (int k = 3; k >= 0; k--)
            buf[n++] = (unsigned char)(dims[i] >> (8 * k));
    assert_true(n + nbody <= sizeof buf);
    memcpy(buf + n, body, nbody);
    write_bytes(path, buf, n + nbody, gz);
}

static const unsigned char pixels[12] = {0, 255, 51, 1, 2, 3, 4, 5, 6, 7, 128, 254};
static const unsigned char labels3[3] = {9, 0, 4};
static const uint32_t img_dims[3] = {3, 2, 2}, lab_dims[1] = {3};

/* A valid pair (raw or gzip) under the given names. */
static void write_pair(const char *img, const char *lab, int gz)
{
    write_idx(img, gz, 0x08, 3, img_dims, pixels, 12);
    write_idx(lab, gz, 0x08, 1, lab_dims, labels3, 3);
}

static void check_round_trip(int gz)
{
    const char *img = tmp_path(gz ? "img.gz" : "img", 0), *lab = tmp_path(gz ? "lab.gz" : "lab", 1);
    write_pair(img, lab, gz);
    ds_dataset *d = NULL;
    assert_int_equal(ds_idx_load(img, lab, 10, &d), DS_OK);
    assert_int_equal(ds_dataset_rows(d), 3);
    assert_int_equal(ds_dataset_features(d), 4);
    assert_int_equal(ds_dataset_classes(d), 10);
    assert_int_equal(ds_dataset_outputs(d), 0);
    for (int i = 0; i < 12; i++)
        assert_true(ds_dataset_x(d)[i] == (float)pixels[i] / 255.0f);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ds_dataset_labels(d)[i], labels3[i]);
    ds_dataset_free(d);
    assert_int_equal(ds_idx_load(img, lab, 0, &d), DS_OK); /* inferred: max label + 1 */
    assert_int_equal(ds_dataset_classes(d), 10);
    ds_dataset_free(d);
}

static void idx_round_trip_raw(void **state)
{
    (void)state;
    check_round_trip(0);
}

static void idx_round_trip_gzip(void **state)
{
    (void)state;
    check_round_trip(1);
}

/* Loads images `img` with a good label file; expects status and message parts. */
static void expect_idx_error(const char *img, const char *lab, int32_t classes, ds_status want,
                             const char *part1, const char *part2)
{
    ds_dataset *d = (ds_dataset *)1;
    ds_status s = ds_idx_load(img, lab, classes, &d);
    const char *msg = ds_last_error();
    if (s != want || !strstr(msg, part1) || (part2 && !strstr(msg, part2)))
        fail_msg("status %d (want %d), message '%s' (want '%s' and '%s')", s, want, msg, part1,
                 part2 ? part2 : "");
    assert_null(d);
}

static void idx_bad_headers(void **state)
{
    (void)state;
    const char *img = tmp_path("bad", 0), *lab = tmp_path("lab", 1);
    write_pair(tmp_path("img", 2), lab, 0);
    unsigned char raw[16] = {1, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
    write_bytes(img, raw, sizeof raw, 0);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "bad magic");
    write_idx(img, 0, 0x0D, 3, img_dims, pixels, 12);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "not supported");
    write_idx(img, 0, 0x08, 0, img_dims, pixels, 12);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "0 dimensions");
    uint32_t five[5] = {3, 1, 1, 2, 2};
    write_idx(img, 0, 0x08, 5, five, pixels, 12);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "5 dimensions");
    uint32_t huge[3] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    write_idx(img, 0, 0x08, 3, huge, pixels, 12);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "more than");
    write_bytes(img, raw + 4, 2, 0); /* not even a magic number */
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "truncated");
    expect_idx_error(tmp_path("missing", 0), lab, 10, DS_ERR_IO, "missing", "cannot open");
}

static void idx_bad_lengths(void **state)
{
    (void)state;
    const char *lab = tmp_path("lab", 1);
    write_pair(tmp_path("img", 2), lab, 0);
    for (int gz = 0; gz <= 1; gz++) {
        const char *img = tmp_path(gz ? "len.gz" : "len", 0);
        write_idx(img, gz, 0x08, 3, img_dims, pixels, 5);
        expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img,
                         "truncated: header says 12 pixel bytes, file has 5");
        unsigned char longer[13] = {0};
        write_idx(img, gz, 0x08, 3, img_dims, longer, 13);
        expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img,
                         "trailing bytes: header says 12 pixel bytes, file has 13");
    }
    /* A gzip file far too small for its header is rejected before allocating. */
    uint32_t big[3] = {100000, 28, 28};
    write_idx(tmp_path("big.gz", 0), 1, 0x08, 3, big, pixels, 12);
    expect_idx_error(tmp_path("big.gz", 0), lab, 10, DS_ERR_FORMAT, "big.gz", "truncated");
}

static void idx_bad_pairs(void **state)
{
    (void)state;
    const char *img = tmp_path("img", 0), *lab = tmp_path("lab2", 1);
    write_pair(img, tmp_path("lab", 2), 0);
    uint32_t four[1] = {4};
    unsigned char l4[4] = {1, 2, 3, 4};
    write_idx(lab, 0, 0x08, 1, four, l4, 4);
    expect_idx_error(img, lab, 10, DS_ERR_MISMATCH, "3 images", "4 labels");
    write_pair(img, lab, 0);
    expect_idx_error(img, lab, 9, DS_ERR_FORMAT, lab, "label 9 at index 0 is out of range");
    uint32_t two[2] = {3, 1};
    write_idx(lab, 0, 0x08, 2, two, labels3, 3);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, lab, "1 dimension");
}

/* A test pair whose images have another shape is refused at load. */
static void idx_test_shape(void **state)
{
    (void)state;
    write_pair(tmp_path("img", 0), tmp_path("lab", 1), 0);
    const uint32_t dims[2] = {3, 3};
    write_idx(tmp_path("timg", 2), 0, 0x08, 2, dims, pixels, 9);
    char spec[1100];
    snprintf(spec, sizeof spec, "idx:%s,%s,", tmp_path("img", 0), tmp_path("lab", 1));
    snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%s,%s", tmp_path("timg", 2),
             tmp_path("lab", 1));
    ds_data d;
    assert_int_equal(ds_data_load(spec, 1, &d), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "timg: the test set has 3 features"));
}

/* Reads a whole file into memory (for corrupting gzip bytes). */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static unsigned char buf[4096];
    *n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void idx_corrupt_gzip(void **state)
{
    (void)state;
    const char *img = tmp_path("c.gz", 0), *lab = tmp_path("lab", 1);
    write_pair(img, lab, 1);
    size_t n;
    unsigned char *b = slurp(img, &n);
    b[n - 6] ^= 0xFF; /* inside the CRC-32 trailer (RFC 1952): a guaranteed check failure */
    write_bytes(img, b, n, 0);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "corrupt gzip");
    write_pair(img, lab, 1);
    b = slurp(img, &n);
    write_bytes(img, b, n / 2, 0); /* cut in the middle of the deflate stream */
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "truncated");
    unsigned char junk[32] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    write_bytes(img, junk, sizeof junk, 0); /* gzip magic, garbage deflate data */
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "gzip");
    write_pair(img, lab, 1);
    b = slurp(img, &n);
    memcpy(b + n, "abc", 3); /* after the last member: zlib's gzread ignores it */
    write_bytes(img, b, n + 3, 0);
    expect_idx_error(img, lab, 10, DS_ERR_FORMAT, img, "trailing bytes after the gzip data");
}

/* A CSV in two gzip members (cat a.gz b.gz, bgzip) is read whole; bytes
 * after the last member are refused. */
static void csv_gzip_members(void **state)
{
    (void)state;
    const char *csv_gz = tmp_path("t.csv.gz", 2);
    gzFile f = gzopen(csv_gz, "wb");
    assert_true(f && gzputs(f, "a,label\n1,0\n") > 0 && gzclose(f) == Z_OK);
    f = gzopen(csv_gz, "ab"); /* a second member */
    assert_true(f && gzputs(f, "2,1\n") > 0 && gzclose(f) == Z_OK);
    ds_dataset *d = NULL;
    assert_int_equal(ds_csv_load(csv_gz, NULL, &d), DS_OK);
    assert_int_equal(ds_dataset_rows(d), 2);
    ds_dataset_free(d);
    FILE *raw = fopen(csv_gz, "ab");
    assert_true(raw && fputs("\n\n", raw) >= 0 && fclose(raw) == 0);
    assert_int_equal(ds_csv_load(csv_gz, NULL, &d), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "t.csv.gz: trailing bytes after the gzip data"));
}

/* ---- CSV ---- */

static ds_dataset *csv(const char *text, const char *label, ds_csv_task task, ds_status want)
{
    const char *path = tmp_path("t.csv", 0);
    write_bytes(path, text, strlen(text), 0);
    ds_csv_options o = ds_csv_default_options();
    o.label = label;
    o.task = task;
    ds_dataset *d = (ds_dataset *)1;
    ds_status s = ds_csv_load(path, &o, &d);
    if (s != want) fail_msg("status %d, want %d: %s", s, want, ds_last_error());
    if (s != DS_OK) assert_null(d);
    if (s != DS_OK) assert_int_equal(ds_last_status(), s); /* kept with the message */
    return d;
}

static void expect_csv_error(const char *text, const char *label, const char *part)
{
    csv(text, label, DS_CSV_CLASSIFY,
        strstr(part, "no label column") ? DS_ERR_NOT_FOUND : DS_ERR_FORMAT);
    char want[512];
    snprintf(want, sizeof want, "%s%s", tmp_path("t.csv", 1), part);
    if (!strstr(ds_last_error(), want)) fail_msg("message '%s' lacks '%s'", ds_last_error(), want);
}

static void csv_good(void **state)
{
    (void)state;
    static const char *const texts[] = {"a,label,b\n1,2,3\n4,0,6\n",
                                        "a, \"label\" ,b\r\n1, 2,3\r\n4,0 ,6\r\n\r\n"};
    static const char *const labels[] = {"label", "1", NULL};
    for (int t = 0; t < 2; t++)
        for (int l = 0; l < 3; l++) {
            ds_dataset *d = csv(texts[t], labels[l], DS_CSV_CLASSIFY, DS_OK);
            const float x[4] = {1, 3, 4, 6};
            assert_int_equal(ds_dataset_rows(d), 2);
            assert_int_equal(ds_dataset_features(d), 2);
            assert_int_equal(ds_dataset_classes(d), 3);
            assert_memory_equal(ds_dataset_x(d), x, sizeof x);
            assert_int_equal(ds_dataset_labels(d)[0], 2);
            assert_int_equal(ds_dataset_labels(d)[1], 0);
            ds_dataset_free(d);
        }
    ds_dataset *d = csv("y,x\n-0.5,1e3\n2.25,7", "y", DS_CSV_REGRESS, DS_OK);
    assert_int_equal(ds_dataset_outputs(d), 1);
    assert_null(ds_dataset_labels(d));
    assert_true(ds_dataset_targets(d)[0] == -0.5f && ds_dataset_targets(d)[1] == 2.25f);
    assert_true(ds_dataset_x(d)[0] == 1000.0f && ds_dataset_x(d)[1] == 7.0f);
    ds_dataset_free(d);
}

static void csv_bad(void **state)
{
    (void)state;
    expect_csv_error("a,label\n1,2\n3\n", NULL, ":3:2: row has 1 fields, the header has 2");
    expect_csv_error("a,label\n1,2\n3,4,5\n", NULL, ":3:5: row has 3 fields");
    expect_csv_error("a,label\n1,2\nx1,0\n", NULL, ":3:1: not a number: \"x1\"");
    expect_csv_error("a,label\nabc,1\n", NULL, ":2:1: not a number");
    expect_csv_error("a,label\n1,\n", NULL, ":2:3: missing label");
    expect_csv_error("a,label\n1,0\n,1\n", NULL, ":3:1: missing value");
    expect_csv_error("a,label\n1,0\nNA,1\n", NULL, ":3:1: missing value");
    expect_csv_error("a,b,label\n1,0,0\n1, ? ,1\n", NULL, ":3:3: missing value");
    expect_csv_error("a,label\n1,1.5\n", NULL, ":2:3: label must be a whole number");
    expect_csv_error("a,label\n1,-1\n", NULL, ":2:3: label must be a whole number");
    expect_csv_error("a,label\n1,2\n\n3,4\n", NULL, ":3:1: blank line");
    expect_csv_error("", NULL, ": empty file");
    expect_csv_error("\r\n\n", NULL, ": empty file");
    expect_csv_error("a,label\r\n", NULL, ": header only");
    expect_csv_error("a,b\n1,2\n", "nope", ":1: no label column 'nope'");
    expect_csv_error("a,b\n1,2\n", "2", ":1: no label column '2'");
    expect_csv_error("a,label\nnan,1\n", NULL, ":2:1: not a finite number");
    expect_csv_error("a,label\n1,0\n-inf,1\n", NULL, ":3:1: not a finite number");
    expect_csv_error("a,label\n1e39,1\n", NULL, ":2:1: out of float range");
    expect_csv_error("a,label\n1,1\n2,3,4\n", NULL, ":3:5: row has 3 fields, the header has 2");
    expect_csv_error("1,1\n2,3,4\n", NULL, ":2:5: row has 3 fields, the first row has 2");
    expect_csv_error("1,cat\nx,dog\n", NULL, ":2:1: not a number: \"x\"");
}

/* Reads text with options o; want: the status. */
static ds_dataset *csv_with(const char *text, const ds_csv_options *o, ds_status want)
{
    const char *path = tmp_path("t.csv", 0);
    write_bytes(path, text, strlen(text), 0);
    ds_dataset *d = (ds_dataset *)1;
    ds_status s = ds_csv_load(path, o, &d);
    if (s != want) fail_msg("status %d, want %d: %s", s, want, ds_last_error());
    if (s != DS_OK) assert_null(d);
    return d;
}

static void expect_in_error(const char *part)
{
    if (!strstr(ds_last_error(), part)) fail_msg("message '%s' lacks '%s'", ds_last_error(), part);
}

/* The delimiter is detected (or given) and the header detected (or given). */
static void csv_delimiter_header(void **state)
{
    (void)state;
    static const char *const texts[] = {"a;b;label\n1;2;0\n3;4;1\n",
                                        "a\tb\tlabel\n1\t2\t0\n3\t4\t1\n", "1,2,0\n3,4,1\n",
                                        "\xEF\xBB\xBF"
                                        "1;2;0\r\n3;4;1\r\n"};
    ds_csv_options o = ds_csv_default_options();
    for (int t = 0; t < 4; t++) {
        ds_dataset *d = csv_with(texts[t], &o, DS_OK);
        const float x[4] = {1, 2, 3, 4};
        assert_int_equal(ds_dataset_rows(d), 2);
        assert_memory_equal(ds_dataset_x(d), x, sizeof x);
        assert_true(ds_dataset_labels(d)[0] == 0 && ds_dataset_labels(d)[1] == 1);
        ds_dataset_free(d);
    }
    o.delimiter = ',';
    csv_with(texts[0], &o, DS_ERR_FORMAT);
    expect_in_error("t.csv:1: the first row looks semicolon-separated, not comma-separated");
    o = ds_csv_default_options();
    o.header = DS_CSV_HEADER_NO; /* the names are read as a row */
    csv_with("x,label\n1,0\n", &o, DS_ERR_FORMAT);
    expect_in_error("t.csv:1:1: not a number: \"x\"");
    o.header = DS_CSV_HEADER_YES; /* row 1 is names even if numbers */
    ds_dataset *d = csv_with("1,2,0\n3,4,1\n", &o, DS_OK);
    assert_int_equal(ds_dataset_rows(d), 1);
    ds_dataset_free(d);
    o = ds_csv_default_options();
    o.label = "0"; /* headerless: an index */
    d = csv_with("5,2,0\n6,4,1\n", &o, DS_OK);
    assert_true(ds_dataset_labels(d)[0] == 5 && ds_dataset_x(d)[0] == 2.0f);
    ds_dataset_free(d);
}

/* Labels that are names: sorted, kept; a given list maps them. */
static void csv_named_labels(void **state)
{
    (void)state;
    ds_csv_options o = ds_csv_default_options();
    ds_dataset *d = csv_with("x,species\n1,setosa\n2,\"virginica\"\n3,setosa\n4,Iris\n", &o, DS_OK);
    assert_int_equal(ds_dataset_classes(d), 3);
    assert_string_equal(ds_dataset_class_name(d, 0), "Iris"); /* byte order: upper case first */
    assert_string_equal(ds_dataset_class_name(d, 1), "setosa");
    assert_string_equal(ds_dataset_class_name(d, 2), "virginica");
    assert_null(ds_dataset_class_name(d, 3));
    const int32_t want[4] = {1, 2, 1, 0};
    assert_memory_equal(ds_dataset_labels(d), want, sizeof want);
    ds_dataset *tr, *va; /* the names go with the split */
    assert_int_equal(ds_dataset_split(d, 0.5, 1, &tr, &va), DS_OK);
    assert_string_equal(ds_dataset_class_name(va, 2), "virginica");
    ds_dataset_free(tr), ds_dataset_free(va), ds_dataset_free(d);
    d = csv_with("a,l\n1,0\n2,x\n", &o, DS_OK); /* one name: every label is a name */
    assert_string_equal(ds_dataset_class_name(d, 0), "0");
    ds_dataset_free(d);
    static const char *const names[] = {"dog", "cat", "emu"};
    o.class_names = names;
    o.nclass_names = 3;
    d = csv_with("a,label\n1,cat\n2,dog\n", &o, DS_OK);
    assert_int_equal(ds_dataset_classes(d), 3);
    assert_true(ds_dataset_labels(d)[0] == 1 && ds_dataset_labels(d)[1] == 0);
    ds_dataset_free(d);
    csv_with("a,label\n1,cat\n2,cow\n", &o, DS_ERR_FORMAT);
    expect_in_error(
        "t.csv:3:3: label \"cow\" is not one of the model's classes ('cat', 'dog', 'emu')");
    o.nclass_names = 0; /* names without a count */
    csv_with("a,label\n1,cat\n", &o, DS_ERR_INVALID);
}

/* missing=mean leaves NaN for ds_prep to fill; missing=drop leaves rows out. */
static void csv_missing(void **state)
{
    (void)state;
    ds_csv_options o = ds_csv_default_options();
    o.missing = DS_CSV_MISSING_MEAN;
    ds_dataset *d = csv_with("a,b,label\n1,NA,0\n,4,1\n5,?,b\n", &o, DS_OK);
    assert_int_equal(ds_dataset_rows(d), 3);
    const float *x = ds_dataset_x(d);
    assert_true(x[0] == 1 && isnan(x[1]) && isnan(x[2]) && x[3] == 4 && isnan(x[5]));
    ds_dataset_free(d);
    csv_with("a,label\n1,0\n2,NA\n", &o, DS_ERR_FORMAT);
    expect_in_error("t.csv:3:3: missing label");
    o.missing = DS_CSV_MISSING_DROP;
    d = csv_with("a,b,label\n1,NA,x\n2,3,y\n,4,x\n5,6,NA\n7,8,z\n", &o, DS_OK);
    assert_int_equal(ds_dataset_rows(d), 2);
    assert_true(ds_dataset_x(d)[0] == 2 && ds_dataset_x(d)[2] == 7);
    assert_int_equal(ds_dataset_classes(d), 2); /* only the kept rows' labels */
    assert_true(ds_dataset_labels(d)[0] == 0 && ds_dataset_labels(d)[1] == 1);
    ds_dataset_free(d);
    csv_with("a,label\n1,NA\n", &o, DS_ERR_FORMAT);
    expect_in_error("missing=drop left none");
}

/* A byte-order mark is not part of the first column's name. */
static void csv_bom(void **state)
{
    (void)state;
    ds_dataset *d = csv("\xEF\xBB\xBFlabel,a\n1,2\n", NULL, DS_CSV_CLASSIFY, DS_OK);
    assert_true(ds_dataset_labels(d)[0] == 1 && ds_dataset_x(d)[0] == 2.0f);
    ds_dataset_free(d);
}

/* Loads "csv:TRAIN,TEST" from two texts through the data spec. */
static ds_status csv_pair(const char *train, const char *test, ds_data *out)
{
    char spec[600];
    write_bytes(tmp_path("train.csv", 0), train, strlen(train), 0);
    write_bytes(tmp_path("test.csv", 1), test, strlen(test), 0);
    snprintf(spec, sizeof spec, "csv:%s,%s", tmp_path("train.csv", 0), tmp_path("test.csv", 1));
    return ds_data_load(spec, 1, out);
}

/* A test file's columns are found by name, whatever their order. */
static void csv_test_columns(void **state)
{
    (void)state;
    ds_data d;
    assert_int_equal(csv_pair("a,b,label\n1,2,0\n3,4,1\n", "b,label,a\n20,1,10\n", &d), DS_OK);
    const float x[2] = {10, 20};
    assert_memory_equal(ds_dataset_x(d.test), x, sizeof x);
    assert_int_equal(ds_dataset_labels(d.test)[0], 1);
    ds_data_free(&d);
    assert_int_equal(csv_pair("a,b,label\n1,2,0\n", "a,c,label\n1,2,0\n", &d), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "missing: 'b'; not in the training file: 'c'"));
    assert_int_equal(csv_pair("a,b,label\n1,2,0\n", "a,label\n1,0\n", &d), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "test.csv:1: the test file needs"));
    assert_non_null(strstr(ds_last_error(), "missing: 'b'"));
    assert_int_equal(csv_pair("a,label\n1,0\n", "a,b,label\n1,2,0\n", &d), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "not in the training file: 'b'"));
    /* named labels: the test file takes the training file's names */
    assert_int_equal(csv_pair("a,label\n1,b\n2,a\n", "a,label\n3,b\n", &d), DS_OK);
    assert_int_equal(ds_dataset_labels(d.test)[0], 1);
    ds_data_free(&d);
    assert_int_equal(csv_pair("a,label\n1,b\n2,a\n", "a,label\n3,c\n", &d), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "test.csv:2:3: label \"c\" is not one of"));
}

static void csv_huge_fields(void **state)
{
    (void)state;
    size_t big = 1u << 20;
    char *text = malloc(big + 64);
    assert_non_null(text);
    strcpy(text, "a,label\n");
    memset(text + 8, '0', big); /* a 1 MiB field: leading zeros of 1.5 */
    strcpy(text + 8 + big, "1.5,1\n");
    ds_dataset *d = csv(text, NULL, DS_CSV_CLASSIFY, DS_OK);
    assert_true(ds_dataset_x(d)[0] == 1.5f);
    ds_dataset_free(d);
    memset(text + 8, 'x', big); /* a 1 MiB non-number: reported, quoted short */
    csv(text, NULL, DS_CSV_CLASSIFY, DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), ":2:1: not a number: \"xxxx"));
    assert_true(strlen(ds_last_error()) < 400);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idx_round_trip_raw), cmocka_unit_test(idx_round_trip_gzip),
        cmocka_unit_test(idx_bad_headers),    cmocka_unit_test(idx_bad_lengths),
        cmocka_unit_test(idx_bad_pairs),      cmocka_unit_test(idx_corrupt_gzip),
        cmocka_unit_test(csv_good),           cmocka_unit_test(csv_bad),
        cmocka_unit_test(csv_huge_fields),    cmocka_unit_test(csv_bom),
        cmocka_unit_test(csv_test_columns),   cmocka_unit_test(idx_test_shape),
        cmocka_unit_test(csv_gzip_members),   cmocka_unit_test(csv_delimiter_header),
        cmocka_unit_test(csv_named_labels),   cmocka_unit_test(csv_missing),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
