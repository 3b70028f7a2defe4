/* descent/stream.h - data sets larger than memory: a block-structured binary
 * file ("stream file"), its atomic writer, streamed generators, and the
 * reader that makes such a file a ds_dataset the iterator and the trainer
 * consume like any other, with memory bounded by the block and window sizes,
 * never by the number of rows.
 *
 *     ds_stream_gen_params g = ds_stream_gen_default_params(DS_STREAM_GEN_LINEAR);
 *     g.rows = 5000000; g.features = 100;
 *     ds_stream_generate("big.ds", &g);                  // one block in memory
 *     ds_dataset *d;  ds_stream_open("big.ds", 0, &d);   // reads the header only
 *     ds_iter *it = ds_iter_init(d, 1000, 1, seed);      // one window in memory
 *
 * File layout (all integers little-endian; doc/distributed.md):
 *   0  "DSSTREAM"   8 bytes of magic
 *   8  u32 version (1)        12 u32 header size (64)
 *   16 u64 rows               24 u32 features
 *   28 i32 classes (0 = regression)        32 u32 outputs (0 with classes)
 *   36 u32 block_rows         40..59 reserved, zero
 *   60 u32 CRC-32 (zlib) of bytes 0..59
 *   64 rows, each `features` float32 then an int32 label (classes > 0) or
 *      `outputs` float32 targets; rows are grouped in blocks of block_rows
 *      (the last block may be shorter). The file is exactly
 *      64 + rows * row_bytes long.
 * Floats and labels are stored in the host's order, which must be
 * little-endian (x86-64, arm64); other hosts are refused.
 *
 * Shuffling without the whole set in memory (the scheme of WebDataset and
 * tf.data's shuffle buffer): epoch e visits the blocks in a permutation drawn
 * from (seed, e); consecutive groups of `window` permuted blocks are read
 * into one buffer and their rows shuffled there. The order is a pure
 * function of (seed, e), so a resumed run seeks to any (epoch, batch).
 *
 * Errors: ds_status with a message naming the file and the field, as
 * data.h. The library never prints. */
#ifndef DESCENT_STREAM_H
#define DESCENT_STREAM_H

#include "descent/export.h"

#include "descent/batch.h"
#include "descent/data.h"
#include "descent/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DS_STREAM_HEADER_SIZE 64
#define DS_STREAM_VERSION     1
#define DS_STREAM_BLOCK_ROWS  4096              /* default rows per block */
#define DS_STREAM_WINDOW      8                 /* default blocks shuffled together */
#define DS_STREAM_MAX_WIDTH   ((size_t)1 << 20) /* features, outputs */
#define DS_STREAM_MAX_BLOCK   ((size_t)1 << 24) /* rows per block */

/* ---- Writer ------------------------------------------------------------- */

typedef struct ds_stream_writer ds_stream_writer;

/* Starts a stream file at `path` (written to a temporary file beside it and
 * renamed over it by _commit, so a reader never sees a partial file and a
 * failure leaves any previous file intact). `path` must be a file or a
 * symlink to one: its header is rewritten at the end, so a device, FIFO or
 * directory is refused with DS_ERR_INVALID. Shapes as ds_dataset_create;
 * block_rows 0 = DS_STREAM_BLOCK_ROWS. On failure *out is NULL. */
DS_API ds_status ds_stream_writer_open(const char *path, size_t features, int32_t classes,
                                       size_t outputs, size_t block_rows, ds_stream_writer **out);

/* Appends b->n rows (shapes must match the writer's; labels in [0, classes)).
 * Nothing is kept in memory beyond stdio's buffer. After a failure
 * (DS_ERR_MISMATCH, DS_ERR_INVALID, DS_ERR_IO) the file may hold part of a
 * row: call ds_stream_writer_abort. */
DS_API ds_status ds_stream_writer_append(ds_stream_writer *w, const ds_batch *b);

/* Writes the final header, syncs and renames the file into place; frees w
 * in every case. At least one row must have been appended. */
DS_API ds_status ds_stream_writer_commit(ds_stream_writer *w);

/* Discards the temporary file and frees w. NULL is a no-op. */
DS_API void ds_stream_writer_abort(ds_stream_writer *w);

/* ---- Streamed generators ------------------------------------------------- */

typedef enum ds_stream_gen_kind {
    DS_STREAM_GEN_LINEAR, /* as ds_gen_linear: row i of the file equals row i there */
    DS_STREAM_GEN_BLOBS   /* as ds_gen_blobs, idem */
} ds_stream_gen_kind;

typedef struct ds_stream_gen_params {
    ds_stream_gen_kind kind;
    size_t rows;       /* >= 1, at most 2^32 - 1 */
    size_t features;   /* 1 .. DS_STREAM_MAX_WIDTH */
    int32_t classes;   /* blobs: >= 2 */
    double noise;      /* linear: >= 0 (default 0.1) */
    double spread;     /* blobs: >= 0 (default 1) */
    uint64_t seed;     /* default 0 */
    size_t block_rows; /* 0 = DS_STREAM_BLOCK_ROWS */
    /* NULL, or asked after every block: nonzero stops the generation
     * (DS_ERR_INTERRUPTED, the temporary file removed). The library never
     * catches signals; a program's handler sets a flag this returns. */
    int (*cancel)(void *ctx);
    void *cancel_ctx;
} ds_stream_gen_params;

