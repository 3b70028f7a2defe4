/* layers.c - forward and backward of each layer kind of a network (net.h),
 * on r rows of C x H x W floats.
 *
 *   dense      Z = X W^T + b; dW = dZ^T X, db = column sums, dX = dZ W
 *   conv       the compute layer's convolution (compute.h: oneDNN's
 *              convolution primitives, or im2col + sgemm on OpenBLAS)
 * The products of dense and conv go through the compute layer (compute.h:
 * oneDNN or OpenBLAS).
 *   max/avg pool   the window's maximum (gradient to the first maximum, as
 *              torch) or mean: the compute layer's pooling
 *   dropout    inverted dropout (Srivastava et al. 2014): in training each
 *              value is kept with probability 1 - rate and scaled by
 *              1 / (1 - rate); the identity in evaluation. The mask of row i
 *              is drawn from a ds_rng seeded by the model's seed, the pass
 *              counter, the layer and i, so it depends on nothing else
 *              (resume, chunking and threads give the same masks)
 *   batchnorm  Ioffe & Szegedy 2015 (https://arxiv.org/abs/1502.03167) per
 *              channel over rows and positions, eps 1e-5: batch statistics
 *              in training (running mean and unbiased variance updated with
 *              momentum 0.1, as torch's BatchNorm1d/2d), running statistics
 *              in evaluation */
#include "core/internal.h"
#include "descent/rng.h"
#include "models/compute.h"
#include "models/net.h"

#include <math.h>
#include <string.h>

#define BN_MOMENTUM 0.1

/* The convolution of layer ly on r rows. */
static ds__conv conv_shape(const ds__layer *ly, size_t r)
{
    return (ds__conv){.n = r,
                      .c = ly->in[0],
                      .h = ly->in[1],
                      .w = ly->in[2],
                      .o = ly->units,
                      .k = ly->k,
                      .stride = ly->stride,
                      .pad = ly->pad,
                      .oh = ly->out[1],
                      .ow = ly->out[2]};
}

static ds_status conv_forward(ds_model *m, const ds__layer *ly, const float *in, float *out,
                              size_t r)
{
    ds__conv cv = conv_shape(ly, r);
    return ds__compute_conv_forward(m->cx, &cv, in, m->params + ly->woff, m->params + ly->boff, out,
                                    DS__ACT_IDENTITY, m->net->col);
}

static ds_status conv_backward(ds_model *m, const ds__layer *ly, const float *in, const float *dout,
                               float *din, size_t r, int acc)
{
    ds__conv cv = conv_shape(ly, r);
    return ds__compute_conv_backward(m->cx, &cv, in, m->params + ly->woff, dout,
                                     m->grads + ly->woff, m->grads + ly->boff, din,
                                     acc ? DS__COMPUTE_ACC : 0, m->net->col);
}

static ds_status dense_forward(ds_model *m, const ds__layer *ly, const float *in, float *out,
                               size_t r)
{
    return ds__compute_forward(m->cx, in, m->params + ly->woff, m->params + ly->boff, out, r,
                               ly->nw / ly->units, ly->units, DS__ACT_IDENTITY, 0);
}

static ds_status dense_backward(ds_model *m, const ds__layer *ly, const float *in,
                                const float *dout, float *din, size_t r, int acc)
{
    size_t U = ly->units, F = ly->nw / ly->units;
    ds_status st = ds__compute_weight_grad(m->cx, in, dout, m->grads + ly->woff,
                                           m->grads + ly->boff, r, F, U, acc ? DS__COMPUTE_ACC : 0);
    if (st == DS_OK && din)
        st = ds__compute_input_grad(m->cx, dout, m->params + ly->woff, din, r, F, U, 0);
    return st;
}

/* Layer ly's window shape on r rows, as compute.h's ds__conv. */
static ds__conv pool_shape(const ds__layer *ly, size_t r)
{
    ds__conv p = conv_shape(ly, r);
    p.o = p.c, p.pad = 0;
    return p;
}

