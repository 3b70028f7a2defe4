/* descent/data.h - data sets: in-memory tables, the IDX and CSV readers, the
 * lectures' generated sets, spec strings, splits and the mini-batch iterator.
 *
 *     ds_data d;
 *     if (ds_data_load("fashion-mnist", seed, &d) != DS_OK) ... ds_last_error() ...
 *     ds_iter *it = ds_iter_init(d.train, 64, 1, seed);   // B = 64, shuffled
 *     ds_batch b;
 *     for (int64_t e = 0; e < epochs; e++)
 *         while (ds_iter_next(it, &b)) train_on(&b);      // 0 at the end of an epoch
 *     ds_iter_free(it);
 *     ds_data_free(&d);
 *
 * A data set holds n rows of `features` float32 values in one contiguous
 * row-major block, and either int32 class labels in [0, classes) or float
 * regression targets (n rows of `outputs`). Formats, spec strings and the
 * generators' exact definitions: doc/data.md.
 *
 * Errors: every fallible function returns a ds_status (constructors NULL) and
 * leaves a message (ds_last_error()) that names the file, line and column or
 * spec item and what is accepted, e.g.
 *   "train-images-idx3-ubyte.gz: truncated: header says 47040000 pixel bytes, file has 1000".
 * On failure every output pointer is left NULL (or unchanged for plain values)
 * and nothing is leaked. The library never prints. */
#ifndef DESCENT_DATA_H
#define DESCENT_DATA_H

#include "descent/export.h"

#include "descent/batch.h"
#include "descent/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- In-memory data set ------------------------------------------------ */

typedef struct ds_dataset ds_dataset;

/* A zero-filled data set of n rows (n >= 1) and `features` (>= 1) floats per
 * row, with int32 labels if classes > 0 (outputs must be 0), or float targets
 * of `outputs` per row if classes == 0 (outputs >= 1). NULL on failure
 * (invalid sizes, size overflow, no memory). Free with ds_dataset_free. */
DS_API ds_dataset *ds_dataset_create(size_t n, size_t features, int32_t classes, size_t outputs);

/* Frees the data set and its arrays. NULL is a no-op. Batches and iterators
 * that refer to it must not be used afterwards. */
DS_API void ds_dataset_free(ds_dataset *d);

/* Shape of a data set: rows, features per row, classes (labels) and
 * outputs (regression targets per row). */
DS_API size_t ds_dataset_rows(const ds_dataset *d);
DS_API size_t ds_dataset_features(const ds_dataset *d);
DS_API int32_t ds_dataset_classes(const ds_dataset *d); /* 0 for regression */
DS_API size_t ds_dataset_outputs(const ds_dataset *d);  /* 0 for classification */

/* The arrays, owned by the data set, for filling or reading in place:
 * x has rows * features floats; labels (NULL for regression) rows int32s;
 * targets (NULL for classification) rows * outputs floats. A caller who
 * writes labels must keep them in [0, classes). */
DS_API float *ds_dataset_x(ds_dataset *d);
DS_API int32_t *ds_dataset_labels(ds_dataset *d);
DS_API float *ds_dataset_targets(ds_dataset *d);

/* A view of rows [start, start + count) (a contiguous slice, no copy), for
 * evaluation. count is clipped to the rows that exist; start >= rows gives
 * an empty batch (n = 0). Valid while d lives. */
DS_API ds_batch ds_dataset_view(const ds_dataset *d, size_t start, size_t count);

/* A new data set with rows idx[0..count-1] of src (in that order; indices may
 * repeat). NULL on failure (count 0, index out of range, no memory). */
DS_API ds_dataset *ds_dataset_gather(const ds_dataset *src, const uint32_t *idx, size_t count);

/* Holds out round(fraction * rows) rows, chosen by ds_rng_seed(seed), as a
 * validation set; both parts keep the original row order. fraction must be
 * in (0, 1) and leave at least one row on each side. On success *train and
 * *val are new data sets (src is unchanged); on failure both are NULL. */
