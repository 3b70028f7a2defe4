/* prep.c - the features' preprocessing learned from the training split
 * (descent/prep.h): per-feature fill, offset and scale, the class names
 * and the training CSV file's columns. One allocation holds the struct and
 * the three arrays, one each the two name lists. The checkpoint
 * records are read and written in src/train/prep_state.c. */
#include "data/prep_internal.h"
#include "data/data_internal.h"
#include "core/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const norm_names[DS_NORM_COUNT] = {"none", "standard", "minmax"};

ds_status ds_norm_parse(const char *s, ds_norm *out)
{
    for (int i = 0; i < DS_NORM_COUNT; i++)
        if (s && strcmp(s, norm_names[i]) == 0) return *out = (ds_norm)i, DS_OK;
    return ds__fail(DS_ERR_PARSE, "unknown normalization '%s' (accepted: none, standard, minmax)",
                    s ? s : "");
}

const char *ds_norm_name(ds_norm n)
{
    return (unsigned)n < DS_NORM_COUNT ? norm_names[n] : NULL;
}

ds_prep *ds__prep_new(size_t inputs, ds_norm norm)
{
    size_t bytes = sizeof(ds_prep) + 3 * inputs * sizeof(float);
    ds_prep *p = calloc(1, bytes);
    if (!p) return ds__nomem("preprocessing", bytes), NULL;
    float *f = (float *)(p + 1);
    *p = (ds_prep){.inputs = inputs, .norm = norm};
    if (inputs) p->fill = f, p->offset = f + inputs, p->scale = f + 2 * inputs;
    for (size_t j = 0; j < inputs; j++)
        p->scale[j] = 1.0f;
    return p;
}

ds_status ds__prep_set_names(ds_prep *p, const char *const *names, int32_t classes)
{
    if (classes == 0) return DS_OK;
    if (!(p->names = ds__names_copy(names, (size_t)classes))) return DS_ERR_NOMEM;
    p->classes = classes;
    return DS_OK;
}

ds_status ds__prep_set_columns(ds_prep *p, const char *const *columns, size_t n, size_t label)
{
    if (n == 0) return DS_OK;
    if (!(p->columns = ds__names_copy(columns, n))) return DS_ERR_NOMEM;
    p->ncolumns = n;
    p->label_column = label;
    return DS_OK;
}

/* Per column: sums and counts of the non-NaN values, and with `range`
 * their minimum and maximum, row by row (the block in memory order; the
 * loops have no branches, so they vectorize). */
static void first_pass(const ds_dataset *d, int range, double *sum, double *k, float *lo, float *hi)
{
    size_t f = d->features;
    for (size_t j = 0; j < f; j++)
        sum[j] = 0, k[j] = 0, lo[j] = INFINITY, hi[j] = -INFINITY;
    for (size_t i = 0; i < d->n; i++) {
        const float *r = d->x + i * f;
        for (size_t j = 0; j < f; j++) {
            int ok = r[j] == r[j]; /* not NaN */
            sum[j] += ok ? (double)r[j] : 0.0;
            k[j] += ok;
        }
        for (size_t j = 0; range && j < f; j++) { /* NaN compares false: skipped */
            lo[j] = r[j] < lo[j] ? r[j] : lo[j];
            hi[j] = r[j] > hi[j] ? r[j] : hi[j];
        }
    }
}

/* Sums of squared deviations from the means (two passes: no cancellation). */
static void second_pass(const ds_dataset *d, const double *mean, double *sq)
{
    size_t f = d->features;
    for (size_t j = 0; j < f; j++)
        sq[j] = 0;
    for (size_t i = 0; i < d->n; i++) {
        const float *r = d->x + i * f;
        for (size_t j = 0; j < f; j++) {
            double e = r[j] == r[j] ? (double)r[j] - mean[j] : 0.0;
            sq[j] += e * e;
        }
    }
}

