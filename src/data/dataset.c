/* dataset.c - the in-memory data set: one contiguous row-major float block
 * for the features plus labels or targets, and the operations that copy rows
 * (gather, slice, seeded validation split). */
#include "data/data_internal.h"
#include "data/stream_internal.h"
#include "descent/rng.h"
#include "core/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Multiplies a * b into *out; 0 if it fits in size_t, -1 on overflow. */
static int mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b) return -1;
    *out = a * b;
    return 0;
}

static ds_dataset *fail_null(ds_status s, const char *msg, size_t a, size_t b)
{
    ds__fail(s, msg, a, b);
    return NULL;
}

ds_dataset *ds_dataset_create(size_t n, size_t features, int32_t classes, size_t outputs)
{
    if (n == 0 || features == 0)
        return fail_null(DS_ERR_INVALID,
                         "data set needs rows >= 1 and features >= 1 (got %zu, %zu)", n, features);
    if (classes < 0 || (classes > 0) == (outputs > 0))
        return fail_null(DS_ERR_INVALID,
                         "data set needs either classes > 0 or outputs > 0, not both "
                         "(got classes %zu, outputs %zu)",
                         (size_t)(classes < 0 ? 0 : classes), outputs);
    size_t nx, ny;
    if (mul_size(n, features, &nx) || mul_size(nx, sizeof(float), &nx) ||
        mul_size(n, classes > 0 ? sizeof(int32_t) : sizeof(float), &ny) ||
        mul_size(ny, classes > 0 ? 1 : outputs, &ny))
        return fail_null(DS_ERR_INVALID, "data set of %zu rows x %zu features is too large", n,
                         features);
    ds_dataset *d = calloc(1, sizeof *d);
    void *x = calloc(1, nx), *y = calloc(1, ny);
    if (!d || !x || !y) {
        free(d), free(x), free(y);
        ds__nomem("data set", nx + ny);
        return NULL;
    }
    *d = (ds_dataset){.n = n, .features = features, .outputs = outputs, .classes = classes, .x = x};
    if (classes > 0)
        d->labels = y;
    else
        d->targets = y;
    return d;
}

void ds_dataset_free(ds_dataset *d)
{
    if (!d) return;
    ds__stream_close(d->stream);
    free(d->x);
    free(d->labels);
    free(d->targets);
    free(d->columns);
    free(d->class_names);
    free(d);
}

size_t ds_dataset_rows(const ds_dataset *d)
{
    return d->n;
}
size_t ds_dataset_features(const ds_dataset *d)
{
    return d->features;
}
int32_t ds_dataset_classes(const ds_dataset *d)
{
    return d->classes;
}
size_t ds_dataset_outputs(const ds_dataset *d)
{
    return d->outputs;
}
float *ds_dataset_x(ds_dataset *d)
{
    return d->x;
}
int32_t *ds_dataset_labels(ds_dataset *d)
{
    return d->labels;
}
float *ds_dataset_targets(ds_dataset *d)
{
    return d->targets;
}

const char *ds_dataset_class_name(const ds_dataset *d, int32_t k)
{
    return d->class_names && k >= 0 && k < d->classes ? d->class_names[k] : NULL;
}

char **ds__names_copy(const char *const *names, size_t count)
{
    size_t bytes = count * sizeof(char *);
    for (size_t k = 0; k < count; k++)
        bytes += strlen(names[k]) + 1;
    char **list = malloc(bytes ? bytes : 1);
    if (!list) return ds__nomem("names", bytes), NULL;
    char *at = (char *)(list + count);
    for (size_t k = 0; k < count; k++) {
        size_t l = strlen(names[k]) + 1;
        list[k] = memcpy(at, names[k], l);
        at += l;
    }
    return list;
}

ds_status ds__dataset_set_names(ds_dataset *d, const char *const *names, int32_t count)
{
    char **list = ds__names_copy(names, (size_t)count);
    if (!list) return DS_ERR_NOMEM;
    free(d->class_names);
    d->class_names = list;
    return DS_OK;
}

/* A new data set shaped as src, with its class names. */
static ds_dataset *create_like(const ds_dataset *src, size_t n)
{
    ds_dataset *d = ds_dataset_create(n, src->features, src->classes, src->outputs);
    if (d && src->class_names &&
        ds__dataset_set_names(d, (const char *const *)src->class_names, src->classes) != DS_OK) {
        ds_dataset_free(d);
        return NULL;
    }
    return d;
}

ds_batch ds_dataset_view(const ds_dataset *d, size_t start, size_t count)
{
    ds_batch b = {.features = d->features, .outputs = d->outputs};
    if (start >= d->n || d->stream) return b;
    b.n = count < d->n - start ? count : d->n - start;
    b.x = d->x + start * d->features;
    if (d->labels) b.labels = d->labels + start;
    if (d->targets) b.targets = d->targets + start * d->outputs;
    return b;
}

