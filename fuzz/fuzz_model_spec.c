/* fuzz_model_spec.c - libFuzzer target for the model spec parser
 * (ds_model_init: "mlp:784-256-10", "neuron", "neuron:N") and the
 * description parser (ds_model_init_desc: "mlp:4-3-2 act=tanh loss=mse"),
 * which also reads descriptions back from checkpoint files. A model built
 * either way must describe itself in text that rebuilds the same model.
 * Huge sizes are welcome: fuzz_util.c makes allocations over its cap fail,
 * so they exercise the DS_ERR_NOMEM path instead of exhausting memory. */
#include "fuzz.h"

#include "descent/model.h"

#include <string.h>

#define DESC_MAX 4096

static void check_model(ds_model *m)
{
    char first[DESC_MAX], second[DESC_MAX];
    int n = ds_model_describe(m, first, sizeof first);
    DS_FUZZ_CHECK(n > 0);
    if ((size_t)n >= sizeof first) return; /* a very deep network: too long to compare here */
    ds_model *again = ds_model_init_desc(first, NULL);
    /* Rebuilding allocates again and may hit the allocation cap (see
     * fuzz_util.c); any other failure means the description does not parse. */
    if (!again) {
        DS_FUZZ_CHECK(strstr(ds_last_error(), "out of memory") != NULL);
        return;
    }
    DS_FUZZ_CHECK(ds_model_describe(again, second, sizeof second) == n);
    DS_FUZZ_CHECK(strcmp(first, second) == 0);
    ds_model_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = ds_fuzz_cstring(data, size);
    if (!spec) return 0;
    ds_clear_error();
    ds_model *m = ds_model_init(spec, 0, NULL);
    if (m) {
        check_model(m);
        ds_model_free(m);
    } else {
        DS_FUZZ_CHECK(ds_last_error()[0] != '\0');
    }
    ds_clear_error();
    m = ds_model_init_desc(spec, NULL);
    if (m) {
        check_model(m);
        ds_model_free(m);
    } else {
        DS_FUZZ_CHECK(ds_last_error()[0] != '\0');
    }
    free(spec);
    return 0;
}