/* out = g(in) over n values, one loop per kind so that each vectorizes. */
DS__CLONES_WIDE static void act_forward(const float *in, float *out, size_t n, int kind, int nt)
{
#pragma omp parallel for num_threads(nt) schedule(static) if (n >= DS__PAR_MIN)
    for (size_t i = 0; i < n; i++)
        out[i] = kind == DS_ACT_RELU      ? (in[i] > 0.0f ? in[i] : 0.0f)
                 : kind == DS_ACT_SIGMOID ? 1.0f / (1.0f + expf(-in[i]))
                                          : tanhf(in[i]);
}

/* din = dout g'(z) with g' from out = g(z). */
DS__CLONES_WIDE static void act_backward(const float *out, const float *dout, float *din, size_t n,
                                         int kind, int nt)
{
    if (kind == DS_ACT_RELU) {
#pragma omp parallel for num_threads(nt) schedule(static) if (n >= DS__PAR_MIN)
        for (size_t i = 0; i < n; i++)
            din[i] = out[i] > 0.0f ? dout[i] : 0.0f;
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static) if (n >= DS__PAR_MIN)
    for (size_t i = 0; i < n; i++)
        din[i] =
            dout[i] * (kind == DS_ACT_SIGMOID ? out[i] * (1.0f - out[i]) : 1.0f - out[i] * out[i]);
}

static void dropout_forward(ds_model *m, int l, const ds__layer *ly, const float *in, float *out,
                            size_t c0, size_t r, int train)
{
    size_t n = ly->in[0] * ly->in[1] * ly->in[2];
    float *mask = m->net->aux[l], keep = (float)(1.0 / (1.0 - ly->rate));
    if (!train) {
        memcpy(out, in, r * n * sizeof(float));
        return;
    }
    for (size_t i = 0; i < r; i++) {
        uint64_t row = c0 + i + 1;
        ds_rng g =
            ds_rng_seed(m->p.seed ^ (0x9e3779b97f4a7c15ULL * (m->net->batches + 1)) ^
                        (0xbf58476d1ce4e5b9ULL * (uint64_t)l) ^ (0x94d049bb133111ebULL * row));
        for (size_t j = 0; j < n; j++) {
            mask[i * n + j] = ds_rng_uniform(&g) >= ly->rate ? keep : 0.0f;
            out[i * n + j] = in[i * n + j] * mask[i * n + j];
        }
    }
}

/* Mean and 1/std of channel c over r rows (double sums); the running
 * statistics take the batch's with momentum 0.1 (unbiased variance). */
static void bn_stats(ds_model *m, const ds__layer *ly, const float *in, size_t c, size_t r)
{
    size_t C = ly->in[0], S = ly->in[1] * ly->in[2], M = r * S;
    double s = 0.0, q = 0.0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < S; j++)
            s += in[(i * C + c) * S + j];
    double mean = s / (double)M;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < S; j++) {
            double d = in[(i * C + c) * S + j] - mean;
            q += d * d;
        }
    double var = q / (double)M;
    float *rm = m->net->state + ly->soff + c, *rv = rm + C;
    *rm = (float)((1.0 - BN_MOMENTUM) * *rm + BN_MOMENTUM * mean);
    *rv = (float)((1.0 - BN_MOMENTUM) * *rv +
                  BN_MOMENTUM * var * (double)M / (double)(M > 1 ? M - 1 : 1));
    m->net->chan[ly->soff + c] = mean;
    m->net->chan[ly->soff + C + c] = 1.0 / sqrt(var + DS__BN_EPS);
}

static void bn_forward(ds_model *m, int l, const ds__layer *ly, const float *in, float *out,
                       size_t r, int train)
{
    size_t C = ly->in[0], S = ly->in[1] * ly->in[2];
    const float *gamma = m->params + ly->boff, *beta = gamma + C, *st = m->net->state + ly->soff;
    float *xhat = m->net->aux[l];
    for (size_t c = 0; c < C; c++) {
        if (train) bn_stats(m, ly, in, c, r);
        double mean = train ? m->net->chan[ly->soff + c] : st[c];
        double inv = train ? m->net->chan[ly->soff + C + c] : 1.0 / sqrt(st[C + c] + DS__BN_EPS);
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < S; j++) {
                size_t at = (i * C + c) * S + j;
                xhat[at] = (float)((in[at] - mean) * inv);
                out[at] = gamma[c] * xhat[at] + beta[c];
            }
    }
}

