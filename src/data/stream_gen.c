/* stream_gen.c - the generators of generate.c (doc/data.md), written block
 * by block into a stream file so a set of any size needs one block of
 * memory. They draw from the RNG in exactly the order ds_gen_linear and
 * ds_gen_blobs do, so row i of `descent gen linear --seed S` equals row i of
 * the in-memory `linear:seed=S` (a unit test checks it). */
#include "data/data_internal.h"
#include "descent/rng.h"
#include "descent/stream.h"
#include "core/internal.h"

#include <math.h>
#include <stdlib.h>

ds_stream_gen_params ds_stream_gen_default_params(ds_stream_gen_kind kind)
{
    int blobs = kind == DS_STREAM_GEN_BLOBS;
    return (ds_stream_gen_params){.kind = kind,
                                  .rows = blobs ? 300 : 1000,
                                  .features = blobs ? 2 : 3,
                                  .classes = blobs ? 3 : 0,
                                  .noise = 0.1,
                                  .spread = 1.0};
}

static ds_status check(const ds_stream_gen_params *p)
{
    if (p->rows < 1 || p->rows > UINT32_MAX)
        return ds__fail(DS_ERR_INVALID, "generator: rows %zu: need 1..%u", p->rows, UINT32_MAX);
    if (p->features < 1 || p->features > DS_STREAM_MAX_WIDTH)
        return ds__fail(DS_ERR_INVALID, "generator: features %zu: need 1..%zu", p->features,
                        DS_STREAM_MAX_WIDTH);
    if (p->block_rows > DS_STREAM_MAX_BLOCK)
        return ds__fail(DS_ERR_INVALID, "generator: block %zu rows: need 1..%zu", p->block_rows,
                        DS_STREAM_MAX_BLOCK);
    if (p->kind == DS_STREAM_GEN_BLOBS && (p->classes < 2 || p->classes > (1 << 20)))
        return ds__fail(DS_ERR_INVALID, "blobs generator: classes %d: need 2..%d", (int)p->classes,
                        1 << 20);
    double v = p->kind == DS_STREAM_GEN_BLOBS ? p->spread : p->noise;
    if (!(v >= 0 && isfinite(v)))
        return ds__fail(DS_ERR_INVALID, "generator: %s %g: need a finite number >= 0",
                        p->kind == DS_STREAM_GEN_BLOBS ? "spread" : "noise", v);
    return DS_OK;
}

/* The per-set constants, drawn first as generate.c does: the linear
 * model's w* then b*, or the blobs' centres. */
static double *draw_constants(const ds_stream_gen_params *p, ds_rng *r)
{
    int blobs = p->kind == DS_STREAM_GEN_BLOBS;
    size_t k = blobs ? (size_t)p->classes * p->features : p->features + 1;
    double *c = malloc(k * sizeof *c);
    for (size_t i = 0; c && i < k; i++)
        c[i] = blobs ? -5.0 + 10.0 * ds_rng_uniform(r) : ds_rng_normal(r);
    return c;
}

/* Row i into block row k of b's arrays. */
static void draw_row(const ds_stream_gen_params *p, const double *c, ds_rng *r, size_t i, size_t k,
                     float *x, int32_t *labels, float *targets)
{
    size_t f = p->features;
    if (p->kind == DS_STREAM_GEN_BLOBS) {
        int32_t cls = (int32_t)(i % (size_t)p->classes);
        labels[k] = cls;
        for (size_t j = 0; j < f; j++)
            x[k * f + j] = (float)(c[(size_t)cls * f + j] + p->spread * ds_rng_normal(r));
        return;
    }
    double y = c[f];
    for (size_t j = 0; j < f; j++) {
        x[k * f + j] = (float)ds_rng_normal(r);
        y += c[j] * x[k * f + j];
    }
    targets[k] = (float)(y + p->noise * ds_rng_normal(r));
}

/* Draws and appends all rows, one block at a time. */
static ds_status fill(const ds_stream_gen_params *p, const double *c, ds_rng *r, size_t B,
                      ds_stream_writer *w)
{
    int blobs = p->kind == DS_STREAM_GEN_BLOBS;
    float *x = malloc(B * p->features * sizeof *x), *targets = blobs ? NULL : malloc(B * 4);
    int32_t *labels = blobs ? malloc(B * sizeof *labels) : NULL;
    ds_status s = DS_OK;
    if (!x || (blobs ? !labels : !targets)) s = ds__nomem("a block", B * (p->features + 1) * 4);
    for (size_t i = 0; s == DS_OK && i < p->rows; i += B) {
        size_t m = p->rows - i < B ? p->rows - i : B;
        for (size_t k = 0; k < m; k++)
            draw_row(p, c, r, i + k, k, x, labels, targets);
        ds_batch b = {.x = x,
                      .labels = labels,
                      .targets = targets,
                      .n = m,
                      .features = p->features,
                      .outputs = blobs ? 0 : 1};
        s = ds_stream_writer_append(w, &b);
        if (s == DS_OK && p->cancel && p->cancel(p->cancel_ctx))
            s = ds__fail(DS_ERR_INTERRUPTED, "generation stopped on request after %zu rows", i + m);
    }
    free(x), free(labels), free(targets);
    return s;
}

ds_status ds_stream_generate(const char *path, const ds_stream_gen_params *p)
{
    ds_status s = check(p);
    if (s != DS_OK) return s;
    int blobs = p->kind == DS_STREAM_GEN_BLOBS;
    /* a set larger than the disk is bad input: refused before any write */
    uint64_t bytes = DS_STREAM_HEADER_SIZE + (uint64_t)p->rows * 4 * (p->features + 1);
    if (ds__check_disk(path, bytes) != DS_OK) return DS_ERR_INVALID;
    size_t B = p->block_rows ? p->block_rows : DS_STREAM_BLOCK_ROWS;
    ds_rng r = ds_rng_seed(p->seed);
    double *c = draw_constants(p, &r);
    if (!c) return ds__nomem("generator constants", p->features * 8);
    ds_stream_writer *w;
    s = ds_stream_writer_open(path, p->features, blobs ? p->classes : 0, blobs ? 0 : 1, B, &w);
    if (s == DS_OK) s = fill(p, c, &r, B, w);
    if (s == DS_OK)
        s = ds_stream_writer_commit(w);
    else if (w)
        ds_stream_writer_abort(w);
    free(c);
    return s;
}
