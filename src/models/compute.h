/* compute.h - the matrix products, convolutions and poolings of training,
 * on the backend chosen at configure time (-DDESCENT_BACKEND=onednn|
 * openblas: compute_onednn.c or compute_openblas.c; compute.c holds what
 * both share). Private.
 *
 * Contract. Every matrix is row-major and contiguous (leading dimension =
 * its number of columns); m rows (examples), k inputs, n outputs:
 *   X [m x k]  inputs          W [n x k]  weights, one row per output
 *   b [n]      bias or NULL    Y [m x n]  outputs; dY [m x n] their gradient
 * Products (flags DS__COMPUTE_ACC: add to the output instead of overwriting):
 *   forward      Y  = act(X W^T + b)      with ACC: Y = act(Y + X W^T + b)
 *   weight_grad  dW = dY^T X  [n x k],  db = column sums of dY (summed in
 *                double, then rounded; db may be NULL)     ACC: dW += , db +=
 *   input_grad   dX = dY W    [m x k]                      ACC: dX +=
 * act is DS_ACT_RELU, DS_ACT_SIGMOID, DS_ACT_TANH or DS__ACT_IDENTITY (as
 * model_internal.h). Outputs never alias inputs. The results do not depend
 * on the thread count beyond the backend's own summation order; the two
 * backends agree to rounding (about 1e-6 relative).
 *
 * A context is made once per model: the oneDNN backend creates a primitive
 * (and the reorders around it) per distinct shape and flags at its first
 * use and reuses it (a small cache), so a training loop creates none after
 * its first batch. Nothing
 * here prints; failures return a ds_status with the message set. */
#ifndef DS_MODELS_COMPUTE_H
#define DS_MODELS_COMPUTE_H

#include "descent/error.h"

#include <stddef.h>

#define DS__COMPUTE_ACC 1

/* Precision of the products' operands (outputs and accumulation are f32). */
typedef enum { DS__PREC_FP32, DS__PREC_BF16 } ds__precision;

typedef struct ds__compute ds__compute;

/* A context doing products on `threads` threads (>= 1); NULL when out of
 * memory or the backend fails to start (message set). */
ds__compute *ds__compute_new(int threads);
void ds__compute_free(ds__compute *c);
void ds__compute_set_threads(ds__compute *c, int threads);

/* bf16 operands: DS_ERR_UNSUPPORTED (message set) where the backend or the
 * CPU has no native bf16 products; the precision is then unchanged. */
ds_status ds__compute_set_precision(ds__compute *c, ds__precision p);
ds__precision ds__compute_precision(const ds__compute *c);

ds_status ds__compute_forward(ds__compute *c, const float *x, const float *w, const float *b,
                              float *y, size_t m, size_t k, size_t n, int act, int flags);
ds_status ds__compute_weight_grad(ds__compute *c, const float *x, const float *dy, float *dw,
                                  float *db, size_t m, size_t k, size_t n, int flags);
ds_status ds__compute_input_grad(ds__compute *c, const float *dy, const float *w, float *dx,
                                 size_t m, size_t k, size_t n, int flags);

/* Convolutions: 2-D, cross-correlation as torch's Conv2d, on n samples
 * of c x h x w floats (NCHW, row-major), weights o x c x k x k (OIHW),
 * stride and zero padding pad on every side; outputs n x o x oh x ow with
 * oh = (h + 2 pad - k) / stride + 1 (ow likewise).
 *   conv_forward   Y = act(conv(X, W) + b)          (b may be NULL)
 *   conv_backward  dW (+)= dL/dW, db (+)= per-channel sums of dY (double,
 *                  then rounded; may be NULL), dX = dL/dX (NULL: not
 *                  needed; always overwritten)       ACC: dW +=, db +=
 * work: caller's scratch of ds__compute_conv_work(cv) floats (the
 * im2col rows and a position-major copy on OpenBLAS; none on oneDNN, whose
 * primitives hold their own blocked-layout buffers per shape). */
typedef struct ds__conv {
    size_t n, c, h, w, o, k, stride, pad, oh, ow;
} ds__conv;

size_t ds__compute_conv_work(const ds__conv *cv);
ds_status ds__compute_conv_forward(ds__compute *c, const ds__conv *cv, const float *x,
                                   const float *w, const float *b, float *y, int act, float *work);
ds_status ds__compute_conv_backward(ds__compute *c, const ds__conv *cv, const float *x,
                                    const float *w, const float *dy, float *dw, float *db,
                                    float *dx, int flags, float *work);

/* Pooling: the max (max != 0) or the mean of each k x k window at
 * stride (no padding) of n samples of c x h x w, into c x oh x ow; the
 * shape as a ds__conv with o = c and pad = 0.
 *   pool_forward   Y = pool(X); max: ws records each window's first
 *                  maximum (torch's choice), 4 bytes per output value
 *   pool_backward  dX = dL/dX (overwritten), from dY and the forward's ws
 * oneDNN's pooling primitives on NCHW, or plain loops on OpenBLAS. */
ds_status ds__compute_pool_forward(ds__compute *c, const ds__conv *p, int max, const float *x,
                                   float *y, void *ws);
ds_status ds__compute_pool_backward(ds__compute *c, const ds__conv *p, int max, const float *dy,
                                    float *dx, const void *ws);

/* db (+)= column sums of dy [m x n] in double (compute.c, for both). */
void ds__compute_bias_grad(const float *dy, float *db, size_t m, size_t n, int flags, int threads);
/* db [o] (+)= sums over samples and positions of dy [n x o x p] (NCHW):
 * each sample's positions in float, the samples in double; one channel
 * per thread at a time (compute.c, for both). */
void ds__compute_chan_grad(const float *dy, float *db, size_t n, size_t o, size_t p, int flags,
                           int threads);

/* The time a context's matrix products (forward, weight_grad, input_grad:
 * the product itself with what the backend fuses into it, not the bias
 * sums; on OpenBLAS also the products a convolution is made of) have taken
 * since it was made, and their floating-point operations (2 m k n each).
 * Two clock reads per product at 27 ns each: 0.1% of a batch-64 step of
 * the default network. */
typedef struct ds__compute_clock {
    double seconds, flops;
} ds__compute_clock;

ds__compute_clock ds__compute_products(const ds__compute *c);
/* Adds to *clk a product of m x k by k x n begun at t0 (ds__now; compute.c). */
void ds__compute_count(ds__compute_clock *clk, double t0, size_t m, size_t k, size_t n);

/* "onednn" or "openblas". */
const char *ds__compute_backend(void);
/* The library and the kernels: "oneDNN 2.6.3 (cpu isa ...)" or OpenBLAS's
 * build string; with c, the kernels its products ran so far (oneDNN's impl
 * names, e.g. "brg:avx512_core"). Returns the length as snprintf. */
int ds__compute_describe(const ds__compute *c, char *buf, size_t size);

#endif
