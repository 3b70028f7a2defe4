/* model.c - the ds_model handle: parameter layout, workspace, accessors,
 * descriptions and threads. The maths lives in init.c (initial weights) and
 * backprop.c (forward, loss, backward). */
#include "core/internal.h"
#include "models/net.h"

#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ds_model_params ds_model_default_params(void)
{
    ds_model_params p = {.act = DS_ACT_RELU,
                         .loss = DS_LOSS_AUTO,
                         .l2 = 0.0,
                         .init = DS_INIT_DEFAULT,
                         .init_value = 0.0,
                         .seed = 0,
                         .precision = DS_PRECISION_FP32};
    return p;
}

int ds__layer_act(const ds_model *m, int l)
{
    if (l < m->L) return (int)m->p.act;
    return m->neuron ? DS_ACT_SIGMOID : DS__ACT_IDENTITY;
}

/* 64-byte aligned zeroed floats (cache lines, AVX-512 loads). */
static float *alloc_floats(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

/* Weights and biases of the layers sizes[0..L], rejecting counts that
 * overflow (room is left for rounding the buffers up to whole lines). */
static ds_status count(const size_t *sizes, int L, const char *spec, size_t *w, size_t *b)
{
    *w = *b = 0;
    for (int l = 1; l <= L; l++) {
        size_t in = sizes[l - 1], out = sizes[l];
        if (out > SIZE_MAX / in || *w > SIZE_MAX - out * in || *b > SIZE_MAX - out)
            return ds__fail(DS_ERR_INVALID, "model '%s': parameter count overflows", spec);
        *w += out * in;
        *b += out;
    }
    if (*w > SIZE_MAX / sizeof(float) - *b - 64)
        return ds__fail(DS_ERR_INVALID, "model '%s': parameter count overflows", spec);
    return DS_OK;
}

/* Offsets of [W1 .. WL | b1 .. bL]. */
static ds_status layout(ds_model *m, const char *spec)
{
    size_t w, b;
    ds_status s = count(m->sizes, m->L, spec, &w, &b);
    if (s != DS_OK) return s;
    size_t wo = 0, bo = w;
    for (int l = 1; l <= m->L; l++) {
        m->woff[l] = wo;
        m->boff[l] = bo;
        wo += m->sizes[l] * m->sizes[l - 1];
        bo += m->sizes[l];
    }
    m->nweights = w;
    m->nparams = w + b;
    return DS_OK;
}

static ds_status check_params(const ds_model_params *p, int neuron, size_t outputs)
{
    if ((unsigned)p->act >= DS_ACT_COUNT)
        return ds__fail(DS_ERR_INVALID, "activation %d out of range", (int)p->act);
    if ((unsigned)p->precision >= DS_PRECISION_COUNT)
        return ds__fail(DS_ERR_INVALID, "precision %d out of range", (int)p->precision);
    if ((unsigned)p->loss >= DS_LOSS_COUNT)
        return ds__fail(DS_ERR_INVALID, "loss %d out of range", (int)p->loss);
    if (!(p->l2 >= 0.0 && isfinite(p->l2)))
        return ds__fail(DS_ERR_INVALID, "l2 must be a finite number >= 0 (got %g)", p->l2);
    if (p->loss == DS_LOSS_XENT && outputs < 2)
        return ds__fail(DS_ERR_INVALID,
                        "loss 'xent' needs at least 2 outputs; the %s has %zu "
                        "(use sse or mse)",
                        neuron ? "neuron" : "model", outputs);
    return DS_OK;
}

/* Sizes and offsets of an mlp or the neuron (outputs: for an auto last size). */
static ds_status mlp_layout(ds_model *m, const char *spec, size_t inputs, size_t outputs)
{
    ds_status st = ds__model_parse_spec(spec, inputs, outputs, &m->sizes, &m->L, &m->neuron);
    if (st != DS_OK) return st;
    m->L -= 1; /* sizes has L + 1 entries */
    m->woff = calloc((size_t)m->L + 1, sizeof *m->woff);
    m->boff = calloc((size_t)m->L + 1, sizeof *m->boff);
    m->act = calloc((size_t)m->L + 1, sizeof *m->act);
    if (!m->woff || !m->boff || !m->act) return ds__nomem("model layers", 3 * (size_t)m->L * 8);
    return layout(m, spec);
}

/* Allocates everything but the workspace. */
static ds_status build(ds_model *m, const char *spec, size_t inputs, size_t outputs,
                       const ds_model_params *p)
{
    ds_status st;
    if (!spec) return ds__fail(DS_ERR_INVALID, "model spec is NULL");
    if (ds__net_parse(spec, inputs, &m->net, &st)) {
        if (st == DS_OK) st = ds__net_layout(m);
    } else {
        st = mlp_layout(m, spec, inputs, outputs);
    }
    if (st != DS_OK) return st;
    m->p = p ? *p : ds_model_default_params();
    if (m->p.loss == DS_LOSS_AUTO) m->p.loss = m->neuron ? DS_LOSS_SSE : DS_LOSS_XENT;
    if ((st = check_params(&m->p, m->neuron, m->sizes[m->L])) != DS_OK) return st;
    ds__precision prec = m->p.precision == DS_PRECISION_BF16 ? DS__PREC_BF16 : DS__PREC_FP32;
    if ((st = ds__compute_set_precision(m->cx, prec)) != DS_OK) return st;
    char what[1100]; /* a spec longer than the message shows is cut */
    snprintf(what, sizeof what, "model '%.1024s' (%zu parameters and their gradients)", spec,
             m->nparams);
    if ((st = ds__check_alloc(2 * (uint64_t)m->nparams * sizeof(float), what)) != DS_OK) return st;
    m->params = alloc_floats(m->nparams);
    m->grads = alloc_floats(m->nparams);
    m->nl2blocks = (m->nweights + DS__L2_BLOCK - 1) / DS__L2_BLOCK;
    m->l2part = calloc(m->nl2blocks + 1, sizeof *m->l2part);
    if (!m->params || !m->grads || !m->l2part)
        return ds__nomem("model parameters", 2 * m->nparams * sizeof(float));
    return ds__model_init_params(m, &m->p);
}

ds_model *ds_model_init(const char *spec, size_t inputs, const ds_model_params *p)
{
    return ds_model_init_data(spec, inputs, 0, p);
}

ds_model *ds_model_init_data(const char *spec, size_t inputs, size_t outputs,
                             const ds_model_params *p)
{
    ds_model *m = calloc(1, sizeof *m);
    if (!m) {
        ds__nomem("model", sizeof *m);
        return NULL;
    }
    m->threads = omp_get_max_threads();
    m->cx = ds__compute_new(m->threads);
    if (!m->cx || build(m, spec, inputs, outputs, p) != DS_OK ||
        ds_model_reserve(m, DS_MODEL_DEFAULT_BATCH) != DS_OK) {
        ds_model_free(m);
        return NULL;
    }
    return m;
}

void ds_model_free(ds_model *m)
{
    if (!m) return;
    free(m->sizes);
    free(m->woff);
    free(m->boff);
    free(m->act);
    free(m->params);
    free(m->grads);
    free(m->l2part);
    free(m->ws);
    ds__net_free(m->net);
    ds__compute_free(m->cx);
    free(m);
}

/* Floats rounded up to whole 64-byte lines, so every buffer stays aligned. */
static size_t lines(size_t floats)
{
    return (floats + 15) / 16 * 16;
}

/* Floats of an mlp's workspace per row: every A[l], the delta buffer of the
 * widest hidden layer, a double row loss; *widest gets that width. */
static size_t mlp_row_floats(const ds_model *m, size_t *widest)
{
    size_t per_row = 2;
    *widest = 0;
    for (int l = 1; l <= m->L; l++) {
        per_row += m->sizes[l];
        if (l < m->L && m->sizes[l] > *widest) *widest = m->sizes[l];
    }
    return per_row + *widest;
}

size_t ds_model_row_bytes(const ds_model *m)
{
    size_t widest;
    return (m->net ? ds__net_row_floats(m->net) : mlp_row_floats(m, &widest)) * sizeof(float);
}

ds_status ds_model_reserve(ds_model *m, size_t max_rows)
{
    if (m->net) return ds__net_reserve(m, max_rows);
    size_t widest, per_row = mlp_row_floats(m, &widest);
    size_t slack = 16 * ((size_t)m->L + 2);
    if (max_rows == 0 || max_rows > INT_MAX ||
        per_row > (SIZE_MAX / sizeof(float) - slack) / max_rows)
        return ds__fail(DS_ERR_INVALID, "workspace of %zu rows (accepted: 1 to %d, within memory)",
                        max_rows, INT_MAX);
    float *ws = alloc_floats(per_row * max_rows + slack);
    if (!ws) return ds__nomem("model workspace", (per_row * max_rows + slack) * sizeof(float));
    free(m->ws);
    m->ws = ws;
    m->max_rows = max_rows;
    for (int l = 1; l <= m->L; l++) {
        m->act[l] = ws;
        ws += lines(max_rows * m->sizes[l]);
    }
    m->delta = ws;
    ws += lines(max_rows * widest);
    m->rowloss = (double *)(void *)ws;
    return DS_OK;
}

size_t ds_model_reserved(const ds_model *m)
{
    return m->max_rows;
}

void ds_model_set_threads(ds_model *m, int threads)
{
    m->threads = threads > 0 ? threads : omp_get_num_procs();
    ds__compute_set_threads(m->cx, m->threads);
}

int ds_model_threads(const ds_model *m)
{
    return m->threads;
}

const char *ds_backend_name(void)
{
    return ds__compute_backend();
}

int ds_backend_describe(const ds_model *m, char *buf, size_t size)
{
    return ds__compute_describe(m ? m->cx : NULL, buf, size);
}

double ds_model_product_seconds(const ds_model *m, double *flops)
{
    ds__compute_clock clk = ds__compute_products(m->cx);
    if (flops) *flops = clk.flops;
    return clk.seconds;
}

const ds_model_params *ds_model_get_params(const ds_model *m)
{
    return &m->p;
}

ds_status ds_model_set_l2(ds_model *m, double lambda)
{
    if (!(lambda >= 0.0 && isfinite(lambda)))
        return ds__fail(DS_ERR_INVALID, "l2 must be a finite number >= 0 (got %g)", lambda);
    m->p.l2 = lambda;
    return DS_OK;
}

int ds_model_layer_count(const ds_model *m)
{
    return m->L;
}

size_t ds_model_size(const ds_model *m, int l)
{
    return l >= 0 && l <= m->L ? m->sizes[l] : 0;
}

size_t ds_model_inputs(const ds_model *m)
{
    return m->sizes[0];
}

size_t ds_model_outputs(const ds_model *m)
{
    return m->sizes[m->L];
}

int ds_model_is_neuron(const ds_model *m)
{
    return m->neuron;
}

float *ds_model_param_data(ds_model *m)
{
    return m->params;
}

float *ds_model_grad_data(ds_model *m)
{
    return m->grads;
}

size_t ds_model_param_count(const ds_model *m)
{
    return m->nparams;
}

size_t ds_model_weight_count(const ds_model *m)
{
    return m->nweights;
}

float *ds_model_weight(ds_model *m, int l)
{
    return l >= 1 && l <= m->L ? m->params + m->woff[l] : NULL;
}

float *ds_model_bias(ds_model *m, int l)
{
    return l >= 1 && l <= m->L ? m->params + m->boff[l] : NULL;
}

float *ds_model_weight_grad(ds_model *m, int l)
{
    return l >= 1 && l <= m->L ? m->grads + m->woff[l] : NULL;
}

float *ds_model_bias_grad(ds_model *m, int l)
{
    return l >= 1 && l <= m->L ? m->grads + m->boff[l] : NULL;
}

void ds_model_param_groups(ds_model *m, ds_param_group out[DS_MODEL_GROUPS])
{
    out[0] = (ds_param_group){.x = m->params, .g = m->grads, .n = m->nweights, .params = NULL};
    out[1] = (ds_param_group){.x = m->params + m->nweights,
                              .g = m->grads + m->nweights,
                              .n = m->nparams - m->nweights,
                              .params = NULL};
}

/* snprintf at offset len of buf (nothing written once the text is past
 * size); returns the new length, as snprintf counts it. */
static int appendf(char *buf, size_t size, int len, const char *fmt, ...) DS__PRINTF(4, 5);
static int appendf(char *buf, size_t size, int len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t used = (size_t)len;
    int n = used < size ? vsnprintf(buf + used, size - used, fmt, ap) : vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    return len + n;
}

/* "mlp:784-256-10 act=relu loss=xent" / "neuron:2 loss=sse": the activation
 * only where hidden layers use it. */
int ds_model_describe(const ds_model *m, char *buf, size_t size)
{
    if (size) buf[0] = '\0';
    if (m->net) {
        int n = ds__net_describe(m->net, buf, size);
        return appendf(buf, size, n, " loss=%s", ds_loss_name(m->p.loss));
    }
    int len = appendf(buf, size, 0, "%s:", m->neuron ? "neuron" : "mlp");
    for (int l = 0; l <= m->L - m->neuron; l++)
        len = appendf(buf, size, len, "%s%zu", l ? "-" : "", m->sizes[l]);
    if (m->L > 1) len = appendf(buf, size, len, " act=%s", ds_act_name(m->p.act));
    len = appendf(buf, size, len, " loss=%s", ds_loss_name(m->p.loss));
    if (m->p.precision == DS_PRECISION_FP32) return len;
    return appendf(buf, size, len, " precision=%s", ds_precision_name(m->p.precision));
}

/* The spec part of a description (the words before the first space). */
static ds_status spec_of(const char *desc, char spec[1024])
{
    size_t len = desc ? strcspn(desc, " ") : 0;
    if (!desc || len >= 1024)
        return ds__fail(DS_ERR_PARSE, "model description is missing or too long");
    memcpy(spec, desc, len);
    spec[len] = '\0';
    return DS_OK;
}

ds_model *ds_model_init_desc(const char *desc, const ds_model_params *p)
{
    char spec[1024];
    if (spec_of(desc, spec) != DS_OK) return NULL;
    ds_model_params q = p ? *p : ds_model_default_params();
    if (ds__model_parse_desc_keys(desc + strlen(spec), &q) != DS_OK) return NULL;
    return ds_model_init(spec, 0, &q);
}

ds_model *ds__model_clone(const ds_model *m, size_t max_rows, int threads)
{
    int len = ds_model_describe(m, NULL, 0);
    char *desc = malloc((size_t)len + 1);
    if (!desc) {
        ds__nomem("model description", (size_t)len + 1);
        return NULL;
    }
    ds_model_describe(m, desc, (size_t)len + 1);
    ds_model_params p = m->p;
    p.init = DS_INIT_ZEROS; /* overwritten below */
    ds_model *c = ds_model_init_desc(desc, &p);
    free(desc);
    if (!c) return NULL;
    memcpy(c->params, m->params, m->nparams * sizeof(float));
    if (m->net) {
        memcpy(c->net->state, m->net->state, m->net->nstate * sizeof(float));
        c->net->batches = m->net->batches;
    }
    ds_model_set_threads(c, threads);
    if (ds_model_reserve(c, max_rows) != DS_OK) {
        ds_model_free(c);
        return NULL;
    }
    return c;
}

ds_status ds_model_desc_params(const char *desc, size_t *n)
{
    char spec[1024];
    size_t *sizes = NULL, w = 0, b = 0;
    int nsizes = 0, neuron = 0;
    *n = 0;
    ds__net *net = NULL;
    ds_status s = spec_of(desc, spec);
    if (s == DS_OK && ds__net_parse(spec, 0, &net, &s)) {
        if (s == DS_OK) *n = ds__net_params(net);
        ds__net_free(net);
        return s;
    }
    if (s == DS_OK) s = ds__model_parse_spec(spec, 0, 0, &sizes, &nsizes, &neuron);
    if (s == DS_OK) s = count(sizes, nsizes - 1, spec, &w, &b);
    free(sizes);
    if (s == DS_OK) *n = w + b;
    return s;
}
