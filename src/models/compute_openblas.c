/* compute_openblas.c - compute.h on OpenBLAS: each product is one
 * cblas_sgemm on the whole batch; the forward product's bias and activation
 * follow as one loop, OpenMP-parallel over rows (each output element is
 * computed by one thread, so the thread count changes nothing). OpenBLAS
 * has no bf16 products in this build.
 *
 * A convolution is im2col (Chellapilla et al. 2006,
 * https://hal.inria.fr/inria-00112631) of the whole batch, one row of C K K
 * inputs per output position, then one product Z = col W^T + b for the
 * batch, turned to channels x positions per sample; backward: dW = dZ^T
 * col, dcol = dZ W scattered back to the image. Pooling: plain loops
 * (max pooling's ws holds the input offset of each window's maximum). */
#include "core/internal.h"
#include "models/compute.h"
#include "models/model_internal.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ds__compute {
    int threads;
    ds__compute_clock clock; /* the products' time */
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

/* Row-major C [m x n] (+)= op(A) op(B), op(B) k rows (ta: A is stored
 * [k x m]; tb: B is stored [n x k]), timed on the context's clock. */
static void product(ds__compute *c, int ta, int tb, size_t m, size_t n, size_t k, const float *a,
                    const float *b, float *out, int flags)
{
    double t0 = ds__now();
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)k, 1.0f, a, ta ? (int)m : (int)k, b, tb ? (int)k : (int)n,
                flags & DS__COMPUTE_ACC ? 1.0f : 0.0f, out, (int)n);
    ds__compute_count(&c->clock, t0, m, k, n);
}

ds__compute_clock ds__compute_products(const ds__compute *c)
{
    return c->clock;
}

ds_status ds__compute_forward(ds__compute *c, const float *x, const float *w, const float *b,
                              float *y, size_t m, size_t k, size_t n, int act, int flags)
{
    product(c, 0, 1, m, n, k, x, w, y, flags);
    bias_act(y, b, m, n, act, c->threads);
    return DS_OK;
}

ds_status ds__compute_weight_grad(ds__compute *c, const float *x, const float *dy, float *dw,
                                  float *db, size_t m, size_t k, size_t n, int flags)
{
    product(c, 1, 0, n, k, m, dy, x, dw, flags);
    if (db) ds__compute_bias_grad(dy, db, m, n, flags, c->threads);
    return DS_OK;
}

ds_status ds__compute_input_grad(ds__compute *c, const float *dy, const float *w, float *dx,
                                 size_t m, size_t k, size_t n, int flags)
{
    product(c, 0, 0, m, k, n, dy, w, dx, flags);
    return DS_OK;
}

/* A conv's im2col matrix, transposed: one row of C K K values per output
 * position (row-major P x CKK, so the products below are plain row-major
 * ones); position p reads x at (p's row * stride + ki - pad, ...). With dx
 * instead of x, the other way: dx += col scattered back (col2im). */
static void im2row(const ds__conv *cv, const float *x, float *dx, float *col)
{
    size_t k = cv->k, H = cv->h, W = cv->w, P = cv->oh * cv->ow, K = cv->c * k * k;
    for (size_t p = 0; p < P; p++, col += K) {
        size_t y0 = p / cv->ow * cv->stride, x0 = p % cv->ow * cv->stride, q = 0;
        for (size_t c = 0; c < cv->c; c++)
            for (size_t ki = 0; ki < k; ki++)
                for (size_t kj = 0; kj < k; kj++, q++) {
                    size_t iy = y0 + ki, ix = x0 + kj; /* + pad */
                    int inside =
                        iy >= cv->pad && iy - cv->pad < H && ix >= cv->pad && ix - cv->pad < W;
                    size_t at = inside ? (c * H + iy - cv->pad) * W + ix - cv->pad : 0;
                    if (dx && inside) dx[at] += col[q];
                    if (!dx) col[q] = inside ? x[at] : 0.0f;
                }
    }
}

/* im2col rows of the batch: sample i's P rows from col + i P K. */
static void im2row_batch(const ds__conv *cv, const float *x, float *col, int nt)
{
    size_t isz = cv->c * cv->h * cv->w, PK = cv->oh * cv->ow * cv->c * cv->k * cv->k;
#pragma omp parallel for num_threads(nt) schedule(static) if (cv->n * PK >= DS__PAR_MIN)
    for (size_t i = 0; i < cv->n; i++)
        im2row(cv, x + i * isz, NULL, col + i * PK);
}

/* Sample by sample, [P x O] (positions x channels) to and from [O x P]. */
static void transpose_batch(const float *a, float *b, size_t r, size_t rows, size_t cols, int nt)
{
#pragma omp parallel for num_threads(nt) schedule(static) if (r * rows * cols >= DS__PAR_MIN)
    for (size_t i = 0; i < r; i++)
        for (size_t x = 0; x < rows; x++)
            for (size_t y = 0; y < cols; y++)
                b[i * rows * cols + y * rows + x] = a[i * rows * cols + x * cols + y];
}

/* The im2col rows, then the batch's positions x channels. */
size_t ds__compute_conv_work(const ds__conv *cv)
{
    return cv->n * cv->oh * cv->ow * (cv->c * cv->k * cv->k + cv->o);
}

/* One product for the batch: Z [n P x O] = col [n P x K] W^T + b (bias and
 * activation fused as in the forward product), then each sample to
 * channels x positions. */
