/* fuzz_stream.c - libFuzzer target for the stream-file reader
 * (ds_stream_open, then one shuffled epoch through ds_iter, which reads the
 * rows block by block). As with checkpoints, each input is also read with
 * its header CRC (stream.h: bytes 60..63 over 0..59) recomputed, so
 * mutations reach the size checks and the rows behind it. Every batch must
 * keep data.h's promise that a label lies in [0, classes): the loss indexes
 * with it. */
#include "fuzz.h"

#include "descent/data.h"
#include "descent/stream.h"

#include <string.h>
#include <zlib.h>

#define HEADER_SIZE 64

static void check_batch(const ds_batch *b, int32_t classes)
{
    DS_FUZZ_CHECK(b->n >= 1 && b->x != NULL);
    for (size_t i = 0; classes > 0 && i < b->n; i++)
        DS_FUZZ_CHECK(b->labels[i] >= 0 && b->labels[i] < classes);
}

static void load(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = ds_fuzz_file(data, size, path, sizeof path);
    if (fd < 0) return;
    ds_dataset *d = NULL;
    ds_clear_error();
    if (ds_stream_open(path, 2, &d) == DS_OK) {
        ds_iter *it = ds_iter_init(d, 3, 1, 7);
        ds_batch b;
        while (it && ds_iter_next(it, &b))
            check_batch(&b, ds_dataset_classes(d));
        ds_iter_free(it);
        ds_dataset_free(d);
    } else {
        DS_FUZZ_CHECK(d == NULL && ds_last_error()[0] != '\0');
    }
    ds_fuzz_file_close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    uint8_t *fixed = size >= HEADER_SIZE ? malloc(size) : NULL;
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    uint32_t crc = (uint32_t)crc32(0L, fixed, 60);
    for (int i = 0; i < 4; i++)
        fixed[60 + i] = (uint8_t)(crc >> (8 * i));
    load(fixed, size);
    free(fixed);
    return 0;
}