DS_API ds_status ds_dataset_split(const ds_dataset *src, double fraction, uint64_t seed,
                                  ds_dataset **train, ds_dataset **val);

/* ---- Readers ------------------------------------------------------------ */

/* Reads an IDX pair (http://yann.lecun.com/exdb/mnist/): an images file of
 * unsigned bytes (type 0x08, 1 to 4 dimensions, the first one the count) and
 * a one-dimensional labels file of unsigned bytes. Each file may be raw or
 * gzip-compressed (recognised by its magic 1f 8b). Pixels become
 * float(byte) / 255; features = product of the image dimensions after the
 * first. classes > 0: every label must be < classes; classes == 0: classes =
 * largest label + 1. Headers are validated before anything is allocated.
 * Errors: DS_ERR_IO (cannot open/read), DS_ERR_FORMAT (bad magic, type,
 * dimensions, truncated, trailing bytes, corrupt gzip, label >= classes),
 * DS_ERR_MISMATCH (image count != label count), DS_ERR_INVALID (classes < 0).
 * On success *out is a new data set; on failure NULL. */
DS_API ds_status ds_idx_load(const char *images_path, const char *labels_path, int32_t classes,
                             ds_dataset **out);

/* Largest IDX body (in elements) accepted; larger headers are rejected
 * before allocating (the float copy takes 4 bytes per element). */
#define DS_IDX_MAX_ELEMENTS ((uint64_t)1 << 32)

typedef enum ds_csv_task {
    DS_CSV_CLASSIFY = 0, /* label column: whole numbers >= 0, or names -> int32 labels */
    DS_CSV_REGRESS       /* label column: any number -> one float target */
} ds_csv_task;

typedef enum ds_csv_header {
    DS_CSV_HEADER_AUTO = 0, /* a header if some field of row 1 is not a number
                               where row 2 has one (see ds_csv_load) */
    DS_CSV_HEADER_YES,
    DS_CSV_HEADER_NO
} ds_csv_header;

typedef enum ds_csv_missing {
    DS_CSV_MISSING_REFUSE = 0, /* a missing value is an error naming its place */
    DS_CSV_MISSING_MEAN,       /* missing features become NaN, for ds_prep (prep.h)
                                  to fill with the training split's mean */
    DS_CSV_MISSING_DROP        /* rows with a missing value are left out */
} ds_csv_missing;

typedef struct ds_csv_options {
    /* The label (or target) column: an exact header name, else a 0-based
     * column index written in decimal. NULL: the column named "label" if
     * the header has one, else the last column. */
    const char *label;
    ds_csv_task task;
    int32_t classes; /* classification: > 0 checks labels < classes; 0 = max + 1 */
    ds_csv_header header;
    char delimiter; /* ',', ';' or '\t'; 0 = detect (the most frequent in row 1) */
    ds_csv_missing missing;
    /* Classification: map the labels through these names (label k is the
     * row whose label is class_names[k]; a label not among them is refused
     * with its place), as a test file must use its model's classes. NULL:
     * the file's own labels (numbers, else names sorted). */
    const char *const *class_names;
    int32_t nclass_names;
} ds_csv_options;

/* label = NULL, task = classify, classes = 0, header and delimiter detected,
 * missing values refused, no class names. */
DS_API ds_csv_options ds_csv_default_options(void);