/* dx = gamma / std / M (M dy - sum dy - xhat sum(dy xhat)). */
static void bn_backward(ds_model *m, int l, const ds__layer *ly, const float *dout, float *din,
                        size_t r, int acc)
{
    size_t C = ly->in[0], S = ly->in[1] * ly->in[2];
    const float *xhat = m->net->aux[l], *gamma = m->params + ly->boff;
    float *gg = m->grads + ly->boff, *gbeta = gg + C;
    for (size_t c = 0; c < C; c++) {
        double sd = 0.0, sdx = 0.0, M = (double)(r * S);
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < S; j++) {
                size_t at = (i * C + c) * S + j;
                sd += dout[at], sdx += (double)dout[at] * xhat[at];
            }
        gg[c] = (acc ? gg[c] : 0.0f) + (float)sdx;
        gbeta[c] = (acc ? gbeta[c] : 0.0f) + (float)sd;
        double k = gamma[c] * m->net->chan[ly->soff + C + c] / M;
        for (size_t i = 0; din && i < r; i++)
            for (size_t j = 0; j < S; j++) {
                size_t at = (i * C + c) * S + j;
                din[at] = (float)(k * (M * dout[at] - sd - xhat[at] * sdx));
            }
    }
}

ds_status ds__layer_forward(ds_model *m, int l, const float *in, float *out, size_t c0, size_t r,
                            int train)
{
    const ds__layer *ly = &m->net->layers[l - 1];
    size_t n = r * ly->in[0] * ly->in[1] * ly->in[2];
    ds__conv pool = pool_shape(ly, r);
    switch (ly->kind) {
    case DS__L_DENSE:
        return dense_forward(m, ly, in, out, r);
    case DS__L_CONV:
        return conv_forward(m, ly, in, out, r);
    case DS__L_MAXPOOL:
    case DS__L_AVGPOOL:
        return ds__compute_pool_forward(m->cx, &pool, ly->kind == DS__L_MAXPOOL, in, out,
                                        m->net->aux[l]);
    case DS__L_ACT:
        act_forward(in, out, n, ly->act, m->threads);
        break;
    case DS__L_DROPOUT:
        dropout_forward(m, l, ly, in, out, c0, r, train);
        break;
    default:
        bn_forward(m, l, ly, in, out, r, train);
    }
    return DS_OK;
}

ds_status ds__layer_backward(ds_model *m, int l, const float *in, const float *out,
                             const float *dout, float *din, size_t r, int acc)
{
    const ds__layer *ly = &m->net->layers[l - 1];
    size_t n = r * ly->in[0] * ly->in[1] * ly->in[2];
    ds__conv pool = pool_shape(ly, r);
    switch (ly->kind) {
    case DS__L_DENSE:
        return dense_backward(m, ly, in, dout, din, r, acc);
    case DS__L_CONV:
        return conv_backward(m, ly, in, dout, din, r, acc);
    case DS__L_MAXPOOL:
    case DS__L_AVGPOOL:
        return din ? ds__compute_pool_backward(m->cx, &pool, ly->kind == DS__L_MAXPOOL, dout, din,
                                               m->net->aux[l])
                   : DS_OK;
    case DS__L_ACT:
        if (din) act_backward(out, dout, din, n, ly->act, m->threads);
        break;
    case DS__L_DROPOUT:
        for (size_t i = 0; din && i < n; i++)
            din[i] = dout[i] * m->net->aux[l][i];
        break;
    default:
        bn_backward(m, l, ly, dout, din, r, acc);
    }
    return DS_OK;
}
