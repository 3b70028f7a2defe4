/* fuzz_opt_spec.c - libFuzzer target for ds_opt_parse (optimizer specs such
 * as "adam:lr=0.01,beta2=0.99"). Beyond not crashing, it holds the parser to
 * the contract in optim.h: on failure *out is untouched and a message says
 * why; on success the result validates and survives format -> parse ->
 * format unchanged. */
#include "fuzz.h"

#include "descent/optim.h"

#include <string.h>

/* Long enough for every key of the longest rule (linesearch: 16 rates). */
#define SPEC_MAX 4096

static void check_round_trip(const ds_opt_params *p)
{
    char first[SPEC_MAX], second[SPEC_MAX];
    ds_opt_params again;
    int n = ds_opt_format(p, first, sizeof first);
    DS_FUZZ_CHECK(n > 0 && (size_t)n < sizeof first);
    DS_FUZZ_CHECK(ds_opt_parse(first, &again) == DS_OK);
    DS_FUZZ_CHECK(ds_opt_format(&again, second, sizeof second) == n);
    DS_FUZZ_CHECK(strcmp(first, second) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = ds_fuzz_cstring(data, size);
    if (!spec) return 0;
    ds_opt_params p, before;
    /* A pattern no parser writes, so "unchanged on failure" is checkable. */
    memset(&p, 0xA5, sizeof p);
    memcpy(&before, &p, sizeof p);
    ds_clear_error();
    if (ds_opt_parse(spec, &p) == DS_OK) {
        DS_FUZZ_CHECK(ds_opt_validate(&p) == DS_OK);
        check_round_trip(&p);
    } else {
        DS_FUZZ_CHECK(memcmp(&p, &before, sizeof p) == 0);
        DS_FUZZ_CHECK(ds_last_error()[0] != '\0');
    }
    free(spec);
    return 0;
}