void ds__dataset_truncate(ds_dataset *d, size_t n)
{
    if (n < d->n) d->n = n;
}

/* Copies `count` rows of src from row s to dst from row t. */
static void copy_rows(ds_dataset *dst, size_t t, const ds_dataset *src, size_t s, size_t count)
{
    memcpy(dst->x + t * dst->features, src->x + s * src->features,
           count * src->features * sizeof(float));
    if (src->labels) memcpy(dst->labels + t, src->labels + s, count * sizeof(int32_t));
    if (src->targets)
        memcpy(dst->targets + t * dst->outputs, src->targets + s * src->outputs,
               count * src->outputs * sizeof(float));
}

ds_status ds__dataset_in_memory(const ds_dataset *d, const char *what)
{
    if (!d->stream) return DS_OK;
    return ds__fail(DS_ERR_UNSUPPORTED,
                    "%s: not possible on the streamed data set '%s' (its rows stay in the file; "
                    "write the validation or test rows to a separate file)",
                    what, d->stream->path);
}

ds_status ds__dataset_check_test(const ds_dataset *train, const ds_dataset *test, const char *path)
{
    if (test->features == train->features && test->outputs == train->outputs) return DS_OK;
    return ds__fail(DS_ERR_MISMATCH,
                    "%s: the test set has %zu features and %zu targets per row, the training set "
                    "%zu and %zu: a test set must have the training set's shape",
                    path, test->features, test->outputs, train->features, train->outputs);
}

ds_dataset *ds__dataset_slice(const ds_dataset *src, size_t start, size_t count)
{
    if (ds__dataset_in_memory(src, "slice") != DS_OK) return NULL;
    if (start > src->n || count > src->n - start)
        return fail_null(DS_ERR_INVALID, "rows %zu.. (+%zu) out of range", start, count);
    ds_dataset *d = create_like(src, count);
    if (d) copy_rows(d, 0, src, start, count);
    return d;
}

ds_dataset *ds_dataset_gather(const ds_dataset *src, const uint32_t *idx, size_t count)
{
    if (ds__dataset_in_memory(src, "gather") != DS_OK) return NULL;
    for (size_t k = 0; k < count; k++)
        if (idx[k] >= src->n)
            return fail_null(DS_ERR_INVALID, "row index %zu out of range (data set has %zu rows)",
                             (size_t)idx[k], src->n);
    ds_dataset *d = create_like(src, count);
    if (!d) return NULL;
    for (size_t k = 0; k < count; k++)
        copy_rows(d, k, src, idx[k], 1);
    return d;
}

/* Fills idx with the rows whose mark equals `want`, in row order. */
static size_t rows_marked(const unsigned char *mark, size_t n, unsigned char want, uint32_t *idx)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i] == want) idx[k++] = (uint32_t)i;
    return k;
}

ds_status ds_dataset_split(const ds_dataset *src, double fraction, uint64_t seed,
                           ds_dataset **train, ds_dataset **val)
{
    *train = *val = NULL;
    if (ds__dataset_in_memory(src, "validation split") != DS_OK) return DS_ERR_UNSUPPORTED;
    size_t n = src->n;
    double held = isfinite(fraction) ? round(fraction * (double)n) : 0.0;
    if (!(fraction > 0.0 && fraction < 1.0) || held < 1.0 || held > (double)n - 1.0)
        return ds__fail(DS_ERR_INVALID,
                        "validation fraction %g of %zu rows must be in (0, 1) and leave at "
                        "least one row on each side",
                        fraction, n);
    if (n > UINT32_MAX) return ds__fail(DS_ERR_INVALID, "split: more than 2^32 rows");
    size_t nval = (size_t)held;
    uint32_t *perm = malloc(n * sizeof *perm);
    unsigned char *mark = calloc(n, 1);
    if (!perm || !mark) {
        free(perm), free(mark);
        return ds__nomem("split", n * 5);
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    ds_rng r = ds_rng_seed(seed);
    ds_rng_shuffle(&r, perm, n);
    for (size_t k = 0; k < nval; k++)
        mark[perm[k]] = 1;
    /* perm is free again: reuse it for the index lists. */
    size_t ntrain = rows_marked(mark, n, 0, perm);
    *train = ds_dataset_gather(src, perm, ntrain);
    rows_marked(mark, n, 1, perm);
    *val = *train ? ds_dataset_gather(src, perm, nval) : NULL;
    free(perm), free(mark);
    if (*val) return DS_OK;
    ds_dataset_free(*train);
    *train = NULL;
    return DS_ERR_NOMEM;
}
