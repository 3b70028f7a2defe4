/* compute_openblas.c - compute.h on OpenBLAS: each product is one
 * cblas_sgemm on the whole batch; the forward product's bias and activation
 * follow as one loop, OpenMP-parallel over rows (each output element is
 * computed by one thread, so the thread count changes nothing). OpenBLAS
 * has no bf16 products in this build. */
#include "core/internal.h"
#include "models/compute.h"
#include "models/model_internal.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct ds__compute {
    int threads;
};

/* The row helper must be inlined into every DS__CLONES_WIDE version of its
 * caller (GCC does not inline across target attributes on its own): a call
 * per row cost 8% of a Fashion-MNIST epoch. */
#if defined(__GNUC__)
#define DS__ROW static inline __attribute__((always_inline))
#else
#define DS__ROW static inline
#endif

/* z[j] = g(z[j] + b[j]) for one row (b NULL: no bias). */
DS__ROW void bias_act_row(float *z, const float *b, size_t n, int kind)
{
    switch (kind) {
    case DS_ACT_RELU:
        for (size_t j = 0; j < n; j++) {
            float v = z[j] + (b ? b[j] : 0.0f);
            z[j] = v > 0.0f ? v : 0.0f;
        }
        break;
    case DS_ACT_SIGMOID:
        for (size_t j = 0; j < n; j++)
            z[j] = 1.0f / (1.0f + expf(-(z[j] + (b ? b[j] : 0.0f))));
        break;
    case DS_ACT_TANH:
        for (size_t j = 0; j < n; j++)
            z[j] = tanhf(z[j] + (b ? b[j] : 0.0f));
        break;
    default:
        for (size_t j = 0; j < n; j++)
            z[j] += b ? b[j] : 0.0f;
    }
}

DS__CLONES_WIDE static void bias_act(float *z, const float *b, size_t r, size_t n, int kind, int nt)
{
#pragma omp parallel for num_threads(nt) schedule(static) if (r * n >= DS__PAR_MIN)
    for (size_t i = 0; i < r; i++)
        bias_act_row(z + i * n, b, n, kind);
}

ds__compute *ds__compute_new(int threads)
{
    ds__compute *c = calloc(1, sizeof *c);
    if (!c) {
        ds__nomem("compute context", sizeof *c);
        return NULL;
    }
    c->threads = threads; /* OpenBLAS's own count stays until set_threads */
    return c;
}

void ds__compute_free(ds__compute *c)
{
    free(c);
}

/* OpenBLAS's thread count is process-wide. */
void ds__compute_set_threads(ds__compute *c, int threads)
{
    c->threads = threads;
    openblas_set_num_threads(threads);
}

ds_status ds__compute_set_precision(ds__compute *c, ds__precision p)
{
    (void)c;
    if (p == DS__PREC_FP32) return DS_OK;
    return ds__fail(DS_ERR_UNSUPPORTED, "precision bf16 needs the oneDNN backend; this descent "
                                        "was built with OpenBLAS (accepted here: fp32)");
}

ds__precision ds__compute_precision(const ds__compute *c)
{
    (void)c;
    return DS__PREC_FP32;
}

ds_status ds__compute_forward(ds__compute *c, const float *x, const float *w, const float *b,
                              float *y, size_t m, size_t k, size_t n, int act, int flags)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k, 1.0f, x, (int)k, w,
                (int)k, flags & DS__COMPUTE_ACC ? 1.0f : 0.0f, y, (int)n);
    bias_act(y, b, m, n, act, c->threads);
    return DS_OK;
}

ds_status ds__compute_weight_grad(ds__compute *c, const float *x, const float *dy, float *dw,
                                  float *db, size_t m, size_t k, size_t n, int flags)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)k, (int)m, 1.0f, dy, (int)n,
                x, (int)k, flags & DS__COMPUTE_ACC ? 1.0f : 0.0f, dw, (int)k);
    if (db) ds__compute_bias_grad(dy, db, m, n, flags, c->threads);
    return DS_OK;
}

ds_status ds__compute_input_grad(ds__compute *c, const float *dy, const float *w, float *dx,
                                 size_t m, size_t k, size_t n, int flags)
{
    (void)c;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)k, (int)n, 1.0f, dy, (int)n,
                w, (int)k, flags & DS__COMPUTE_ACC ? 1.0f : 0.0f, dx, (int)k);
    return DS_OK;
}

const char *ds__compute_backend(void)
{
    return "openblas";
}

int ds__compute_describe(const ds__compute *c, char *buf, size_t size)
{
    (void)c;
    return snprintf(buf, size, "%s", openblas_get_config());
}
