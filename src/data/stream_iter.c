/* stream_iter.c - the order in which an iterator visits a streamed data set
 * and the gathering of its rows, with memory bounded by one window
 * (window * block_rows rows), whatever the number of rows.
 *
 * Epoch e: the blocks in a permutation drawn from iter.c's per-epoch seed;
 * window w = permuted blocks [w*K, (w+1)*K) read into one buffer; its rows
 * visited in a permutation seeded by (that seed, w). This is the shuffle
 * buffer of tf.data and WebDataset
 * (https://www.tensorflow.org/api_docs/python/tf/data/Dataset#shuffle), made
 * a pure function of (seed, epoch) so any position can be reached directly:
 * position p's window follows from arithmetic on the block order, with no
 * I/O. Only the last block of the set may be short; the window holding it
 * is shorter and shifts the windows after it. */
#include "data/stream_internal.h"
#include "descent/rng.h"
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

struct ds__sorder {
    const ds_dataset *d;
    const struct ds__stream *s;
    size_t n, B, K, nblocks, nwin, last_rows; /* rows in use, block, window, counts */
    int shuffle;
    uint32_t *blocks;  /* the epoch's block order */
    uint64_t win_seed; /* the epoch's base seed of the windows' shuffles */
    size_t short_win;  /* the window holding the short last block */
    size_t win;        /* the window in buf (SIZE_MAX: none) */
    size_t win_start, win_rows;
    unsigned char *buf; /* the window's rows, as on disk */
    uint32_t *perm;     /* visiting order of the window's rows */
};

void ds__sorder_free(ds__sorder *o)
{
    if (!o) return;
    free(o->blocks);
    free(o->buf);
    free(o->perm);
    free(o);
}

ds__sorder *ds__sorder_init(const ds_dataset *d, int shuffle)
{
    const struct ds__stream *s = d->stream;
    ds__sorder *o = calloc(1, sizeof *o);
    if (!o) return ds__nomem("stream order", sizeof *o), NULL;
    *o = (ds__sorder){.d = d, .s = s, .n = d->n, .B = s->block_rows, .shuffle = shuffle};
    o->nblocks = (o->n + o->B - 1) / o->B;
    o->K = s->window < o->nblocks ? s->window : o->nblocks;
    o->nwin = (o->nblocks + o->K - 1) / o->K;
    o->last_rows = o->n - (o->nblocks - 1) * o->B;
    size_t cap = o->K * o->B < o->n ? o->K * o->B : o->n; /* rows in the largest window */
    o->blocks = malloc(o->nblocks * sizeof *o->blocks);
    o->buf = malloc(cap * s->row_bytes);
    o->perm = malloc(cap * sizeof *o->perm);
    if (!o->blocks || !o->buf || !o->perm) {
        ds__sorder_free(o);
        return ds__nomem("stream window", cap * (s->row_bytes + 4)), NULL;
    }
    o->win = SIZE_MAX;
    return o;
}

void ds__sorder_epoch(ds__sorder *o, uint64_t rng_seed)
{
    for (size_t b = 0; b < o->nblocks; b++)
        o->blocks[b] = (uint32_t)b;
    o->win_seed = 0;
    if (o->shuffle) {
        ds_rng r = ds_rng_seed(rng_seed);
        ds_rng_shuffle(&r, o->blocks, o->nblocks);
        o->win_seed = ds_rng_next(&r);
    }
    for (size_t k = 0; k < o->nblocks; k++)
        if (o->blocks[k] == o->nblocks - 1) o->short_win = k / o->K;
    o->win = SIZE_MAX;
    o->win_start = o->win_rows = 0;
}

static size_t block_rows(const ds__sorder *o, size_t b)
{
    return b == o->nblocks - 1 ? o->last_rows : o->B;
}

static size_t win_start(const ds__sorder *o, size_t w)
{
    return w * o->K * o->B - (w > o->short_win ? o->B - o->last_rows : 0);
}

/* Reads window w's blocks (in the epoch's order) and draws its row order. */
static ds_status load_window(ds__sorder *o, size_t w)
{
    size_t rows = 0, end = (w + 1) * o->K < o->nblocks ? (w + 1) * o->K : o->nblocks;
    o->win = SIZE_MAX; /* until loaded completely */
    for (size_t k = w * o->K; k < end; k++) {
        size_t b = o->blocks[k], m = block_rows(o, b);
        ds_status s = ds__stream_read(o->s, b * o->B, m, o->buf + rows * o->s->row_bytes);
        if (s != DS_OK) return s;
        rows += m;
    }
    for (size_t i = 0; i < rows; i++)
        o->perm[i] = (uint32_t)i;
    if (o->shuffle) {
        ds_rng r = ds_rng_seed(o->win_seed + w);
        ds_rng_shuffle(&r, o->perm, rows);
    }
    o->win = w;
    o->win_start = win_start(o, w);
    o->win_rows = rows;
    return DS_OK;
}

/* Makes the window holding position p the loaded one. */
static ds_status seek_window(ds__sorder *o, size_t p)
{
    if (o->win != SIZE_MAX && p >= o->win_start && p - o->win_start < o->win_rows) return DS_OK;
    size_t w = p / (o->K * o->B);
    while (w + 1 < o->nwin && p >= win_start(o, w + 1))
        w++;
    return load_window(o, w);
}

/* Copies one on-disk row to the batch buffers, checking its label. */
static ds_status copy_row(const ds__sorder *o, const unsigned char *row, size_t k, float *x,
                          int32_t *labels, float *targets)
{
    const ds_dataset *d = o->d;
    memcpy(x + k * d->features, row, d->features * sizeof(float));
    row += d->features * sizeof(float);
    if (targets) memcpy(targets + k * d->outputs, row, d->outputs * sizeof(float));
    if (!labels) return DS_OK;
    memcpy(labels + k, row, sizeof(int32_t));
    if (labels[k] < 0 || labels[k] >= d->classes)
        return ds__fail(DS_ERR_FORMAT, "%s: a label %d is not in [0, %d) (corrupt file)",
                        o->s->path, (int)labels[k], (int)d->classes);
    return DS_OK;
}

ds_status ds__sorder_gather(ds__sorder *o, size_t start, size_t n, float *x, int32_t *labels,
                            float *targets)
{
    for (size_t k = 0; k < n; k++) {
        ds_status s = seek_window(o, start + k);
        if (s != DS_OK) return s;
        const unsigned char *row = o->buf + o->perm[start + k - o->win_start] * o->s->row_bytes;
        if ((s = copy_row(o, row, k, x, labels, targets)) != DS_OK) return s;
    }
    return DS_OK;
}
