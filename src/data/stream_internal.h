/* stream_internal.h - the stream file as the data set and the iterator see
 * it (stream.c opens and reads it, stream_iter.c orders and gathers its
 * rows for iter.c). Private to src/data. */
#ifndef DESCENT_STREAM_INTERNAL_H
#define DESCENT_STREAM_INTERNAL_H

#include "data/data_internal.h"
#include "descent/stream.h"

/* An open stream file (owned by its ds_dataset). */
struct ds__stream {
    int fd;
    char *path;        /* for messages */
    size_t rows;       /* rows in the file (the data set may use fewer: limit=) */
    size_t block_rows; /* rows per block */
    size_t row_bytes;  /* bytes per row on disk */
    size_t window;     /* blocks shuffled together */
};

void ds__stream_close(struct ds__stream *s);

/* Reads rows [first, first + count) of the file into buf (count * row_bytes
 * bytes) with pread. DS_ERR_IO / DS_ERR_FORMAT (short file) on failure. */
ds_status ds__stream_read(const struct ds__stream *s, size_t first, size_t count, void *buf);

/* The iterator's view of a streamed data set: the epoch's block order and
 * one window of rows, shuffled, in memory. */
typedef struct ds__sorder ds__sorder;

/* Buffers for window * block_rows rows of d; NULL on failure (no memory). */
ds__sorder *ds__sorder_init(const ds_dataset *d, int shuffle);
void ds__sorder_free(ds__sorder *o);

/* Draws epoch's block order from rng_seed (iter.c's per-epoch seed). */
void ds__sorder_epoch(ds__sorder *o, uint64_t rng_seed);

/* Copies the rows at positions [start, start + n) of the epoch's order
 * into x / labels / targets (labels or targets NULL as d has none).
 * DS_ERR_IO / DS_ERR_FORMAT (bad label in the file) on failure. */
ds_status ds__sorder_gather(ds__sorder *o, size_t start, size_t n, float *x, int32_t *labels,
                            float *targets);

#endif
