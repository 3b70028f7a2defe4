/* prep.c - the features' preprocessing learned from the training split
 * (descent/prep.h): per-feature fill, offset and scale, and the class
 * names. One allocation holds the struct, the three arrays, the name
 * pointers and the names, so ds_prep_free is one free. The checkpoint
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

ds_prep *ds__prep_new(size_t inputs, ds_norm norm, const char *const *names, int32_t classes)
{
    size_t text = 0;
    for (int32_t k = 0; k < classes; k++)
        text += strlen(names[k]) + 1;
    size_t arrays = (3 * inputs * sizeof(float) + 7) & ~(size_t)7; /* names aligned after */
    size_t ptrs = (size_t)classes * sizeof(char *);
    ds_prep *p = calloc(1, sizeof *p + arrays + ptrs + text);
    if (!p) return ds__nomem("preprocessing", sizeof *p + arrays + ptrs + text), NULL;
    float *f = (float *)(p + 1);
    *p = (ds_prep){.inputs = inputs, .norm = norm, .classes = classes};
    if (inputs) p->fill = f, p->offset = f + inputs, p->scale = f + 2 * inputs;
    for (size_t j = 0; j < inputs; j++)
        p->scale[j] = 1.0f;
    char **list = (char **)((char *)f + arrays), *at = (char *)(list + classes);
    for (int32_t k = 0; k < classes; k++) {
        size_t l = strlen(names[k]) + 1;
        list[k] = memcpy(at, names[k], l);
        at += l;
    }
    p->names = classes ? (const char *const *)list : NULL;
    return p;
}

/* Column j's statistics over the non-NaN values of the n rows of x. */
static void column_stats(const float *x, size_t n, size_t stride, double *mean, double *sd,
                         double *lo, double *hi)
{
    double sum = 0, sq = 0;
    size_t k = 0;
    *lo = HUGE_VAL, *hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v)) continue;
        sum += v, k++;
        *lo = v < *lo ? v : *lo, *hi = v > *hi ? v : *hi;
    }
    *mean = k ? sum / (double)k : 0.0;
    for (size_t i = 0; i < n; i++) /* two passes: no cancellation in the variance */
        if (!isnan(x[i * stride])) sq += (x[i * stride] - *mean) * (x[i * stride] - *mean);
    *sd = k ? sqrt(sq / (double)k) : 0.0;
    if (!k) *lo = *hi = 0.0;
}

ds_status ds_prep_fit(const ds_dataset *train, ds_norm norm, ds_prep **out)
{
    *out = NULL;
    if ((unsigned)norm >= DS_NORM_COUNT)
        return ds__fail(DS_ERR_INVALID, "normalization %d out of range", (int)norm);
    ds_status s = ds__dataset_in_memory(train, "normalization");
    if (s != DS_OK) return s;
    ds_prep *p = ds__prep_new(train->features, norm, (const char *const *)train->class_names,
                              train->class_names ? train->classes : 0);
    if (!p) return DS_ERR_NOMEM;
    for (size_t j = 0; j < train->features; j++) {
        double mean, sd, lo, hi;
        column_stats(train->x + j, train->n, train->features, &mean, &sd, &lo, &hi);
        p->fill[j] = (float)mean;
        if (norm == DS_NORM_STANDARD) p->offset[j] = (float)mean;
        if (norm == DS_NORM_STANDARD && sd > 0) p->scale[j] = (float)(1.0 / sd);
        if (norm == DS_NORM_MINMAX) p->offset[j] = (float)lo;
        if (norm == DS_NORM_MINMAX && hi > lo) p->scale[j] = (float)(1.0 / (hi - lo));
    }
    *out = p;
    return DS_OK;
}

void ds_prep_free(ds_prep *p)
{
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
    return p->names;
}
