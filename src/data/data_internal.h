/* data_internal.h - the data set's layout, shared by the files of src/data
 * (readers and generators fill the arrays in place). Private: not installed. */
#ifndef DESCENT_DATA_INTERNAL_H
#define DESCENT_DATA_INTERNAL_H

#include "descent/data.h"

struct ds_dataset {
    size_t n;        /* rows in use (<= the rows allocated) */
    size_t features; /* floats per row of x */
    size_t outputs;  /* floats per row of targets; 0 with labels */
    int32_t classes; /* > 0 with labels; 0 with targets */
    float *x;
    int32_t *labels;
    float *targets;
    struct ds__stream *stream; /* non-NULL: rows live in a stream file
                                  (stream.c); x, labels, targets are NULL */
    char **columns;            /* read from CSV: the header's names, in file order
                                  (one block with the names), else NULL */
    size_t ncolumns;           /* entries of columns */
    size_t label_column;       /* index in columns of the label column */
};

/* Reads a CSV test file for `train` (read by ds_csv_load): its columns are
 * matched to train's by header name, in any order; a column missing or not
 * in train is DS_ERR_MISMATCH naming both lists. */
ds_status ds__csv_load_test(const char *path, const ds_csv_options *opt, const ds_dataset *train,
                            ds_dataset **out);

/* DS_ERR_UNSUPPORTED naming `what` if d is streamed (its rows are read
 * through ds_iter only); DS_OK otherwise. */
ds_status ds__dataset_in_memory(const ds_dataset *d, const char *what);

/* Keeps the first min(n, rows) rows (no reallocation). */
void ds__dataset_truncate(ds_dataset *d, size_t n);

/* DS_ERR_MISMATCH naming `path` unless test rows have train's features and
 * targets (checked at load, before a model is built or anything written). */
ds_status ds__dataset_check_test(const ds_dataset *train, const ds_dataset *test, const char *path);

/* A new data set with rows [start, start + count) of src; NULL on failure. */
ds_dataset *ds__dataset_slice(const ds_dataset *src, size_t start, size_t count);

#endif
