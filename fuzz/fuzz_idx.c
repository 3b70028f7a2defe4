/* fuzz_idx.c - libFuzzer target for the IDX reader (ds_idx_load), raw and
 * gzip. The input packs both files and the class count:
 *   byte 0      classes, as a signed byte (negative: must be rejected)
 *   bytes 1-2   length of the images file, big-endian (clipped to the rest)
 *   then        the images file, then the labels file
 * Each file goes to an in-memory file, so the reader's own open/read/gzip
 * path runs. A data set it accepts must keep data.h's promises: every label
 * below the class count, every pixel in [0, 1]. */
#include "fuzz.h"

#include "descent/data.h"

#include <string.h>

static void check_dataset(ds_dataset *d, int32_t classes)
{
    size_t rows = ds_dataset_rows(d), features = ds_dataset_features(d);
    int32_t have = ds_dataset_classes(d);
    DS_FUZZ_CHECK(rows >= 1 && features >= 1 && have >= 1);
    DS_FUZZ_CHECK(classes == 0 || have == classes);
    const int32_t *labels = ds_dataset_labels(d);
    const float *x = ds_dataset_x(d);
    DS_FUZZ_CHECK(labels != NULL && x != NULL);
    for (size_t i = 0; i < rows; i++)
        DS_FUZZ_CHECK(labels[i] >= 0 && labels[i] < have);
    for (size_t i = 0; i < rows * features; i++)
        DS_FUZZ_CHECK(x[i] >= 0.0f && x[i] <= 1.0f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int32_t classes = (int8_t)data[0];
    size_t split = (size_t)data[1] << 8 | data[2];
    data += 3;
    size -= 3;
    if (split > size) split = size;
    char images[64], labels[64];
    int ifd = ds_fuzz_file(data, split, images, sizeof images);
    int lfd = ds_fuzz_file(data + split, size - split, labels, sizeof labels);
    if (ifd >= 0 && lfd >= 0) {
        ds_dataset *d = NULL;
        ds_clear_error();
        if (ds_idx_load(images, labels, classes, &d) == DS_OK) {
            check_dataset(d, classes);
            ds_dataset_free(d);
        } else {
            DS_FUZZ_CHECK(d == NULL && ds_last_error()[0] != '\0');
        }
    }
    ds_fuzz_file_close(ifd);
    ds_fuzz_file_close(lfd);
    return 0;
}