/* Defaults: linear 1000 rows of 3 features, noise 0.1; blobs 300 rows of 2
 * features, 3 classes, spread 1 (the in-memory generators' defaults). */
DS_API ds_stream_gen_params ds_stream_gen_default_params(ds_stream_gen_kind kind);

/* Generates the set block by block into `path` (atomically), holding one
 * block in memory. DS_ERR_INVALID naming a bad parameter, or when the
 * folder has less free space than the file will take (checked before the
 * temporary file is created); DS_ERR_IO; DS_ERR_INTERRUPTED (cancel). */
DS_API ds_status ds_stream_generate(const char *path, const ds_stream_gen_params *p);

/* ---- Reader -------------------------------------------------------------- */

/* Opens a stream file as a data set whose rows stay in the file: only the
 * header is read here (validated before anything is allocated: magic, CRC,
 * version, sizes and their products against the file's length). `window`
 * (0 = DS_STREAM_WINDOW) is the number of blocks an iterator shuffles
 * together. The data set's arrays (ds_dataset_x, ...) are NULL and
 * ds_dataset_view gives empty batches: read it through ds_iter, which holds
 * window * block_rows rows at a time. Free with ds_dataset_free (closes the
 * file). Errors: DS_ERR_IO, DS_ERR_FORMAT, DS_ERR_UNSUPPORTED (big-endian
 * host); on failure *out is NULL. */
DS_API ds_status ds_stream_open(const char *path, size_t window, ds_dataset **out);

/* 1 if d's rows live in a stream file. */
DS_API int ds_dataset_is_streamed(const ds_dataset *d);

/* ---- CSV rows, block by block -------------------------------------------- */

/* Reads the feature rows of a CSV file (raw or gzip) a block at a time,
 * for predicting on files larger than memory: memory is bounded by the
 * block, never by the file. The first line is a header when any of its
 * fields is not a number. A row has `features` fields, or features + 1
 * with a label column, which is skipped: the column named `label` (NULL:
 * "label") if the header has one, else the last. Fields are separated by
 * the most frequent of comma, semicolon and tab in the first line (comma on
 * a tie), with blanks around a number ignored; CRLF or LF line ends; a
 * UTF-8 BOM and blank lines at the end are ignored. Numbers are parsed exactly as
 * ds_csv_load parses them (the same float for the same text). */
typedef struct ds_csv_rows ds_csv_rows;

/* Opens path and reads its first line. Errors: DS_ERR_IO, DS_ERR_FORMAT
 * (empty file, header only), DS_ERR_MISMATCH ("path:1: 5 columns: the model
 * takes 3 inputs ..."), DS_ERR_INVALID (features 0). On failure *out is NULL. */
DS_API ds_status ds_csv_rows_open(const char *path, size_t features, const char *label,
                                  ds_csv_rows **out);

/* Matches a file with a header to the training file's columns (n names,
 * the label column's index `label` among them): each column is found by
 * name, in any order, the label column may be left out. DS_ERR_MISMATCH
 * naming a column the training file does not have, or one missing;
 * DS_ERR_INVALID unless n == features + 1. A file without a header keeps
 * its columns in place. Call before the first ds_csv_rows_next. */
DS_API ds_status ds_csv_rows_match(ds_csv_rows *r, const char *const *columns, size_t n,
                                   size_t label);

/* allow != 0: a missing value (an empty field, NA or ?) reads as NaN, for
 * a model whose preprocessing fills it (descent/prep.h); by default it is
 * refused as not a number. */
DS_API void ds_csv_rows_allow_missing(ds_csv_rows *r, int allow);

/* 1 if the rows carry a label column (skipped by ds_csv_rows_next). */
DS_API int ds_csv_rows_has_label(const ds_csv_rows *r);

/* Reads the next rows, up to max (>= 1), into x (max x features floats);
 * *got is the number read: max, fewer only at the end of the file, 0 once
 * it is reached. The rows of one call are parsed in parallel (threads:
 * 0 = one per processor). A bad row (wrong number of fields, a field that
 * is not a finite number in float range, a blank line between rows) is
 * DS_ERR_FORMAT naming path:line:column; DS_ERR_IO / DS_ERR_FORMAT for
 * read and gzip errors; *got is 0 then. */
DS_API ds_status ds_csv_rows_next(ds_csv_rows *r, float *x, size_t max, int threads, size_t *got);

/* Closes the file and frees r. NULL is a no-op. */
DS_API void ds_csv_rows_free(ds_csv_rows *r);

#ifdef __cplusplus
}
#endif
#endif
