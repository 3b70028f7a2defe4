/* test_checkpoint.c - the checkpoint container and file format
 * (descent/checkpoint.h): records round-trip bit for bit; truncated,
 * bit-flipped, other-version and oversized-header files are rejected with
 * DS_ERR_FORMAT and a message saying which; saves are atomic (no temporary
 * file left, a failed save leaves the old file); optimizer state is matched
 * by name and another optimizer's file is DS_ERR_MISMATCH. */
#include "descent/checkpoint.h"
#include "descent/optim.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* A checkpoint with one record of every type. */
static ds_ckpt *sample(void)
{
    ds_ckpt *c = ds_ckpt_new();
    assert_non_null(c);
    float f[5] = {1.5f, -0.0f, 3e-38f, INFINITY, 7};
    double d[2] = {M_PI, -1e300};
    int64_t i[3] = {INT64_MIN, 0, INT64_MAX};
    assert_int_equal(ds_ckpt_put(c, "a.f32", DS_CKPT_F32, f, 5), DS_OK);
    assert_int_equal(ds_ckpt_put(c, "b.f64", DS_CKPT_F64, d, 2), DS_OK);
    assert_int_equal(ds_ckpt_put(c, "c.i64", DS_CKPT_I64, i, 3), DS_OK);
    assert_int_equal(ds_ckpt_put_text(c, "d.text", "mlp:4-3 loss=xent"), DS_OK);
    assert_int_equal(ds_ckpt_put(c, "e.empty", DS_CKPT_F32, NULL, 0), DS_OK);
    return c;
}

static void test_roundtrip(void **state)
{
    (void)state;
    ds_ckpt *c = sample(), *back = NULL;
    const char *p = path_in_tmp("round.ckpt");
    assert_int_equal(ds_ckpt_save(c, p), DS_OK);
    assert_int_equal(ds_ckpt_load(p, &back), DS_OK);
    assert_int_equal(ds_ckpt_count(back), 5);
    for (size_t k = 0; k < 5; k++)
        assert_string_equal(ds_ckpt_name(back, k), ds_ckpt_name(c, k));
    float f[5];
    assert_int_equal(ds_ckpt_get(back, "a.f32", DS_CKPT_F32, f, 5), DS_OK);
    assert_memory_equal(f, ds_ckpt_find(c, "a.f32", DS_CKPT_F32, NULL), sizeof f);
    int64_t i[3];
    assert_int_equal(ds_ckpt_get(back, "c.i64", DS_CKPT_I64, i, 3), DS_OK);
    assert_true(i[0] == INT64_MIN && i[2] == INT64_MAX);
    double d;
    assert_int_equal(ds_ckpt_get(back, "b.f64", DS_CKPT_F64, &d, 1), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "b.f64"));
    assert_int_equal(ds_ckpt_get(back, "a.f32", DS_CKPT_F64, &d, 1), DS_ERR_MISMATCH);
    assert_int_equal(ds_ckpt_get(back, "zzz", DS_CKPT_F64, &d, 1), DS_ERR_NOT_FOUND);
    assert_string_equal(ds_ckpt_find(back, "d.text", DS_CKPT_TEXT, NULL), "mlp:4-3 loss=xent");
    ds_ckpt_free(c);
    ds_ckpt_free(back);
}

/* Every prefix of a valid file is rejected as malformed, never crashes. */
static void test_truncated(void **state)
{
    (void)state;
    ds_ckpt *c = sample(), *back = NULL;
    const char *p = path_in_tmp("trunc.ckpt");
    assert_int_equal(ds_ckpt_save(c, p), DS_OK);
    size_t n;
    unsigned char *b = read_all(p, &n);
    for (size_t len = 0; len < n; len++) {
        assert_int_equal(ds_ckpt_load_mem(b, len, "cut", &back), DS_ERR_FORMAT);
        assert_null(back);
        assert_non_null(strstr(ds_last_error(), "cut"));
        if (len >= 32) assert_non_null(strstr(ds_last_error(), "truncated"));
    }
    free(b);
    ds_ckpt_free(c);
}

