/* net.c - a layer network inside a ds_model: parameter layout, initial
 * weights, workspace, and the forward and backward pass over the layer list
 * (each layer's kernels are in layers.c). */
#include "core/internal.h"
#include "descent/rng.h"
#include "models/compute.h"
#include "models/net.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static size_t flat(const size_t s[3])
{
    return s[0] * s[1] * s[2];
}

ds_status ds__net_layout(ds_model *m)
{
    ds__net *net = m->net;
    int L = net->n;
    m->L = L;
    m->sizes = calloc((size_t)L + 1, sizeof *m->sizes);
    m->woff = calloc((size_t)L + 1, sizeof *m->woff);
    m->boff = calloc((size_t)L + 1, sizeof *m->boff);
    m->act = calloc((size_t)L + 1, sizeof *m->act);
    net->aux = calloc((size_t)L + 1, sizeof *net->aux);
    if (!m->sizes || !m->woff || !m->boff || !m->act || !net->aux)
        return ds__nomem("model layers", 5 * ((size_t)L + 1) * sizeof(size_t));
    size_t w = 0, b = 0;
    m->sizes[0] = flat(net->layers[0].in);
    for (int l = 1; l <= L; l++) {
        ds__layer *ly = &net->layers[l - 1];
        m->sizes[l] = flat(ly->out);
        ly->woff = w, ly->soff = net->nstate;
        w += ly->nw, b += ly->nb;
        net->nstate += ly->kind == DS__L_BATCHNORM ? ly->nb : 0;
    }
    m->nweights = w, m->nparams = w + b;
    for (int l = 1; l <= L; l++) {
        ds__layer *ly = &net->layers[l - 1];
        ly->boff = w;
        w += ly->nb;
        m->woff[l] = ly->woff, m->boff[l] = ly->boff;
    }
    net->state = calloc(net->nstate + 1, sizeof *net->state);
    net->chan = calloc(net->nstate + 1, sizeof *net->chan);
    if (!net->state || !net->chan) return ds__nomem("batch norm statistics", net->nstate * 12);
    return DS_OK;
}

size_t ds__net_params(const ds__net *net)
{
    size_t n = 0;
    for (int i = 0; i < net->n; i++)
        n += net->layers[i].nw + net->layers[i].nb;
    return n;
}

/* Batch norm's gamma = 1, beta = 0, running mean 0 and variance 1 (torch's
 * reset_parameters and reset_running_stats). */
static void reset_norms(ds_model *m)
{
    ds__net *net = m->net;
    for (int i = 0; i < net->n; i++) {
        const ds__layer *ly = &net->layers[i];
        if (ly->kind != DS__L_BATCHNORM) continue;
        size_t c = ly->in[0];
        for (size_t j = 0; j < c; j++) {
            m->params[ly->boff + j] = 1.0f, m->params[ly->boff + c + j] = 0.0f;
            net->state[ly->soff + j] = 0.0f, net->state[ly->soff + c + j] = 1.0f;
        }
    }
    net->batches = 0;
}

void ds__net_init_params(ds_model *m, const ds_model_params *p)
{
    ds__net *net = m->net;
    ds_rng r = ds_rng_seed(p->seed);
    for (int i = 0; i < net->n && p->init != DS_INIT_ZEROS && p->init != DS_INIT_CONST; i++) {
        const ds__layer *ly = &net->layers[i];
        if (!ly->nw) continue;
        size_t kk = ly->kind == DS__L_CONV ? ly->k * ly->k : 1;
        int relu = i + 1 < net->n && net->layers[i + 1].kind == DS__L_ACT &&
                   net->layers[i + 1].act == DS_ACT_RELU;
        ds_init rule = p->init != DS_INIT_DEFAULT ? p->init : relu ? DS_INIT_HE : DS_INIT_XAVIER;
        ds__draw_weights(m->params + ly->woff, ly->nw, (double)(ly->nw / ly->units),
                         (double)(ly->units * kk), rule, &r);
        memset(m->params + ly->boff, 0, ly->nb * sizeof(float));
    }
    reset_norms(m);
}

/* Floats rounded up to whole 64-byte lines. */
static size_t lines(size_t floats)
{
    return (floats + 15) / 16 * 16;
}

/* Floats of workspace per row (outputs, aux, two gradient buffers of the
 * widest layer, the scratch of the widest conv as the backend asks:
 * compute.h's ds__compute_conv_work) and fixed (line rounding). */