/* Reads a CSV file (RFC 4180 subset: numbers only but for the label column
 * and the header; CRLF or LF line ends; a UTF-8 BOM ignored; trailing blank
 * lines ignored; blanks around a field ignored; one pair of surrounding
 * double quotes dropped from a header name or a label; the file may be
 * gzip-compressed). Every column except the label column is a feature, in
 * file order. Missing values are empty fields, NA and ?.
 * Class labels: whole numbers >= 0 are the class indices themselves; if any
 * label is not a number, every label is a name, and the names sorted by
 * byte value (strcmp) are classes 0, 1, ... (ds_dataset_class_name).
 * Header detection (header = auto): row 1 is a header if one of its fields
 * is neither a number nor a missing value where row 2 has a number (a
 * one-row file: if none of its fields is a number). Without a header the
 * columns are named "1", "2", ... (1-based) for the test file's matching.
 * opt NULL = the defaults.
 * Errors name path:line:column: DS_ERR_IO, DS_ERR_FORMAT (empty file, header
 * only, ragged row, non-number, missing value, bad or unknown label),
 * DS_ERR_NOT_FOUND (no such label column). On success *out is a new data
 * set; on failure NULL. */
DS_API ds_status ds_csv_load(const char *path, const ds_csv_options *opt, ds_dataset **out);

/* The name of class k of a data set read from a CSV file with named
 * labels (kept through ds_dataset_gather and ds_dataset_split), NULL
 * otherwise or for k out of range. */
DS_API const char *ds_dataset_class_name(const ds_dataset *d, int32_t k);

/* ---- Generators (doc/data.md defines each exactly) ---------------------- */

/* CS7015's two points (0.5, 0.2), (2.5, 0.9): 2 rows, 1 feature, 1 target. */
DS_API ds_status ds_gen_toy(ds_dataset **out);

/* Lecture 4's sparse set: n rows of `features`, each x_ij = 0 with
 * probability zero_frac, else uniform in [-4, 4); target
 * y = sigmoid(sum_j w*_j x_ij + b*) with w*_j = 2, b* = -1 (1 output). */
DS_API ds_status ds_gen_sparse(size_t n, size_t features, double zero_frac, uint64_t seed,
                               ds_dataset **out);

/* Gaussian blobs: class of row i is i mod classes; x = centre + spread * N(0, I),
 * centres uniform in [-5, 5)^features. classes >= 2. */
DS_API ds_status ds_gen_blobs(size_t n, size_t features, int32_t classes, double spread,
                              uint64_t seed, ds_dataset **out);

/* Linear regression: w*_j, b* ~ N(0, 1); x_ij ~ N(0, 1);
 * y = w*.x + b* + noise * N(0, 1) (1 output). noise >= 0. */
DS_API ds_status ds_gen_linear(size_t n, size_t features, double noise, uint64_t seed,
                               ds_dataset **out);

/* ---- Spec strings ------------------------------------------------------- */

/* Where `fashion-mnist` looks (Debian's dataset-fashion-mnist package). */
#define DS_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* A train set and an optional test set. */
typedef struct ds_data {
    ds_dataset *train;
    ds_dataset *test; /* NULL when the spec gives none */
} ds_data;

/* Loads or generates the data a spec names (doc/data.md):
 *   fashion-mnist[:DIR]                       train + t10k test files, 10 classes
 *   idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS][,classes=K]
 *   csv:PATH[,TEST_PATH][,label=COL][,task=classify|regress][,classes=K]
 *       [,header=auto|yes|no][,delimiter=auto|comma|semicolon|tab]
 *       [,missing=refuse|mean|drop]          (ds_csv_load)
 *   toy
 *   sparse[:n=100,features=1,zero=0.8,test=0]
 *   blobs[:n=300,features=2,classes=3,spread=1,test=0]
 *   linear[:n=1000,features=3,noise=0.1,test=0]
 *   stream:PATH[,window=K]                    a stream file, rows read from disk
 *                                             (descent/stream.h; no test set)
 * Every form also takes limit=N (keep the first N rows of each set) and
 * seed=S (overrides `seed` for generators). Generators' test=M draws M more
 * rows from the same distribution as the test set. On success out->train is
 * set (and out->test or NULL); on failure both are NULL and the message names
 * the offending item and lists the accepted forms. */
DS_API ds_status ds_data_load(const char *spec, uint64_t seed, ds_data *out);

struct ds_prep;

