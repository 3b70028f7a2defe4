/* onnx.c - a loaded model as an ONNX file (descent/infer.h), written in
 * protobuf's wire format by the few lines below instead of a protobuf
 * library: the file is one ModelProto (onnx/onnx.proto, IR version 7,
 * opset 13) whose graph is, per layer l,
 *     z_l = Gemm(a_{l-1}, W_l, b_l, transB=1)     W_l stored [out, in]
 *     a_l = Relu | Sigmoid | Tanh (z_l)           the layer's activation
 * with the last layer's activation the model's (none for an mlp, the
 * sigmoid for the neuron), then an optional Softmax over the classes;
 * a recorded preprocessing comes first (input_nodes). The
 * graph's input "input" is [N, inputs] with a symbolic batch size N, its
 * output "output" [N, outputs]; the weights are initializers in raw
 * little-endian float32.
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

/* ValueInfoProto of a float tensor [N, width]. */
static void value_info(pb *g, int field, const char *name, size_t width)
{
    pb dim_n = {0}, dim_w = {0}, shape = {0}, tensor = {0}, type = {0}, vi = {0};
    pb_str(&dim_n, 2, "N");            /* Dimension.dim_param */
    pb_int(&dim_w, 1, (int64_t)width); /* Dimension.dim_value */
    pb_msg(&shape, 1, &dim_n);
    pb_msg(&shape, 1, &dim_w);
    pb_int(&tensor, 1, 1); /* elem_type FLOAT */
    pb_msg(&tensor, 2, &shape);
    pb_msg(&type, 1, &tensor); /* TypeProto.tensor_type */
    pb_str(&vi, 1, name);
    pb_msg(&vi, 2, &type);
    pb_msg(g, field, &vi);
}

/* TensorProto initializer: float32 of the given dims, raw data. */
static void initializer(pb *g, const char *name, const float *data, const int64_t *dims, int ndims)
{
    pb t = {0};
    size_t n = 1;
    for (int i = 0; i < ndims; i++) {
        pb_int(&t, 1, dims[i]);
        n *= (size_t)dims[i];
    }
    pb_int(&t, 2, 1); /* FLOAT */
    pb_str(&t, 8, name);
    pb_bytes(&t, 9, data, n * sizeof(float)); /* little-endian hosts only (stream.h) */
    pb_msg(g, 5, &t);
}

/* NodeProto with up to three inputs; transB: Gemm's attribute. */
static void node(pb *g, const char *op, const char *const *in, int nin, const char *out, int transb)
{
    pb nd = {0};
    for (int i = 0; i < nin; i++)
        pb_str(&nd, 1, in[i]);
    pb_str(&nd, 2, out);
    pb_str(&nd, 3, out); /* node name: its output's */
    pb_str(&nd, 4, op);
    if (transb) {
        pb a = {0};
        pb_str(&a, 1, "transB");
        pb_int(&a, 20, 2); /* AttributeType INT */
        pb_int(&a, 3, 1);
        pb_msg(&nd, 5, &a);
    }
    pb_msg(g, 1, &nd);
}

/* The model's input transform (descent/prep.h) as the graph's first
 * nodes, in prep's own order and float arithmetic, so the bits agree:
 *     filled = Where(IsNaN(input), fill, input)
 *     scaled = Mul(Sub(filled, offset), scale)
 * Returns the name of the tensor the first layer reads. */
static const char *input_nodes(pb *g, const ds_infer *inf)
{
    const ds_prep *p = ds_infer_prep(inf);
    if (!p || ds_prep_inputs(p) == 0) return "input";
    int64_t d[1] = {(int64_t)ds_prep_inputs(p)};
    initializer(g, "prep_fill", ds_prep_fill(p), d, 1);
    initializer(g, "prep_offset", ds_prep_offset(p), d, 1);
    initializer(g, "prep_scale", ds_prep_scale(p), d, 1);
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

/* Gemm and activation of layer l, reading `in`; its output name in out. */
static void layer(pb *g, const ds_model *m, int l, const char *in, char out[32])
{
    char w[32], b[32], z[32];
    snprintf(w, sizeof w, "W%d", l), snprintf(b, sizeof b, "b%d", l);
    snprintf(z, sizeof z, "z%d", l);
    int64_t wd[2] = {(int64_t)m->sizes[l], (int64_t)m->sizes[l - 1]}, bd[1] = {wd[0]};
    initializer(g, w, m->params + m->woff[l], wd, 2);
    initializer(g, b, m->params + m->boff[l], bd, 1);
    const char *const gin[3] = {in, w, b};
    node(g, "Gemm", gin, 3, z, 1);
    const char *op = act_op(ds__layer_act(m, l));
    snprintf(out, 32, "%s", z);
    if (!op) return;
    snprintf(out, 32, "a%d", l);
    node(g, op, (const char *const[]){z}, 1, out, 0);
}

static void graph(pb *g, const ds_infer *inf, const ds_model *m, int softmax)
{
    char cur[32], last[32];
    snprintf(cur, sizeof cur, "%s", input_nodes(g, inf));
    for (int l = 1; l <= m->L; l++) {
        layer(g, m, l, cur, last);
        snprintf(cur, sizeof cur, "%s", last);
    }
    /* the output under its own name: Softmax, or Identity */
    node(g, softmax ? "Softmax" : "Identity", (const char *const[]){cur}, 1, "output", 0);
    pb_str(g, 2, "descent");
    value_info(g, 11, "input", m->sizes[0]);
    value_info(g, 12, "output", m->sizes[m->L]);
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
    if (ds__infer_model(inf)->net)
        return ds__fail(DS_ERR_INVALID,
                        "ONNX export: model '%s' is a layer network; ONNX export takes mlp and "
                        "neuron models (layer networks: --format safetensors)",
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
