/* test_csv_rows.c - the block-by-block CSV reader (descent/stream.h):
 *  - every number reads as the float ds_csv_load reads (strtod's), for
 *    20000 random decimal texts of every shape (signs, leading zeros, no
 *    integer or fraction part, exponents, 25 digits, hex) and the edges
 *    (FLT_MAX, denormals, -0) and those of the fast paths (8 digits at a
 *    time, 19-20 digit mantissas, 10^+-22, leading zeros, ".5", "5.");
 *  - blocks of 1, 7 and 4096 rows give the same rows; a block larger than
 *    the buffer grows it; the label column is found by name or is the last;
 *  - bad rows are refused with path:line:column;
 *  - columns are matched by name to the training file's; missing values
 *    read as NaN only when allowed. */
#include "descent/data.h"
#include "descent/rng.h"
#include "descent/stream.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A random number text of one of several shapes into buf. */
static void random_number(ds_rng *g, char *buf, size_t size)
{
    static const char *const shapes[] = {"%s%.*f", "%s%.*e", "%s%.*g", "%s0%.*f", "%s%.*E"};
    double v = (ds_rng_uniform(g) - 0.5) * pow(10.0, (double)(int)(ds_rng_uniform(g) * 60 - 30));
    int shape = (int)(ds_rng_uniform(g) * 7), prec = (int)(ds_rng_uniform(g) * 25);
    const char *sign = ds_rng_uniform(g) < 0.1 ? "+" : "";
    if (v < 0) sign = "";
    if (shape < 5)
        snprintf(buf, size, shapes[shape], sign, prec, shape == 3 ? fabs(v) : v);
    else if (shape == 5)
        snprintf(buf, size, "%.0f.", v * 1e3); /* no fraction digits */
    else
        snprintf(buf, size, "%a", v); /* hex: the slow path */
    if (buf[0] == '0' && buf[1] == '.' && buf[2] >= '0' && buf[2] <= '9' && ds_rng_uniform(g) < 0.5)
        memmove(buf, buf + 1, strlen(buf));
}

