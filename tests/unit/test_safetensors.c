/* test_safetensors.c - weights in and out in safetensors
 * (ds_model_save_safetensors / ds_model_load_safetensors): a round trip
 * keeps every parameter, batch norm's running statistics and the pass
 * count bit for bit, for a network and for an mlp; a file for another
 * model is refused naming the tensor, with nothing changed; files that are
 * not safetensors (truncated, a header longer than the file, not JSON) are
 * refused. torch's own files are read in test_net_torch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "descent/model.h"
#include "test_util.h"

#include <string.h>

#define NET "net:in=2x6x6|conv:3,3,same|batchnorm|relu|maxpool:2|dense:4|batchnorm|dense:3"

static ds_model *trained(const char *spec, uint64_t seed)
{
    ds_model_params p = ds_model_default_params();
    p.seed = seed;
    ds_model *m = ds_model_init(spec, 0, &p);
    assert_non_null(m);
    size_t f = ds_model_inputs(m);
    float x[4 * 72];
    int32_t y[4] = {0, 1, 2, 1};
    for (size_t i = 0; i < 4 * f; i++)
        x[i] = (float)((i * 37 + seed) % 11) - 5.0f;
    ds_batch b = {.x = x, .n = 4, .features = f, .labels = y};
    assert_int_equal(ds_model_forward_backward(m, &b, NULL), DS_OK); /* running statistics */
    return m;
}

static void round_trip(const char *spec)
{
    ds_model *a = trained(spec, 1), *b = trained(spec, 2);
    const char *path = path_in_tmp("w.safetensors");
    assert_int_equal(ds_model_save_safetensors(a, path), DS_OK);
    assert_int_equal(ds_model_load_safetensors(b, path), DS_OK);
    assert_memory_equal(ds_model_param_data(a), ds_model_param_data(b),
                        ds_model_param_count(a) * sizeof(float));
    assert_memory_equal(ds_model_state_data(a), ds_model_state_data(b),
                        ds_model_state_count(a) * sizeof(float));
    assert_true(ds_model_passes(a) == ds_model_passes(b));
    ds_model_free(a);
    ds_model_free(b);
}

static void test_round_trip(void **state)
{
    (void)state;
    round_trip(NET);
    round_trip("mlp:72-5-3");
}

/* Loading fails with `status` and a message holding `what`; the model is
 * unchanged. */
static void refused(ds_model *m, const char *path, ds_status status, const char *what)
{
    size_t n = ds_model_param_count(m);
    float *keep = malloc(n * sizeof *keep);
    memcpy(keep, ds_model_param_data(m), n * sizeof *keep);
    assert_int_equal(ds_model_load_safetensors(m, path), status);
    if (!strstr(ds_last_error(), what)) fail_msg("'%s' lacks '%s'", ds_last_error(), what);
    assert_memory_equal(keep, ds_model_param_data(m), n * sizeof *keep);
    free(keep);
}

static void test_mismatch(void **state)
{
    (void)state;
    ds_model *a = trained(NET, 1);
    const char *path = path_in_tmp("net.safetensors");
    assert_int_equal(ds_model_save_safetensors(a, path), DS_OK);
    ds_model *wide = ds_model_init("net:in=2x6x6|conv:4,3,same|batchnorm|relu|maxpool:2|dense:4|"
                                   "batchnorm|dense:3",
                                   0, NULL);
    refused(wide, path, DS_ERR_MISMATCH, "tensor '0.weight' has shape [3,2,3,3]");
    ds_model *mlp = ds_model_init("mlp:72-4-3", 0, NULL);
    refused(mlp, path, DS_ERR_MISMATCH, "'0.weight' has shape [3,2,3,3]");
    ds_model *shorter = ds_model_init("net:in=2x6x6|conv:3,3,same|batchnorm|relu|maxpool:2|"
                                      "dense:4",
                                      0, NULL);
    refused(shorter, path, DS_ERR_MISMATCH, "tensor '6.weight' is not in the model");
    ds_model_free(wide);
    ds_model_free(mlp);
    ds_model_free(shorter);
    ds_model_free(a);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_not_safetensors(void **state)
{
    (void)state;
    ds_model *m = ds_model_init("mlp:3-2", 0, NULL);
    const char *path = path_in_tmp("bad.safetensors");
    write_bytes(path, "\x05\0\0", 3);
    refused(m, path, DS_ERR_FORMAT, "not a safetensors file");
    write_bytes(path, "\x40\0\0\0\0\0\0\0{}", 10);
    refused(m, path, DS_ERR_FORMAT, "not a safetensors file");
    write_bytes(path, "\x02\0\0\0\0\0\0\0[]", 10);
    refused(m, path, DS_ERR_FORMAT, "not a JSON object");
    char file[200];
    const char *json = "{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],"
                       "\"data_offsets\":[0,12]}}";
    memset(file, 0, sizeof file);
    file[0] = (char)strlen(json);
    memcpy(file + 8, json, strlen(json));
    write_bytes(path, file, 8 + strlen(json) + 12);
    refused(m, path, DS_ERR_MISMATCH, "'0.weight' has dtype F16");
    refused(m, path_in_tmp("none.safetensors"), DS_ERR_IO, "cannot open");
    ds_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_mismatch),
        cmocka_unit_test(test_not_safetensors),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
