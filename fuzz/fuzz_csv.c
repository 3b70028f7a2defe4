/* fuzz_csv.c - libFuzzer target for the CSV reader (ds_csv_load), plain and
 * gzip. Byte 0 picks the options, the rest is the file (in memory):
 *   bit 0     task: classify / regress
 *   bits 1-2  label column: default ("label"), "y", index "0", index "1"
 *   bit 3     classes: 0 (largest label + 1) / 3
 * An accepted table must keep data.h's promises: at least one row and one
 * feature, and for classification every label below the class count. */
#include "fuzz.h"

#include "descent/data.h"

static void check_dataset(ds_dataset *d, const ds_csv_options *opt)
{
    size_t rows = ds_dataset_rows(d);
    DS_FUZZ_CHECK(rows >= 1 && ds_dataset_features(d) >= 1);
    if (opt->task == DS_CSV_REGRESS) {
        DS_FUZZ_CHECK(ds_dataset_outputs(d) == 1 && ds_dataset_targets(d) != NULL);
        return;
    }
    int32_t have = ds_dataset_classes(d);
    const int32_t *labels = ds_dataset_labels(d);
    DS_FUZZ_CHECK(have >= 1 && (opt->classes == 0 || have == opt->classes) && labels != NULL);
    for (size_t i = 0; i < rows; i++)
        DS_FUZZ_CHECK(labels[i] >= 0 && labels[i] < have);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const label_columns[] = {NULL, "y", "0", "1"};
    if (size < 1) return 0;
    ds_csv_options opt = ds_csv_default_options();
    opt.task = (data[0] & 1) ? DS_CSV_REGRESS : DS_CSV_CLASSIFY;
    opt.label = label_columns[(data[0] >> 1) & 3];
    opt.classes = (data[0] & 8) ? 3 : 0;
    char path[64];
    int fd = ds_fuzz_file(data + 1, size - 1, path, sizeof path);
    if (fd < 0) return 0;
    ds_dataset *d = NULL;
    ds_clear_error();
    if (ds_csv_load(path, &opt, &d) == DS_OK) {
        check_dataset(d, &opt);
        ds_dataset_free(d);
    } else {
        DS_FUZZ_CHECK(d == NULL && ds_last_error()[0] != '\0');
    }
    ds_fuzz_file_close(fd);
    return 0;
}