static const char *write_file(const char *name, const char *text)
{
    const char *path = path_in_tmp(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* All rows of path through blocks of `block` rows. */
static size_t read_all(const char *path, size_t features, size_t block, float *x)
{
    ds_csv_rows *r;
    assert_int_equal(ds_csv_rows_open(path, features, NULL, &r), DS_OK);
    size_t n = 0, got;
    do {
        assert_int_equal(ds_csv_rows_next(r, x + n * features, block, 0, &got), DS_OK);
        n += got;
    } while (got > 0);
    ds_csv_rows_free(r);
    return n;
}

/* The edges of the 8-digits-at-a-time fast path and of Clinger's (4 a row). */
static const char *const edges[] = {
    "12345678",
    "123456789",
    "0.12345678",
    "-0.123456789",
    "1234567890123456",
    "9007199254740992",
    "9007199254740993",
    "12345678901234567",
    "1234567890123456789",
    "12345678901234567890",
    "0.1234567890123456789",
    "00000000001.5",
    "-00000000000000000000000000012345678",
    "+0.00000001",
    ".5",
    "5.",
    "1e+07",
    "1E-07",
    "123e22",
    "123e23",
    "1e-22",
    "1e-23",
    "9007199254740991e22",
    "1.5e-39",
    "1.17549435e-38",
    "1.4e-45",
    "7e-46",
    "-3.4028234e38",
    "99999999.99999999",
    "0000000000000000",
    "123456780e-8",
    "1.00000005960464477539",
};

static void test_numbers_as_csv_load(void **state)
{
    (void)state;
    enum { EDGE = sizeof edges / sizeof *edges / 4, ROWS = 5000 + EDGE, F = 4 };
    ds_rng g = ds_rng_seed(42);
    size_t cap = ROWS * F * 48 + 64, len = 0;
    char *text = malloc(cap), num[64];
    len += (size_t)snprintf(text, cap, "a,b,c,d,label\n3.4028234e38,1e-45,-0,  7 ,1\n");
    for (int i = 0; i < EDGE; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s,%s,%s,%s,0\n", edges[4 * i],
                                edges[4 * i + 1], edges[4 * i + 2], edges[4 * i + 3]);
    for (int i = 0; i < ROWS - 1 - EDGE; i++) {
        for (int j = 0; j < F; j++) {
            random_number(&g, num, sizeof num);
            len += (size_t)snprintf(text + len, cap - len, "%s,", num);
        }
        len += (size_t)snprintf(text + len, cap - len, "%d\r\n", i % 3);
    }
    const char *path = write_file("numbers.csv", text);
    free(text);
    ds_dataset *d;
    if (ds_csv_load(path, NULL, &d) != DS_OK) fail_msg("%s", ds_last_error());
    float *x = malloc(ROWS * F * sizeof *x);
    size_t blocks[] = {1, 7, 4096};
    for (int b = 0; b < 3; b++) {
        memset(x, 0xff, ROWS * F * sizeof *x);
        assert_int_equal(read_all(path, F, blocks[b], x), ROWS);
        assert_memory_equal(x, ds_dataset_x(d), ROWS * F * sizeof *x);
    }
    free(x);
    ds_dataset_free(d);
}

static void test_label_column_and_growth(void **state)
{
    (void)state;
    float x[4];
    /* "label" by name, in the middle; then no header and the last column */
    assert_int_equal(
        read_all(write_file("named.csv", "\xEF\xBB\xBFx,label,y\n1,9,2\n3,9,4\n\n"), 2, 5, x), 2);
    float want[4] = {1, 2, 3, 4};
    assert_memory_equal(x, want, sizeof x);
    assert_int_equal(read_all(write_file("last.csv", "1,2,9\n3,4,8"), 2, 5, x), 2);
    assert_memory_equal(x, want, sizeof x);
    /* semicolons and tabs (a tab is not a blank there); an empty field refused */
    assert_int_equal(read_all(write_file("semi.csv", "x;y\n1; 2\n3 ;4\n"), 2, 5, x), 2);
    assert_memory_equal(x, want, sizeof x);
    assert_int_equal(read_all(write_file("tab.csv", "x\tlabel\ty\n1\ta\t2\n3\tb\t4\n"), 2, 5, x),
                     2);
    assert_memory_equal(x, want, sizeof x);
    /* a block of long rows larger than the first buffer (4 MiB) */
    enum { ROWS = 3000, F = 300 };
    size_t cap = (size_t)ROWS * F * 8 + 16, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < F; j++)
            len += (size_t)snprintf(text + len, cap - len, "%6d%c", i + j, j + 1 < F ? ',' : '\n');
    const char *path = write_file("wide.csv", text);
    free(text);
    float *big = malloc((size_t)ROWS * F * sizeof *big);
    assert_int_equal(read_all(path, F, ROWS, big), ROWS);
    assert_true(big[(size_t)(ROWS - 1) * F + F - 1] == (float)(ROWS - 1 + F - 1));
    free(big);
}

static void expect_error(const char *name, const char *text, size_t features, const char *msg)
{
    const char *path = text ? write_file(name, text) : path_in_tmp(name);
    ds_csv_rows *r;
    float x[64];
    size_t got = 1;
    ds_status s = ds_csv_rows_open(path, features, NULL, &r);
    if (s == DS_OK) {
        while ((s = ds_csv_rows_next(r, x, 8, 1, &got)) == DS_OK && got > 0)
            ;
        ds_csv_rows_free(r);
        assert_int_equal(got, 0);
    }
    assert_int_not_equal(s, DS_OK);
    if (!strstr(ds_last_error(), msg)) fail_msg("'%s' not in '%s'", msg, ds_last_error());
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("nan.csv", "1,2\n3,nan\n", 2, "nan.csv:2:3: not a finite number");
    expect_error("big.csv", "1,2\n3,1e39\n", 2, "big.csv:2:3: out of float range");
    expect_error("big20.csv", "1,2\n3,340282400000000000000000000000000000000.0\n", 2,
                 "big20.csv:2:3: out of float range");
    expect_error("word.csv", "x,y\n1,2\n3, 4x\n", 2, "word.csv:3:3: not a number: \" 4x\"");
    expect_error("short.csv", "1,2,3\n4,5\n", 2, "short.csv:2:4: row has 2 fields, expected 3");
    expect_error("blank.csv", "1,2\n\n3,4\n", 2, "blank.csv:2:1: blank line");
    expect_error("empty.csv", "", 2, "empty file");
    expect_error("tabgap.csv", "1\t2\n3\t\t\n", 2, "tabgap.csv:2:3: not a number: \"\"");
    expect_error("tabwide.csv", "1\t2\n3\t4\t5\n", 2,
                 "tabwide.csv:2:5: row has 3 fields, expected 2");
    expect_error("tabempty.csv", "1\t2\n\t4\n", 2, "tabempty.csv:2:1: not a number");
    expect_error("cols.csv", "1,2,3,4\n", 2, "4 columns, but the model takes 2 inputs");
    expect_error("missing.csv", NULL, 2, "cannot open");
}

/* Columns matched by name: reordered, the label left out; a foreign or
 * missing one refused; a file without a header kept in place. */
static void test_match(void **state)
{
    (void)state;
    const char *const cols[] = {"a", "y", "b", "c"}; /* the label is "y" (1) */
    ds_csv_rows *r;
    float x[6];
    size_t got;
    assert_int_equal(ds_csv_rows_open(write_file("m.csv", "c,a,b\n3,1,2\n6,4,5\n"), 3, "y", &r),
                     DS_OK);
    assert_int_equal(ds_csv_rows_match(r, cols, 4, 1), DS_OK);
    assert_int_equal(ds_csv_rows_has_label(r), 0);
    assert_int_equal(ds_csv_rows_next(r, x, 4, 1, &got), DS_OK);
    float want[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(got, 2);
    assert_memory_equal(x, want, sizeof want);
    ds_csv_rows_free(r);
    assert_int_equal(ds_csv_rows_open(write_file("l.csv", "b,y,c,a\n2,x,3,1\n"), 3, "y", &r),
                     DS_OK);
    assert_int_equal(ds_csv_rows_match(r, cols, 4, 1), DS_OK);
    assert_int_equal(ds_csv_rows_has_label(r), 1);
    assert_int_equal(ds_csv_rows_next(r, x, 4, 1, &got), DS_OK);
    assert_memory_equal(x, want, 3 * sizeof *x);
    ds_csv_rows_free(r);
    assert_int_equal(ds_csv_rows_open(write_file("f.csv", "a,b,d\n1,2,3\n"), 3, "y", &r), DS_OK);
    assert_int_equal(ds_csv_rows_match(r, cols, 4, 1), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "f.csv:1: a column not in the training file 'd'"));
    ds_csv_rows_free(r);
    /* missing values: NaN when allowed (for prep's fill), else refused */
    const char *miss = write_file("miss.csv", "a,b\n1, NA\n?,3\n,4\n");
    assert_int_equal(ds_csv_rows_open(miss, 2, NULL, &r), DS_OK);
    ds_csv_rows_allow_missing(r, 1);
    assert_int_equal(ds_csv_rows_next(r, x, 4, 1, &got), DS_OK);
    assert_true(got == 3 && x[0] == 1 && isnan(x[1]) && isnan(x[2]) && x[3] == 3 && isnan(x[4]));
    ds_csv_rows_free(r);
    assert_int_equal(ds_csv_rows_open(miss, 2, NULL, &r), DS_OK);
    assert_int_equal(ds_csv_rows_next(r, x, 4, 1, &got), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "miss.csv:2:3: not a number: \" NA\""));
    ds_csv_rows_free(r);
    assert_int_equal(ds_csv_rows_open(write_file("n.csv", "3,1,2\n"), 3, "y", &r), DS_OK);
    assert_int_equal(ds_csv_rows_match(r, cols, 4, 1), DS_OK); /* no header: in place */
    assert_int_equal(ds_csv_rows_next(r, x, 4, 1, &got), DS_OK);
    assert_true(got == 1 && x[0] == 3 && x[1] == 1 && x[2] == 2);
    ds_csv_rows_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_as_csv_load),
        cmocka_unit_test(test_label_column_and_growth),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
