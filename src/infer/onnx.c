/* onnx.c - a loaded model as an ONNX file (descent/infer.h), written in
 * protobuf's wire format by the few lines below instead of a protobuf
 * library: the file is one ModelProto (onnx/onnx.proto, IR version 7,
 * opset 13) whose graph is, per layer l,
 *     z_l = Gemm(a_{l-1}, W_l, b_l, transB=1)     W_l stored [out, in]
 *     a_l = Relu | Sigmoid | Tanh (z_l)           the layer's activation
 * with the last layer's activation the model's (none for an mlp, the
 * sigmoid for the neuron), then an optional Softmax over the classes;
 * a recorded preprocessing comes first (input_nodes). A layer network
 * (net.h) is one node per layer instead (net_layers): Conv, BatchNormalization
 * (running statistics), MaxPool, AveragePool, Relu, Sigmoid, Tanh, Gemm,
 * none for dropout, with Flatten or Reshape where the next layer wants rows
 * or an image. The graph's input "input" is [N, inputs], or [N, C, H, W]
 * for a network on images, with a symbolic batch size N; its output
 * "output" [N, outputs]; the weights are initializers in raw little-endian
 * float32.
 *
 * Wire format (https://protobuf.dev/programming-guides/encoding/): a field
 * is a varint key (number << 3 | wire type) then a varint (type 0), four
 * little-endian bytes (type 5) or a varint length and the bytes (type 2:
 * strings, bytes and nested messages). A nested message is built in its
 * own buffer and appended with its length. */
#include "descent/afile.h"
#include "descent/infer.h"
#include "descent/prep.h"

#include "core/internal.h"
#include "infer/infer_internal.h"
#include "models/model_internal.h"
#include "models/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb {
    unsigned char *p;
    size_t n, cap;
    int failed;
} pb;

