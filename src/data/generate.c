/* generate.c - the lectures' data sets, generated from a seed (ds_rng), so a
 * seed reproduces them bit for bit. doc/data.md defines each one, including
 * the order in which random numbers are drawn. */
#include "data/data_internal.h"
#include "descent/rng.h"
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Creates the output set or fails when a size is 0 or the set would not
 * fit in memory. */
static ds_status make(size_t n, size_t features, int32_t classes, size_t outputs, ds_dataset **out)
{
    *out = NULL;
    if (n == 0 || features == 0)
        return ds__fail(DS_ERR_INVALID, "generator: n and features must be >= 1 (got %zu, %zu)", n,
                        features);
    /* a spec such as blobs:n=1000000000 is refused here, not by swapping */
    if (features > SIZE_MAX / 8 / n)
        return ds__fail(DS_ERR_INVALID, "generator: %zu rows of %zu features overflow", n,
                        features);
    char what[96];
    snprintf(what, sizeof what, "a generated set of %zu rows x %zu features", n, features);
    ds_status s = ds__check_alloc((uint64_t)n * (features + (outputs ? outputs : 1)) * 4, what);
    if (s != DS_OK) return s;
    *out = ds_dataset_create(n, features, classes, outputs);
    return *out ? DS_OK : DS_ERR_NOMEM;
}

ds_status ds_gen_toy(ds_dataset **out)
{
    /* CS7015 lecture 5: the sigmoid neuron's two training points. */
    static const float x[2] = {0.5f, 2.5f}, y[2] = {0.2f, 0.9f};
    ds_status s = make(2, 1, 0, 1, out);
    for (int i = 0; s == DS_OK && i < 2; i++)
        (*out)->x[i] = x[i], (*out)->targets[i] = y[i];
    return s;
}

ds_status ds_gen_sparse(size_t n, size_t features, double zero_frac, uint64_t seed,
                        ds_dataset **out)
{
    if (!(zero_frac >= 0.0 && zero_frac <= 1.0))
        return *out = NULL,
               ds__fail(DS_ERR_INVALID, "sparse: zero must be in [0, 1] (got %g)", zero_frac);
    ds_status s = make(n, features, 0, 1, out);
    if (s != DS_OK) return s;
    ds_rng r = ds_rng_seed(seed);
    for (size_t i = 0; i < n; i++) {
        float *x = (*out)->x + i * features;
        double z = -1.0; /* b* */
        for (size_t j = 0; j < features; j++) {
            x[j] = ds_rng_uniform(&r) < zero_frac ? 0.0f : (float)(-4.0 + 8.0 * ds_rng_uniform(&r));
            z += 2.0 * x[j]; /* w*_j = 2, on the stored (rounded) x */
        }
        (*out)->targets[i] = (float)(1.0 / (1.0 + exp(-z)));
    }
    return DS_OK;
}

ds_status ds_gen_blobs(size_t n, size_t features, int32_t classes, double spread, uint64_t seed,
                       ds_dataset **out)
{
    *out = NULL;
    if (classes < 2 || !(spread >= 0.0 && isfinite(spread)))
        return ds__fail(DS_ERR_INVALID,
                        "blobs: classes must be >= 2 and spread a finite number >= 0 "
                        "(got %d, %g)",
                        classes, spread);
    if (features > SIZE_MAX / sizeof(double) / (size_t)classes)
        return ds__fail(DS_ERR_INVALID, "blobs: too many features");
    double *centre = malloc((size_t)classes * features * sizeof *centre);
    if (!centre) return ds__nomem("blob centres", (size_t)classes * features * sizeof *centre);
    ds_status s = make(n, features, classes, 0, out);
    ds_rng r = ds_rng_seed(seed);
    for (size_t k = 0; s == DS_OK && k < (size_t)classes * features; k++)
        centre[k] = -5.0 + 10.0 * ds_rng_uniform(&r);
    for (size_t i = 0; s == DS_OK && i < n; i++) {
        int32_t c = (int32_t)(i % (size_t)classes);
        (*out)->labels[i] = c;
        for (size_t j = 0; j < features; j++)
            (*out)->x[i * features + j] =
                (float)(centre[(size_t)c * features + j] + spread * ds_rng_normal(&r));
    }
    free(centre);
    return s;
}

ds_status ds_gen_linear(size_t n, size_t features, double noise, uint64_t seed, ds_dataset **out)
{
    *out = NULL;
    if (!(noise >= 0.0 && isfinite(noise)))
        return ds__fail(DS_ERR_INVALID, "linear: noise must be a finite number >= 0 (got %g)",
                        noise);
    double *w = malloc((features + 1) * sizeof *w);
    if (!w) return ds__nomem("linear weights", (features + 1) * sizeof *w);
    ds_status s = make(n, features, 0, 1, out);
    ds_rng r = ds_rng_seed(seed);
    for (size_t j = 0; j <= features; j++)
        w[j] = ds_rng_normal(&r); /* w*_0.., then b* */
    for (size_t i = 0; s == DS_OK && i < n; i++) {
        float *x = (*out)->x + i * features;
        double y = w[features];
        for (size_t j = 0; j < features; j++) {
            x[j] = (float)ds_rng_normal(&r);
            y += w[j] * x[j];
        }
        (*out)->targets[i] = (float)(y + noise * ds_rng_normal(&r));
    }
    free(w);
    return s;
}
