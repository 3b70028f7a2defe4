/* test_core.c - src/core, the helpers every other folder stands on: the
 * thread-local error message, strict number parsing, the seeded RNG and the
 * text buffer (with its XML escaping and atomic save). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/internal.h"
#include "descent/strbuf.h"
#include "descent/error.h"
#include "descent/parse.h"
#include "descent/rng.h"
#include "descent/strbuf.h"
#include "test_util.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* ---- errors --------------------------------------------------------- */

static void test_set_error_formats_and_returns_status(void **state)
{
    (void)state;
    ds_clear_error();
    assert_string_equal(ds_last_error(), "");
    assert_int_equal(ds_set_error(DS_ERR_IO, "cannot read '%s' (%d)", "a.csv", 7), DS_ERR_IO);
    assert_string_equal(ds_last_error(), "cannot read 'a.csv' (7)");
    assert_int_equal(ds__fail(DS_ERR_INVALID, "lr must be >= 0 (got %g)", -1.0), DS_ERR_INVALID);
    assert_string_equal(ds_last_error(), "lr must be >= 0 (got -1)");
    assert_int_equal(ds__nomem("the model", 64), DS_ERR_NOMEM);
    assert_string_equal(ds_last_error(), "out of memory allocating 64 bytes for the model");
    ds_clear_error();
    assert_string_equal(ds_last_error(), "");
}

/* A message longer than the buffer is cut, never overflows. */
static void test_long_message_is_truncated(void **state)
{
    (void)state;
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ds_set_error(DS_ERR_PARSE, "%s", big);
    size_t n = strlen(ds_last_error());
    assert_true(n > 0 && n < sizeof big - 1);
    assert_true(ds_last_error()[n - 1] == 'x');
}

static void *fail_in_thread(void *arg)
{
    ds_set_error(DS_ERR_FORMAT, "thread message");
    strcpy(arg, ds_last_error());
    return NULL;
}

/* Each thread has its own message: a failure in one leaves another's alone. */
static void test_last_error_is_thread_local(void **state)
{
    (void)state;
    char seen[64] = "";
    ds_set_error(DS_ERR_INVALID, "main message");
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fail_in_thread, seen), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_string_equal(seen, "thread message");
    assert_string_equal(ds_last_error(), "main message");
}

static void test_status_names(void **state)
{
    (void)state;
    for (int s = DS_OK; s <= DS_ERR_MPI; s++) {
        assert_non_null(ds_status_str((ds_status)s));
        assert_string_not_equal(ds_status_str((ds_status)s), "unknown status");
        for (int t = DS_OK; t < s; t++)
            assert_string_not_equal(ds_status_str((ds_status)s), ds_status_str((ds_status)t));
    }
    assert_string_equal(ds_status_str((ds_status)(DS_ERR_MPI + 1)), "unknown status");
    assert_string_equal(ds_status_str((ds_status)-1), "unknown status");
}

/* A NaN in a message shows without its sign. */
static void test_msg_num_drops_nan_sign(void **state)
{
    (void)state;
    char buf[32];
    snprintf(buf, sizeof buf, "%g", ds__msg_num(-NAN));
    assert_string_equal(buf, "nan");
    assert_true(ds__msg_num(-2.5) == -2.5);
}

/* ---- numbers -------------------------------------------------------- */

static void test_parse_double_accepts_whole_numbers(void **state)
{
    (void)state;
    const char *text[] = {"0.1", "1e-3", "-2", "+4", "0x1p-4", "1E+2", ".5"};
    const double want[] = {0.1, 1e-3, -2, 4, 0.0625, 100, 0.5};
    for (size_t i = 0; i < sizeof text / sizeof *text; i++) {
        double v = NAN;
        assert_int_equal(ds_parse_double(text[i], &v), 0);
        assert_true(v == want[i]);
    }
}

static void test_parse_double_rejects_junk(void **state)
{
    (void)state;
    const char *bad[] = {"",    " 1",    "\t1",    "1 ",  "1e-3x", "x",  "inf", "-inf",
                         "nan", "1e400", "-1e400", "1,5", "0.1.2", "e3", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = 7.0;
        if (ds_parse_double(bad[i], &v) != -1) fail_msg("accepted '%s'", bad[i]);
        assert_true(v == 7.0); /* untouched on failure */
    }
    double v = 7.0;
    assert_int_equal(ds_parse_double(NULL, &v), -1);
    assert_true(v == 7.0);
}