/* p's arrays from the statistics of d (w: 3 doubles, l: 2 floats per feature). */
static void set_arrays(ds_prep *p, const ds_dataset *d, double *w, float *l)
{
    size_t f = d->features;
    double *mean = w, *k = w + f, *sq = w + 2 * f;
    float *lo = l, *hi = l + f;
    first_pass(d, p->norm == DS_NORM_MINMAX, mean, k, lo, hi);
    for (size_t j = 0; j < f; j++)
        mean[j] = k[j] > 0 ? mean[j] / k[j] : 0.0;
    if (p->norm == DS_NORM_STANDARD) second_pass(d, mean, sq);
    for (size_t j = 0; j < f; j++) {
        int std = p->norm == DS_NORM_STANDARD; /* sq is filled only then */
        double sd = std && k[j] > 0 ? sqrt(sq[j] / k[j]) : 0.0;
        p->fill[j] = (float)mean[j];
        if (std) p->offset[j] = (float)mean[j];
        if (std && sd > 0) p->scale[j] = (float)(1.0 / sd);
        if (p->norm == DS_NORM_MINMAX && k[j] > 0) p->offset[j] = lo[j];
        if (p->norm == DS_NORM_MINMAX && hi[j] > lo[j])
            p->scale[j] = (float)(1.0 / ((double)hi[j] - lo[j]));
    }
}

ds_status ds_prep_fit(const ds_dataset *train, ds_norm norm, ds_prep **out)
{
    *out = NULL;
    if ((unsigned)norm >= DS_NORM_COUNT)
        return ds__fail(DS_ERR_INVALID, "normalization %d out of range", (int)norm);
    ds_status s = ds__dataset_in_memory(train, "normalization");
    if (s != DS_OK) return s;
    size_t f = train->features;
    double *w = malloc(f * 3 * sizeof *w);
    float *l = malloc(f * 2 * sizeof *l);
    ds_prep *p = w && l ? ds__prep_new(f, norm) : NULL;
    s = p ? DS_OK : ds__nomem("normalization statistics", f * 4 * sizeof *w);
    if (s == DS_OK && train->class_names)
        s = ds__prep_set_names(p, (const char *const *)train->class_names, train->classes);
    if (s == DS_OK)
        s = ds__prep_set_columns(p, (const char *const *)train->columns, train->ncolumns,
                                 train->label_column);
    if (s == DS_OK) set_arrays(p, train, w, l);
    free(w), free(l);
    if (s == DS_OK)
        *out = p;
    else
        ds_prep_free(p);
    return s;
}

void ds_prep_free(ds_prep *p)
{
    if (!p) return;
    free(p->names);
    free(p->columns);
    free(p);
}

void ds_prep_apply(const ds_prep *p, float *x, size_t rows)
{
    size_t f = p->inputs;
    if (f == 0) return;
    const float *fill = p->fill, *off = p->offset, *sc = p->scale;
    if (p->norm == DS_NORM_NONE) { /* only the fill: the other values keep their bits */
        for (size_t i = 0; i < rows * f; i++)
            if (isnan(x[i])) x[i] = fill[i % f];
        return;
    }
#pragma omp parallel for schedule(static) if (rows * f > 65536)
    for (size_t i = 0; i < rows; i++) {
        float *r = x + i * f;
        for (size_t j = 0; j < f; j++) {
            float v = isnan(r[j]) ? fill[j] : r[j];
            r[j] = (v - off[j]) * sc[j];
        }
    }
}

ds_status ds_prep_apply_dataset(const ds_prep *p, ds_dataset *d)
{
    ds_status s = ds__dataset_in_memory(d, "normalization");
    if (s != DS_OK || p->inputs == 0) return s;
    if (d->features != p->inputs)
        return ds__fail(DS_ERR_MISMATCH,
                        "the preprocessing was learned on %zu features, the data has %zu",
                        p->inputs, d->features);
    ds_prep_apply(p, d->x, d->n);
    return DS_OK;
}

size_t ds_prep_inputs(const ds_prep *p)
{
    return p->inputs;
}
ds_norm ds_prep_norm(const ds_prep *p)
{
    return p->norm;
}
const float *ds_prep_offset(const ds_prep *p)
{
    return p->offset;
}
const float *ds_prep_scale(const ds_prep *p)
{
    return p->scale;
}
const float *ds_prep_fill(const ds_prep *p)
{
    return p->fill;
}
int32_t ds_prep_classes(const ds_prep *p)
{
    return p->classes;
}
const char *ds_prep_class_name(const ds_prep *p, int32_t k)
{
    return k >= 0 && k < p->classes ? p->names[k] : NULL;
}
const char *const *ds_prep_class_names(const ds_prep *p)
{
    return (const char *const *)p->names;
}
size_t ds_prep_column_count(const ds_prep *p)
{
    return p->ncolumns;
}
const char *ds_prep_column_name(const ds_prep *p, size_t i)
{
    return i < p->ncolumns ? p->columns[i] : NULL;
}
size_t ds_prep_label_column(const ds_prep *p)
{
    return p->label_column;
}