static void pb_raw(pb *b, const void *data, size_t len)
{
    if (b->failed) return;
    if (b->cap - b->n < len) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < len && cap < SIZE_MAX / 2)
            cap *= 2;
        unsigned char *np = cap - b->n >= len ? realloc(b->p, cap) : NULL;
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np, b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void pb_varint(pb *b, uint64_t v)
{
    unsigned char c[10];
    size_t n = 0;
    do {
        c[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_raw(b, c, n);
}

static void pb_int(pb *b, int field, int64_t v)
{
    pb_varint(b, (uint64_t)field << 3);
    pb_varint(b, (uint64_t)v);
}

static void pb_bytes(pb *b, int field, const void *data, size_t len)
{
    pb_varint(b, (uint64_t)field << 3 | 2);
    pb_varint(b, len);
    pb_raw(b, data, len);
}

static void pb_str(pb *b, int field, const char *s)
{
    pb_bytes(b, field, s, strlen(s));
}

/* Appends `inner` as message field `field` and frees it. */
static void pb_msg(pb *b, int field, pb *inner)
{
    if (inner->failed) b->failed = 1;
    pb_bytes(b, field, inner->p, inner->n);
    free(inner->p);
    *inner = (pb){0};
}

/* ValueInfoProto of a float tensor [N, dims...]. */
static void value_info(pb *g, int field, const char *name, const size_t *dims, int ndims)
{
    pb dim_n = {0}, shape = {0}, tensor = {0}, type = {0}, vi = {0};
    pb_str(&dim_n, 2, "N"); /* Dimension.dim_param */
    pb_msg(&shape, 1, &dim_n);
    for (int i = 0; i < ndims; i++) {
        pb dim = {0};
        pb_int(&dim, 1, (int64_t)dims[i]); /* Dimension.dim_value */
        pb_msg(&shape, 1, &dim);
    }
    pb_int(&tensor, 1, 1); /* elem_type FLOAT */
    pb_msg(&tensor, 2, &shape);
    pb_msg(&type, 1, &tensor); /* TypeProto.tensor_type */
    pb_str(&vi, 1, name);
    pb_msg(&vi, 2, &type);
    pb_msg(g, field, &vi);
}

/* TensorProto initializer of the given dims and data type (1 FLOAT,
 * 7 INT64), raw little-endian data of `size`-byte elements. */
static void tensor(pb *g, const char *name, const void *data, size_t size, int type,
                   const int64_t *dims, int ndims)
{
    pb t = {0};
    size_t n = 1;
    for (int i = 0; i < ndims; i++) {
        pb_int(&t, 1, dims[i]);
        n *= (size_t)dims[i];
    }
    pb_int(&t, 2, type);
    pb_str(&t, 8, name);
    pb_bytes(&t, 9, data, n * size); /* little-endian hosts only (stream.h) */
    pb_msg(g, 5, &t);
}

static void initializer(pb *g, const char *name, const float *data, const int64_t *dims, int ndims)
{
    tensor(g, name, data, sizeof(float), 1, dims, ndims);
}

/* NodeProto's inputs, output (also its name) and op; the caller adds
 * attributes (attr_*) and appends it to the graph with pb_msg(g, 1, nd). */
static void node_begin(pb *nd, const char *op, const char *const *in, int nin, const char *out)
{
    for (int i = 0; i < nin; i++)
        pb_str(nd, 1, in[i]);
    pb_str(nd, 2, out);
    pb_str(nd, 3, out); /* node name: its output's */
    pb_str(nd, 4, op);
}

/* AttributeProto INT (type 2) or INTS (type 7): n values. */
static void attr_ints(pb *nd, const char *name, const int64_t *v, int n, int type)
{
    pb a = {0};
    pb_str(&a, 1, name);
    pb_int(&a, 20, type);
    for (int i = 0; i < n; i++)
        pb_int(&a, type == 2 ? 3 : 8, v[i]);
    pb_msg(nd, 5, &a);
}

/* AttributeProto FLOAT (type 1): field 2, four little-endian bytes. */
static void attr_float(pb *nd, const char *name, float f)
{
    pb a = {0};
    pb_str(&a, 1, name);
    pb_int(&a, 20, 1);
    pb_varint(&a, 2 << 3 | 5);
    pb_raw(&a, &f, sizeof f);
    pb_msg(nd, 5, &a);
}

/* A node without attributes but Gemm's transB. */
static void node(pb *g, const char *op, const char *const *in, int nin, const char *out, int transb)
{
    pb nd = {0};
    node_begin(&nd, op, in, nin, out);
    if (transb) attr_ints(&nd, "transB", (const int64_t[]){1}, 1, 2);
    pb_msg(g, 1, &nd);
}

/* The model's input transform (descent/prep.h) as the graph's first
 * nodes, in prep's own order and float arithmetic, so the bits agree:
 *     filled = Where(IsNaN(input), fill, input)
 *     scaled = Mul(Sub(filled, offset), scale)
 * Returns the name of the tensor the first layer reads. */
static const char *input_nodes(pb *g, const ds_infer *inf, const size_t *dims, int ndims)
{
    const ds_prep *p = ds_infer_prep(inf);
    if (!p || ds_prep_inputs(p) == 0) return "input";
    int64_t d[3];
    for (int i = 0; i < ndims; i++)
        d[i] = (int64_t)dims[i];
    initializer(g, "prep_fill", ds_prep_fill(p), d, ndims);
    initializer(g, "prep_offset", ds_prep_offset(p), d, ndims);
    initializer(g, "prep_scale", ds_prep_scale(p), d, ndims);
    node(g, "IsNaN", (const char *const[]){"input"}, 1, "input_nan", 0);
    node(g, "Where", (const char *const[]){"input_nan", "prep_fill", "input"}, 3, "input_filled",
         0);
    node(g, "Sub", (const char *const[]){"input_filled", "prep_offset"}, 2, "input_centered", 0);
    node(g, "Mul", (const char *const[]){"input_centered", "prep_scale"}, 2, "input_scaled", 0);
    return "input_scaled";
}

static const char *act_op(int kind)
{
    switch (kind) {
    case DS_ACT_RELU:
        return "Relu";
    case DS_ACT_SIGMOID:
        return "Sigmoid";
    case DS_ACT_TANH:
        return "Tanh";
    default:
        return NULL;
    }
}

/* Gemm of layer l reading `in`: weights W<l> [units, fin], biases b<l>. */
static void gemm(pb *g, int l, const char *in, const char *out, const float *w, const float *b,
                 size_t units, size_t fin)
{
    char wn[32], bn[32];
    snprintf(wn, sizeof wn, "W%d", l), snprintf(bn, sizeof bn, "b%d", l);
    int64_t wd[2] = {(int64_t)units, (int64_t)fin}, bd[1] = {wd[0]};
    initializer(g, wn, w, wd, 2);
    initializer(g, bn, b, bd, 1);
    node(g, "Gemm", (const char *const[]){in, wn, bn}, 3, out, 1);
}

/* Gemm and activation of layer l of an mlp, reading `in`; its output's
 * name in out. */
static void layer(pb *g, const ds_model *m, int l, const char *in, char out[32])
{
    char z[32];
    snprintf(z, sizeof z, "z%d", l);
    gemm(g, l, in, z, m->params + m->woff[l], m->params + m->boff[l], m->sizes[l], m->sizes[l - 1]);
    const char *op = act_op(ds__layer_act(m, l));
    snprintf(out, 32, "%s", z);
    if (!op) return;
    snprintf(out, 32, "a%d", l);
    node(g, op, (const char *const[]){z}, 1, out, 0);
}

/* The tensor the next node of a layer network reads: its name, and
 * whether it is an image [N, C, H, W] (else rows [N, features]). */
typedef struct cursor {
    char name[32];
    int image;
} cursor;

/* Brings the cursor to the rank the next layer takes: Flatten (axis 1:
 * NCHW order, descent's row layout) from an image to rows, Reshape to
 * [N, C, 1, 1] from rows (C = features) to an image. */
static void to_rank(pb *g, cursor *c, int l, size_t channels, int image)
{
    char out[32], shape[40];
    if (c->image == image) return;
    snprintf(out, sizeof out, "%s%d", image ? "image" : "flat", l);
    if (image) {
        int64_t v[4] = {-1, (int64_t)channels, 1, 1}, d[1] = {4};
        snprintf(shape, sizeof shape, "%s_shape", out);
        tensor(g, shape, v, sizeof v[0], 7, d, 1);
        node(g, "Reshape", (const char *const[]){c->name, shape}, 2, out, 0);
    } else {
        node(g, "Flatten", (const char *const[]){c->name}, 1, out, 0);
    }
    snprintf(c->name, sizeof c->name, "%s", out);
    c->image = image;
}

/* Conv (weights O x C x K x K as stored, zero padding on every side) or
 * MaxPool / AveragePool (no padding: descent's windows lie inside the
 * input, so the mean is over k x k values as ONNX's). */
static void window_node(pb *g, const ds_model *m, int l, const ds__layer *ly, const char *in,
                        const char *out)
{
    char w[32], b[32];
    pb nd = {0};
    int64_t k = (int64_t)ly->k, s = (int64_t)ly->stride, p = (int64_t)ly->pad;
    if (ly->kind == DS__L_CONV) {
        snprintf(w, sizeof w, "W%d", l), snprintf(b, sizeof b, "b%d", l);
        int64_t wd[4] = {(int64_t)ly->units, (int64_t)ly->in[0], k, k}, bd[1] = {wd[0]};
        initializer(g, w, m->params + ly->woff, wd, 4);
        initializer(g, b, m->params + ly->boff, bd, 1);
        node_begin(&nd, "Conv", (const char *const[]){in, w, b}, 3, out);
        attr_ints(&nd, "pads", (const int64_t[]){p, p, p, p}, 4, 7);
    } else {
        node_begin(&nd, ly->kind == DS__L_MAXPOOL ? "MaxPool" : "AveragePool",
                   (const char *const[]){in}, 1, out);
    }
    attr_ints(&nd, "kernel_shape", (const int64_t[]){k, k}, 2, 7);
    attr_ints(&nd, "strides", (const int64_t[]){s, s}, 2, 7);
    pb_msg(g, 1, &nd);
}

/* BatchNormalization in evaluation: gamma, beta, the running mean and
 * variance, descent's epsilon. */
static void batchnorm_node(pb *g, const ds_model *m, int l, const ds__layer *ly, const char *in,
                           const char *out)
{
    static const char *const parts[4] = {"scale", "bias", "mean", "var"};
    char names[4][32];
    int64_t d[1] = {(int64_t)ly->in[0]};
    const float *data[4] = {m->params + ly->boff, m->params + ly->boff + ly->in[0],
                            m->net->state + ly->soff, m->net->state + ly->soff + ly->in[0]};
    for (int i = 0; i < 4; i++) {
        snprintf(names[i], sizeof names[i], "bn%d_%s", l, parts[i]);
        initializer(g, names[i], data[i], d, 1);
    }
    pb nd = {0};
    node_begin(&nd, "BatchNormalization",
               (const char *const[]){in, names[0], names[1], names[2], names[3]}, 5, out);
    attr_float(&nd, "epsilon", (float)DS__BN_EPS);
    pb_msg(g, 1, &nd);
}

/* The nodes of a layer network from the cursor on; dropout is the
 * identity in inference and has none. Ends on rows. */
static void net_layers(pb *g, const ds_model *m, cursor *c)
{
    static const char *const names[] = {"dense", "conv",    "maxpool",  "avgpool",
                                        "",      "dropout", "batchnorm"};
    for (int l = 1; l <= m->net->n; l++) {
        const ds__layer *ly = &m->net->layers[l - 1];
        char out[32];
        snprintf(out, sizeof out, "%s%d",
                 ly->kind == DS__L_ACT ? ds_act_name(ly->act) : names[ly->kind], l);
        if (ly->kind == DS__L_DENSE || ly->kind == DS__L_CONV || ly->kind == DS__L_MAXPOOL ||
            ly->kind == DS__L_AVGPOOL)
            to_rank(g, c, l, ly->in[0], ly->kind != DS__L_DENSE);
        if (ly->kind == DS__L_DROPOUT) continue;
        if (ly->kind == DS__L_DENSE)
            gemm(g, l, c->name, out, m->params + ly->woff, m->params + ly->boff, ly->units,
                 ly->nw / ly->units);
        else if (ly->kind == DS__L_BATCHNORM)
            batchnorm_node(g, m, l, ly, c->name, out);
        else if (ly->kind == DS__L_ACT)
            node(g, act_op(ly->act), (const char *const[]){c->name}, 1, out, 0);
        else
            window_node(g, m, l, ly, c->name, out);
        snprintf(c->name, sizeof c->name, "%s", out);
    }
    to_rank(g, c, m->net->n + 1, 0, 0);
}

static void graph(pb *g, const ds_infer *inf, const ds_model *m, int softmax)
{
    size_t dims[3] = {m->sizes[0], 1, 1};
    int nd = 1;
    if (m->net && m->net->layers[0].in[1] * m->net->layers[0].in[2] > 1)
        memcpy(dims, m->net->layers[0].in, sizeof dims), nd = 3;
    cursor c = {.image = nd == 3};
    snprintf(c.name, sizeof c.name, "%s", input_nodes(g, inf, dims, nd));
    for (int l = 1; !m->net && l <= m->L; l++) {
        char last[32];
        layer(g, m, l, c.name, last);
        snprintf(c.name, sizeof c.name, "%s", last);
    }
    if (m->net) net_layers(g, m, &c);
    /* the output under its own name: Softmax, or Identity */
    node(g, softmax ? "Softmax" : "Identity", (const char *const[]){c.name}, 1, "output", 0);
    pb_str(g, 2, "descent");
    value_info(g, 11, "input", dims, nd);
    value_info(g, 12, "output", &m->sizes[m->L], 1);
}

ds_onnx_params ds_onnx_default_params(void)
{
    return (ds_onnx_params){.softmax = 0};
}

ds_status ds_infer_export_onnx(const ds_infer *inf, const ds_onnx_params *p, const char *path)
{
    ds_onnx_params dflt = ds_onnx_default_params();
    if (!inf || !path) return ds__fail(DS_ERR_INVALID, "ds_infer_export_onnx: NULL argument");
    if (!p) p = &dflt;
    if (p->softmax && !ds_infer_classes(inf))
        return ds__fail(DS_ERR_INVALID,
                        "ONNX export: softmax is for classifiers; model '%s' is "
                        "not one (its loss is not xent)",
                        ds_infer_describe(inf));
    pb model = {0}, g = {0}, opset = {0};
    pb_int(&model, 1, 7); /* ir_version 7: opset 13's */
    pb_str(&model, 2, "descent");
    graph(&g, inf, ds__infer_model(inf), p->softmax);
    pb_msg(&model, 7, &g);
    pb_str(&opset, 1, "");
    pb_int(&opset, 2, 13);
    pb_msg(&model, 8, &opset);
    ds_status s = model.failed ? ds__nomem("ONNX model", model.cap * 2)
                               : ds_write_file_atomic(path, model.p, model.n);
    free(model.p);
    return s;
}