ds_status ds__compute_conv_forward(ds__compute *c, const ds__conv *cv, const float *x,
                                   const float *w, const float *b, float *y, int act, float *work)
{
    size_t P = cv->oh * cv->ow, K = cv->c * cv->k * cv->k;
    float *col = work, *z = work + cv->n * P * K;
    im2row_batch(cv, x, col, c->threads);
    ds_status st = ds__compute_forward(c, col, w, b, z, cv->n * P, K, cv->o, act, 0);
    if (st == DS_OK) transpose_batch(z, y, cv->n, P, cv->o, c->threads);
    return st;
}

/* dZ to positions x channels; dW (+)= dZ^T col, db (+)= its channel sums;
 * dcol = dZ W, scattered back by im2row. */
ds_status ds__compute_conv_backward(ds__compute *c, const ds__conv *cv, const float *x,
                                    const float *w, const float *dy, float *dw, float *db,
                                    float *dx, int flags, float *work)
{
    size_t P = cv->oh * cv->ow, K = cv->c * cv->k * cv->k, isz = cv->c * cv->h * cv->w;
    float *col = work, *dz = work + cv->n * P * K;
    transpose_batch(dy, dz, cv->n, cv->o, P, c->threads);
    im2row_batch(cv, x, col, c->threads);
    ds_status st = ds__compute_weight_grad(c, col, dz, dw, NULL, cv->n * P, K, cv->o, flags);
    if (db) ds__compute_chan_grad(dy, db, cv->n, cv->o, P, flags, c->threads);
    if (st != DS_OK || !dx) return st;
    if ((st = ds__compute_input_grad(c, dz, w, col, cv->n * P, K, cv->o, 0))) return st;
    memset(dx, 0, cv->n * isz * sizeof(float));
#pragma omp parallel for num_threads(c->threads) schedule(static) if (cv->n * isz >= DS__PAR_MIN)
    for (size_t i = 0; i < cv->n; i++)
        im2row(cv, NULL, dx + i * isz, col + i * P * K);
    return DS_OK;
}

/* Output row oy of one plane: the max (idx: the input offset of the first
 * maximum, as torch) or the mean of each window, each window's values
 * taken in row-major order, one pass over the row's windows per offset in
 * the window so that the loops vectorize. */
static void pool_row(const ds__conv *cv, const float *in, float *out, int32_t *idx, size_t oy)
{
    size_t W = cv->w, Wo = cv->ow, k = cv->k, s = cv->stride, y0 = oy * s;
    for (size_t ox = 0; ox < Wo; ox++) {
        out[ox] = idx ? in[y0 * W + ox * s] : 0.0f;
        if (idx) idx[ox] = (int32_t)(y0 * W + ox * s);
    }
    for (size_t dy = 0; dy < k; dy++)
        for (size_t dx = 0; dx < k; dx++) {
            const float *at = in + (y0 + dy) * W + dx;
            int32_t off = (int32_t)((y0 + dy) * W + dx);
            if (!idx)
                for (size_t ox = 0; ox < Wo; ox++)
                    out[ox] += at[ox * s];
            for (size_t ox = 0; idx && ox < Wo; ox++) {
                int gt = at[ox * s] > out[ox];
                out[ox] = gt ? at[ox * s] : out[ox];
                idx[ox] = gt ? off + (int32_t)(ox * s) : idx[ox];
            }
        }
    for (size_t ox = 0; !idx && ox < Wo; ox++)
        out[ox] /= (float)(k * k);
}

ds_status ds__compute_pool_forward(ds__compute *c, const ds__conv *cv, int max, const float *x,
                                   float *y, void *ws)
{
    const float *in = x;
    float *out = y;
    int32_t *idx = max ? ws : NULL;
    size_t HW = cv->h * cv->w, Ho = cv->oh, Wo = cv->ow, n = cv->n * cv->c;
#pragma omp parallel for num_threads(c->threads) schedule(static) if (n * HW >= DS__PAR_MIN)
    for (size_t p = 0; p < n; p++)
        for (size_t oy = 0; oy < Ho; oy++)
            pool_row(cv, in + p * HW, out + (p * Ho + oy) * Wo,
                     idx ? idx + (p * Ho + oy) * Wo : NULL, oy);
    return DS_OK;
}

ds_status ds__compute_pool_backward(ds__compute *c, const ds__conv *cv, int max, const float *dy,
                                    float *dx, const void *ws)
{
    const float *dout = dy;
    float *din = dx;
    const int32_t *idx = max ? ws : NULL;
    size_t r = cv->n, C = cv->c, H = cv->h, W = cv->w, Ho = cv->oh, Wo = cv->ow, k = cv->k;
    memset(din, 0, r * C * H * W * sizeof(float));
    for (size_t p = 0; p < r * C; p++, din += H * W)
        for (size_t oy = 0; oy < Ho; oy++)
            for (size_t ox = 0; ox < Wo; ox++, dout++) {
                if (idx) {
                    din[*idx++] += *dout;
                    continue;
                }
                size_t y0 = oy * cv->stride, x0 = ox * cv->stride;
                for (size_t y = y0; y < y0 + k; y++)
                    for (size_t x = x0; x < x0 + k; x++)
                        din[y * W + x] += *dout / (float)(k * k);
            }
    (void)c;
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