/* Any single flipped bit is caught (header or payload CRC, or the magic). */
static void test_bit_flips(void **state)
{
    (void)state;
    ds_ckpt *c = sample(), *back = NULL;
    const char *p = path_in_tmp("flip.ckpt");
    assert_int_equal(ds_ckpt_save(c, p), DS_OK);
    size_t n;
    unsigned char *b = read_all(p, &n);
    for (size_t at = 0; at < n; at++) {
        b[at] ^= 0x10;
        assert_int_equal(ds_ckpt_load_mem(b, n, "flip", &back), DS_ERR_FORMAT);
        const char *msg = ds_last_error();
        assert_true(strstr(msg, at < 8 ? "magic" : "CRC") != NULL);
        b[at] ^= 0x10;
    }
    assert_int_equal(ds_ckpt_load_mem(b, n, "intact", &back), DS_OK);
    ds_ckpt_free(back);
    free(b);
    ds_ckpt_free(c);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A well-formed header that claims another version, or a huge payload:
 * rejected by what it says, before any allocation of that size. */
static void test_header_fields(void **state)
{
    (void)state;
    ds_ckpt *c = sample(), *back = NULL;
    const char *p = path_in_tmp("hdr.ckpt");
    assert_int_equal(ds_ckpt_save(c, p), DS_OK);
    size_t n;
    unsigned char *b = read_all(p, &n);
    put_le32(b + 8, DS_CKPT_VERSION + 1);
    put_le32(b + 28, (uint32_t)crc32(0, b, 28));
    assert_int_equal(ds_ckpt_load_mem(b, n, "v2", &back), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "version 2"));
    put_le32(b + 8, DS_CKPT_VERSION);
    put_le32(b + 16, 0xffffffffu), put_le32(b + 20, 0x7fffffffu); /* ~2^63 bytes */
    put_le32(b + 28, (uint32_t)crc32(0, b, 28));
    assert_int_equal(ds_ckpt_load_mem(b, n, "huge", &back), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "truncated"));
    free(b);
    assert_int_equal(ds_ckpt_load(path_in_tmp("missing.ckpt"), &back), DS_ERR_IO);
    assert_non_null(strstr(ds_last_error(), "missing.ckpt"));
    ds_ckpt_free(c);
}

static int count_files(void)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A save replaces the file whole and leaves no temporary behind; a save
 * into a missing folder fails with DS_ERR_IO and creates nothing. */
static void test_atomic_save(void **state)
{
    (void)state;
    ds_ckpt *c = sample(), *back = NULL;
    const char *p = path_in_tmp("atomic.ckpt");
    int before = count_files();
    assert_int_equal(ds_ckpt_save(c, p), DS_OK);
    assert_int_equal(ds_ckpt_put_text(c, "d.text", "second version"), DS_OK);
    assert_int_equal(ds_ckpt_save(c, p), DS_OK);
    assert_int_equal(count_files(), before + 1);
    assert_int_equal(ds_ckpt_load(p, &back), DS_OK);
    assert_string_equal(ds_ckpt_find(back, "d.text", DS_CKPT_TEXT, NULL), "second version");
    ds_ckpt_free(back);
    assert_int_equal(ds_ckpt_save(c, path_in_tmp("no/such/dir.ckpt")), DS_ERR_IO);
    assert_non_null(strstr(ds_last_error(), "no/such/dir.ckpt"));
    assert_int_equal(count_files(), before + 1);
    ds_ckpt_free(c);
}

/* Adam after three steps: every state entry saved by name and restored
 * into a fresh optimizer; the next step is then identical. */
static void test_optim_state(void **state)
{
    (void)state;
    float x1[6] = {1, -2, 3, 0.5f, -1, 2}, g1[6], x2[6], g2[6];
    ds_opt_params p;
    assert_int_equal(ds_opt_parse("adam:lr=0.01,amsgrad=1", &p), DS_OK);
    ds_param_group a = {x1, g1, 6, NULL}, b = {x2, g2, 6, NULL};
    ds_optim *o1 = ds_optim_init(&p, &a, 1), *o2 = ds_optim_init(&p, &b, 1);
    assert_true(o1 && o2);
    for (int s = 0; s < 3; s++) {
        for (int i = 0; i < 6; i++)
            g1[i] = x1[i] * (float)(i + 1);
        assert_int_equal(ds_optim_step(o1), DS_OK);
    }
    ds_ckpt *c = ds_ckpt_new();
    assert_int_equal(ds_ckpt_put_optim(c, o1), DS_OK);
    assert_int_equal(ds_ckpt_get_optim(c, o2), DS_OK);
    assert_int_equal(ds_optim_steps(o2, 0), 3);
    memcpy(x2, x1, sizeof x1);
    for (int i = 0; i < 6; i++)
        g1[i] = g2[i] = x1[i];
    assert_int_equal(ds_optim_step(o1), DS_OK);
    assert_int_equal(ds_optim_step(o2), DS_OK);
    assert_memory_equal(x1, x2, sizeof x1);
    /* another rule, or the same rule with another lr, is a mismatch */
    ds_opt_params q = ds_opt_default_params(DS_OPT_SGD);
    ds_optim *o3 = ds_optim_init(&q, &b, 1);
    assert_int_equal(ds_ckpt_get_optim(c, o3), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "adam"));
    ds_optim_free(o3);
    assert_int_equal(ds_opt_parse("adam:lr=0.02,amsgrad=1", &q), DS_OK);
    o3 = ds_optim_init(&q, &b, 1);
    assert_int_equal(ds_ckpt_get_optim(c, o3), DS_ERR_MISMATCH);
    ds_optim_free(o3);
    ds_ckpt_free(c);
    ds_optim_free(o1);
    ds_optim_free(o2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),   cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bit_flips),   cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_atomic_save), cmocka_unit_test(test_optim_state),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