/* ds_data_load for a model trained with preprocessing `prep`
 * (descent/prep.h; NULL: ds_data_load): a CSV file's labels are mapped
 * through the model's class names (a label it does not know is refused
 * with its place), and its columns are matched by name to the training
 * file's (in any order; all must be there, label included). The
 * preprocessing itself is not applied (ds_prep_apply_dataset). */
DS_API ds_status ds_data_load_for(const char *spec, uint64_t seed, const struct ds_prep *prep,
                                  ds_data *out);

/* Frees both sets and sets the pointers to NULL. NULL is a no-op. */
DS_API void ds_data_free(ds_data *d);

/* ---- Mini-batch iterator ------------------------------------------------ */

/* Batch size meaning "the whole set" (batch gradient descent). */
#define DS_BATCH_FULL 0

/* Parses a batch size: "full" -> DS_BATCH_FULL, or a whole number >= 1.
 * On failure *out is unchanged. */
DS_API ds_status ds_batch_size_parse(const char *s, size_t *out);

typedef struct ds_iter ds_iter;

/* An iterator over d in batches of `batch` rows (DS_BATCH_FULL or >= rows:
 * one batch of all rows; 1: stochastic GD). The last partial batch is kept.
 * shuffle != 0: the order of epoch e is a permutation that depends only on
 * (seed, e), so any (epoch, batch) can be reached by ds_iter_seek without
 * replaying; shuffle == 0: file order every epoch (evaluation). All buffers
 * are allocated here; ds_iter_next never allocates. d must outlive the
 * iterator and keep its rows. Starts at epoch 0, batch 0. NULL on failure. */
DS_API ds_iter *ds_iter_init(const ds_dataset *d, size_t batch, int shuffle, uint64_t seed);

/* Frees the iterator (not the data set). NULL is a no-op. */
DS_API void ds_iter_free(ds_iter *it);

/* ceil(rows / batch size). */
DS_API size_t ds_iter_batches_per_epoch(const ds_iter *it);

/* Positions the iterator so that the next ds_iter_next returns batch `batch`
 * (0-based) of epoch `epoch` (>= 0); batch == batches_per_epoch is allowed
 * (the end of that epoch). DS_ERR_INVALID otherwise, position unchanged. */
DS_API ds_status ds_iter_seek(ds_iter *it, int64_t epoch, size_t batch);

/* Fills *out with the next batch of the current epoch and returns 1. At the
 * end of an epoch returns 0 (with out->n = 0) and moves to batch 0 of the
 * next epoch, so a loop `while (ds_iter_next(it, &b))` runs one epoch. The
 * batch's arrays belong to the iterator (or, unshuffled, to the data set) and
 * stay valid until the next call on it. */
DS_API int ds_iter_next(ds_iter *it, ds_batch *out);

/* Current position: the epoch and the index of the batch next returned. */
DS_API int64_t ds_iter_epoch(const ds_iter *it);
DS_API size_t ds_iter_batch_index(const ds_iter *it);

/* Row indices (into the data set) of the current epoch's order: rows()
 * entries, valid until the epoch changes. For checks and debugging. NULL
 * for a streamed data set (descent/stream.h). */
DS_API const uint32_t *ds_iter_order(const ds_iter *it);

/* Data-parallel training: from now on ds_iter_next returns only shard
 * `rank`'s share (of `ranks`) of each batch, the rows at positions
 * [ceil(rank n / ranks), ceil((rank + 1) n / ranks)) of the n-row global
 * batch; every shard computes the same order, so the shares tile the batch
 * a single process would see. A share may be empty (n < ranks) except
 * rank 0's. DS_ERR_INVALID unless rank < ranks. */
DS_API ds_status ds_iter_set_shard(ds_iter *it, size_t rank, size_t ranks);

/* Rows of the global batch last returned by ds_iter_next (its n when
 * unsharded). */
DS_API size_t ds_iter_global_rows(const ds_iter *it);

#ifdef __cplusplus
}
#endif
#endif
