/* data_internal.h - the data set's layout, shared by the files of src/data
 * (readers and generators fill the arrays in place). Private: not installed. */
#ifndef DESCENT_DATA_INTERNAL_H
#define DESCENT_DATA_INTERNAL_H

#include "descent/data.h"

#include <zlib.h>

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
    char **class_names;        /* CSV labels that were names: classes entries
                                  (one block with the names), else NULL */
};

/* A copy of count names in one block (the pointers, then the texts): one
 * free releases it. NULL with DS_ERR_NOMEM set. */
char **ds__names_copy(const char *const *names, size_t count);

/* Gives d copies of `count` class names (one block); DS_ERR_NOMEM. */
ds_status ds__dataset_set_names(ds_dataset *d, const char *const *names, int32_t count);

/* Reads a CSV test file for `train` (read by ds_csv_load): its columns are
 * matched to train's by header name, in any order; a column missing or not
 * in train is DS_ERR_MISMATCH naming both lists. */
ds_status ds__csv_load_test(const char *path, const ds_csv_options *opt, const ds_dataset *train,
                            ds_dataset **out);

/* A CSV label field as read (in place in the file's buffer), with its
 * place for messages. */
typedef struct ds__csv_label {
    const char *text;
    size_t line, col;
} ds__csv_label;

/* DS_ERR_INVALID naming path for options out of range (csv_labels.c). */
ds_status ds__csv_check_options(const char *path, const ds_csv_options *o);

/* Turns the d->n label fields into d's labels and class count (and names):
 * through o->class_names if given, else numbers when every label is one,
 * else the sorted distinct names. Errors name path:line:column. */
ds_status ds__csv_labels(const char *path, const ds_csv_options *o, const ds__csv_label *lab,
                         ds_dataset *d);

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

/* A data file, raw or gzip (zfile.c). Unlike gzread, bytes after the last
 * gzip member are an error. */
typedef struct ds__zfile {
    const char *path;
    int fd;
    int gzip;          /* starts with the gzip magic 1f 8b */
    int inflating;     /* z holds an inflate state */
    int at_eof;        /* read() returned 0 */
    int done;          /* the last gzip member has ended */
    unsigned char *in; /* input buffer; z.next_in points into it */
    z_stream z;
} ds__zfile;

/* Opens path (DS_ERR_IO naming it) and reads its first bytes to tell gzip. */
ds_status ds__zfile_open(ds__zfile *f, const char *path);

/* Reads up to n bytes of content into buf; *got < n only at the end.
 * DS_ERR_FORMAT naming the file for corrupt, truncated or trailing data. */
ds_status ds__zfile_read(ds__zfile *f, void *buf, size_t n, size_t *got);

void ds__zfile_close(ds__zfile *f);

#endif
