/* fuzz_csv_rows.c - libFuzzer target for the block-by-block CSV reader of
 * `descent predict` (ds_csv_rows_open / _next, descent/stream.h). Input:
 * one byte of features (1 + b % 8), one byte of block rows (1 + b % 16),
 * then the file (raw or gzip). Every row read must be finite floats (the
 * reader refuses NaN, infinity and values beyond float range), a block
 * never holds more rows than asked, and every failure leaves a message. */
#include "fuzz.h"

#include "descent/stream.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t features = 1 + data[0] % 8, block = 1 + data[1] % 16;
    char path[64];
    int fd = ds_fuzz_file(data + 2, size - 2, path, sizeof path);
    if (fd < 0) return 0;
    float x[8 * 16];
    ds_csv_rows *r = NULL;
    ds_clear_error();
    ds_status s = ds_csv_rows_open(path, features, NULL, &r);
    size_t got = 1;
    while (s == DS_OK && got > 0) {
        s = ds_csv_rows_next(r, x, block, 1, &got);
        DS_FUZZ_CHECK(got <= block);
        for (size_t i = 0; s == DS_OK && i < got * features; i++)
            DS_FUZZ_CHECK(isfinite(x[i]));
    }
    DS_FUZZ_CHECK(s == DS_OK || ds_last_error()[0] != '\0');
    ds_csv_rows_free(r);
    ds_fuzz_file_close(fd);
    return 0;
}
