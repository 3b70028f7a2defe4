/* fuzz_csv.c - libFuzzer target for the CSV reader (ds_csv_load), plain and
 * gzip. Bytes 0 and 1 pick the options, the rest is the file (in memory):
 *   byte 0 bit 0     task: classify / regress
 *          bits 1-2  label column: default, "y", index "0", index "1"
 *          bit 3     classes: 0 (largest label + 1) / 3
 *          bits 4-5  header: auto, yes, no, auto
 *          bits 6-7  delimiter: detect, ',', ';', tab
 *   byte 1 bits 0-1  missing: refuse, mean, drop, refuse
 *          bit 2     map the labels through the names "a", "b", "0"
 * An accepted table must keep data.h's promises: at least one row and one
 * feature; every feature finite (NaN only under missing=mean); for
 * classification every label below the class count, and a name for every
 * class when the labels were names. */
#include "fuzz.h"

#include "descent/data.h"

#include <math.h>

static const char *const given_names[] = {"a", "b", "0"};

static void check_labels(ds_dataset *d, const ds_csv_options *opt)
{
    size_t rows = ds_dataset_rows(d);
    int32_t have = ds_dataset_classes(d);
    const int32_t *labels = ds_dataset_labels(d);
    DS_FUZZ_CHECK(have >= 1 && labels != NULL);
    if (opt->class_names) DS_FUZZ_CHECK(have == opt->nclass_names);
    int named = ds_dataset_class_name(d, 0) != NULL;
    if (!named && !opt->class_names) DS_FUZZ_CHECK(opt->classes == 0 || have == opt->classes);
    if (named)
        for (int32_t k = 0; k < have; k++)
            DS_FUZZ_CHECK(ds_dataset_class_name(d, k) != NULL);
    for (size_t i = 0; i < rows; i++)
        DS_FUZZ_CHECK(labels[i] >= 0 && labels[i] < have);
}

static void check_dataset(ds_dataset *d, const ds_csv_options *opt)
{
    size_t rows = ds_dataset_rows(d), n = rows * ds_dataset_features(d);
    DS_FUZZ_CHECK(rows >= 1 && ds_dataset_features(d) >= 1);
    const float *x = ds_dataset_x(d);
    for (size_t i = 0; i < n; i++)
        DS_FUZZ_CHECK(isfinite(x[i]) || (isnan(x[i]) && opt->missing == DS_CSV_MISSING_MEAN));
    if (opt->task == DS_CSV_REGRESS) {
        DS_FUZZ_CHECK(ds_dataset_outputs(d) == 1 && ds_dataset_targets(d) != NULL);
        return;
    }
    check_labels(d, opt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const label_columns[] = {NULL, "y", "0", "1"};
    static const ds_csv_header headers[] = {DS_CSV_HEADER_AUTO, DS_CSV_HEADER_YES,
                                            DS_CSV_HEADER_NO, DS_CSV_HEADER_AUTO};
    static const char delimiters[] = {0, ',', ';', '\t'};
    static const ds_csv_missing missings[] = {DS_CSV_MISSING_REFUSE, DS_CSV_MISSING_MEAN,
                                              DS_CSV_MISSING_DROP, DS_CSV_MISSING_REFUSE};
    if (size < 2) return 0;
    ds_csv_options opt = ds_csv_default_options();
    opt.task = (data[0] & 1) ? DS_CSV_REGRESS : DS_CSV_CLASSIFY;
    opt.label = label_columns[(data[0] >> 1) & 3];
    opt.classes = (data[0] & 8) ? 3 : 0;
    opt.header = headers[(data[0] >> 4) & 3];
    opt.delimiter = delimiters[(data[0] >> 6) & 3];
    opt.missing = missings[data[1] & 3];
    if (data[1] & 4) opt.class_names = given_names, opt.nclass_names = 3;
    char path[64];
    int fd = ds_fuzz_file(data + 2, size - 2, path, sizeof path);
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