static void ws_size(const ds__net *net, size_t *per_row, size_t *fixed, size_t *widest)
{
    size_t colmax = 0;
    *per_row = 2, *widest = flat(net->layers[0].in);
    for (int i = 0; i < net->n; i++) {
        ds__layer *ly = &net->layers[i];
        size_t o = flat(ly->out);
        int aux =
            ly->kind == DS__L_MAXPOOL || ly->kind == DS__L_DROPOUT || ly->kind == DS__L_BATCHNORM;
        ly->aux = aux ? o : 0;
        *per_row += o + ly->aux;
        *widest = o > *widest ? o : *widest;
        ds__conv cv = {.n = 1, .c = ly->in[0], .o = ly->units, .k = ly->k};
        cv.oh = ly->out[1], cv.ow = ly->out[2];
        size_t work = ly->kind == DS__L_CONV ? ds__compute_conv_work(&cv) : 0;
        colmax = work > colmax ? work : colmax;
    }
    *per_row += 2 * *widest + colmax;
    *fixed = 16 * (3 * (size_t)net->n + 5);
}

size_t ds__net_row_floats(const ds__net *net)
{
    size_t per_row, fixed, widest;
    ws_size(net, &per_row, &fixed, &widest);
    return per_row;
}

ds_status ds__net_reserve(ds_model *m, size_t max_rows)
{
    ds__net *net = m->net;
    size_t per_row, fixed, widest;
    ws_size(net, &per_row, &fixed, &widest);
    if (max_rows == 0 || max_rows > INT_MAX ||
        per_row > (SIZE_MAX / sizeof(float) - fixed) / max_rows)
        return ds__fail(DS_ERR_INVALID, "workspace of %zu rows (accepted: 1 to %d, within memory)",
                        max_rows, INT_MAX);
    size_t total = per_row * max_rows + fixed;
    if (ds__check_alloc((uint64_t)total * sizeof(float), "model workspace") != DS_OK)
        return DS_ERR_NOMEM;
    float *ws = aligned_alloc(64, lines(total) * sizeof(float));
    if (!ws) return ds__nomem("model workspace", total * sizeof(float));
    free(m->ws);
    m->ws = ws;
    m->max_rows = max_rows;
    for (int l = 1; l <= m->L; l++) {
        const ds__layer *ly = &net->layers[l - 1];
        m->act[l] = ws, ws += lines(max_rows * m->sizes[l]);
        net->aux[l] = ws, ws += lines(max_rows * ly->aux);
    }
    for (int k = 0; k < 2; k++)
        net->dbuf[k] = ws, ws += lines(max_rows * widest);
    m->rowloss = (double *)(void *)ws, ws += lines(2 * max_rows);
    net->col = ws;
    return DS_OK;
}

ds_status ds__net_forward(ds_model *m, const float *x, size_t c0, size_t r, int train)
{
    ds_status st = DS_OK;
    for (int l = 1; l <= m->L && st == DS_OK; l++)
        st = ds__layer_forward(m, l, l > 1 ? m->act[l - 1] : x, m->act[l], c0, r, train);
    return st;
}

ds_status ds__net_backward(ds_model *m, const float *x, size_t r, int acc)
{
    ds__net *net = m->net;
    float *dout = net->dbuf[0], *din = net->dbuf[1];
    ds_status st = DS_OK;
    memcpy(dout, m->act[m->L], r * m->sizes[m->L] * sizeof(float));
    for (int l = m->L; l >= 1 && st == DS_OK; l--) {
        st = ds__layer_backward(m, l, l > 1 ? m->act[l - 1] : x, m->act[l], dout,
                                l > 1 ? din : NULL, r, acc);
        float *t = dout;
        dout = din, din = t;
    }
    return st;
}

float *ds_model_state_data(ds_model *m)
{
    return m->net ? m->net->state : NULL;
}

size_t ds_model_state_count(const ds_model *m)
{
    return m->net ? m->net->nstate : 0;
}

uint64_t ds_model_passes(const ds_model *m)
{
    return m->net ? m->net->batches : 0;
}

void ds_model_set_passes(ds_model *m, uint64_t passes)
{
    if (m->net) m->net->batches = passes;
}

double ds_model_step_flops(const ds_model *m)
{
    double sum = 0.0;
    for (int l = 1; l <= m->L; l++) {
        const ds__layer *ly = m->net ? &m->net->layers[l - 1] : NULL;
        double mac = (double)m->sizes[l - 1] * (double)m->sizes[l];
        if (ly) mac = ly->nw ? (double)ly->nw * (double)(ly->out[1] * ly->out[2]) : 0.0;
        sum += (l == 1 ? 4.0 : 6.0) * mac;
    }
    return sum;
}