static void test_parse_long(void **state)
{
    (void)state;
    long v = 0;
    assert_int_equal(ds_parse_long("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(ds_parse_long("-7", &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(ds_parse_long("9223372036854775807", &v), 0);
    assert_true(v == 9223372036854775807L);
    const char *bad[] = {
        "",     " 1", "1 ", "1.5", "0x10", "1e3", "9223372036854775808", "-9223372036854775809",
        "12abc"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        v = 5;
        if (ds_parse_long(bad[i], &v) != -1) fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(v, 5);
    }
    assert_int_equal(ds_parse_long(NULL, &v), -1);
}

/* ---- random numbers ------------------------------------------------- */

/* The same seed gives the same stream (every draw kind); another seed, and
 * seed 0 too, gives a live one. */
static void test_rng_is_deterministic(void **state)
{
    (void)state;
    ds_rng a = ds_rng_seed(1234), b = ds_rng_seed(1234), c = ds_rng_seed(1235);
    ds_rng z = ds_rng_seed(0);
    int differ = 0, zero_moves = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = ds_rng_next(&a);
        assert_true(x == ds_rng_next(&b));
        differ += x != ds_rng_next(&c);
        zero_moves += ds_rng_next(&z) != 0;
        assert_true(ds_rng_uniform(&a) == ds_rng_uniform(&b));
        assert_true(ds_rng_normal(&a) == ds_rng_normal(&b));
        assert_true(ds_rng_below(&a, 10) == ds_rng_below(&b, 10));
    }
    assert_true(differ > 990);
    assert_true(zero_moves > 990);
}

static void test_rng_ranges(void **state)
{
    (void)state;
    ds_rng r = ds_rng_seed(7);
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        double u = ds_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        uint64_t k = ds_rng_below(&r, 7);
        assert_true(k < 7);
        seen[k]++;
        assert_true(isfinite(ds_rng_normal(&r)));
        assert_true(ds_rng_below(&r, 1) == 0);
    }
    for (int k = 0; k < 7; k++)
        assert_true(seen[k] > 700); /* about 1000 each */
}

/* A shuffle is a permutation, the same one for the same state. */
static void test_rng_shuffle(void **state)
{
    (void)state;
    enum { N = 100 };
    uint32_t x[N], y[N];
    for (uint32_t i = 0; i < N; i++)
        x[i] = y[i] = i;
    ds_rng a = ds_rng_seed(9), b = ds_rng_seed(9);
    ds_rng_shuffle(&a, x, N);
    ds_rng_shuffle(&b, y, N);
    assert_memory_equal(x, y, sizeof x);
    int moved = 0, count[N] = {0};
    for (uint32_t i = 0; i < N; i++) {
        count[x[i]]++;
        moved += x[i] != i;
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(count[i], 1);
    assert_true(moved > N / 2);
}

/* ---- text ----------------------------------------------------------- */

/* Appends of every size keep one NUL-terminated text, across the printf
 * fast path (< 256 bytes) and buffer growth (> 4096). */
static void test_strbuf_appends(void **state)
{
    (void)state;
    ds_strbuf b = {0};
    char long_word[5000];
    memset(long_word, 'w', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    ds_strbuf_append(&b, "ab", 2);
    ds_strbuf_printf(&b, "%d-%s", 12, "cd");
    ds_strbuf_printf(&b, "%s", long_word);
    ds_strbuf_puts(&b, "!");
    assert_false(b.failed);
    assert_int_equal(b.len, 2 + 5 + 4999 + 1);
    assert_int_equal(strlen(b.data), b.len);
    assert_memory_equal(b.data, "ab12-cdwww", 10);
    assert_true(b.data[b.len - 1] == '!');
    assert_true(b.cap > b.len);
    ds_strbuf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    ds_strbuf_free(NULL);
}

/* After an allocation failure every append is a no-op. */
static void test_strbuf_failed_stays_failed(void **state)
{
    (void)state;
    ds_strbuf b = {0};
    b.failed = 1;
    ds_strbuf_append(&b, "x", 1);
    ds_strbuf_printf(&b, "%d", 1);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_escaping(void **state)
{
    (void)state;
    ds_strbuf b = {0};
    ds_strbuf_put_escaped(&b, "a<b & \"c\" 'd'>\x01\te\n");
    assert_string_equal(b.data, "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\te\n");
    ds_strbuf_free(&b);
    /* valid UTF-8 kept; a stray byte, an overlong form and a surrogate replaced */
    ds_strbuf_put_escaped(&b, "\xC3\xA9|\xFF|\xC0\xAF|\xED\xA0\x80|");
    assert_string_equal(b.data, "\xC3\xA9|\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|"
                                "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|");
    ds_strbuf_free(&b);
    ds_strbuf_put_escaped(&b, NULL);
    assert_int_equal(b.len, 0);
}

static void test_strbuf_save(void **state)
{
    (void)state;
    ds_strbuf b = {0};
    ds_strbuf_printf(&b, "epoch,loss\n1,%g\n", 0.5);
    const char *path = path_in_tmp("log.csv");
    assert_int_equal(ds_strbuf_save(&b, path), DS_OK);
    ds_strbuf_printf(&b, "2,0.25\n");
    assert_int_equal(ds_strbuf_save(&b, path), DS_OK); /* replaces */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char got[64] = "";
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    assert_int_equal(n, b.len);
    assert_string_equal(got, "epoch,loss\n1,0.5\n2,0.25\n");
    const char *nowhere = path_in_tmp("no/such/folder/log.csv");
    assert_int_equal(ds_strbuf_save(&b, nowhere), DS_ERR_IO);
    assert_non_null(strstr(ds_last_error(), "no/such/folder"));
    ds_strbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_error_formats_and_returns_status),
        cmocka_unit_test(test_long_message_is_truncated),
        cmocka_unit_test(test_last_error_is_thread_local),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_msg_num_drops_nan_sign),
        cmocka_unit_test(test_parse_double_accepts_whole_numbers),
        cmocka_unit_test(test_parse_double_rejects_junk),
        cmocka_unit_test(test_parse_long),
        cmocka_unit_test(test_rng_is_deterministic),
        cmocka_unit_test(test_rng_ranges),
        cmocka_unit_test(test_rng_shuffle),
        cmocka_unit_test(test_strbuf_appends),
        cmocka_unit_test(test_strbuf_failed_stays_failed),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_strbuf_save),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
