/* net_spec.c - the layer list of a network spec and its presets: one part
 * per layer, split at '|' and read by the spec engine (core/spec.h) like
 * every other spec, then the shapes from the input to the output, each
 * layer checked against what it receives before anything is allocated.
 *
 *     net[:in=CxHxW]|LAYER|LAYER|...
 *     dense:N | conv:O,K[,same|valid|P][,stride=S] | maxpool:K[,stride=S]
 *     | avgpool:K[,stride=S] | relu | sigmoid | tanh | dropout:R | batchnorm */
#include "core/spec.h"
#include "models/net.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DS__NET_MAX_LAYERS 64

/* Named networks: DeepOBS's fmnist_2c2d (Schneider et al. 2019,
 * https://arxiv.org/abs/1903.05499, section 3). */
static const struct {
    const char *name, *spec;
} presets[] = {
    {"2c2d", "net:in=1x28x28|conv:32,5,same|relu|maxpool:2|conv:64,5,same|relu|maxpool:2|"
             "dense:1024|relu|dense:10"},
};
#define NPRESETS (sizeof presets / sizeof presets[0])

/* What one part of the list gives; layer kinds read the fields they use. */
typedef struct largs {
    int64_t units, k, stride;
    double rate;
    const char *pad, *in;
} largs;

#define KEY_INT(n, f, lo, hi, p, req)                                                              \
    {                                                                                              \
        .name = n, .type = DS__SPEC_INT, .offset = offsetof(largs, f), .min = lo, .max = hi,       \
        .required = req, .pos = p                                                                  \
    }
static const ds__spec_key dense_keys[] = {KEY_INT("units", units, 1, INT_MAX, 1, 1), {0}};
static const ds__spec_key conv_keys[] = {
    KEY_INT("units", units, 1, INT_MAX, 1, 1),
    KEY_INT("k", k, 1, 4096, 2, 1),
    {.name = "pad", .type = DS__SPEC_STRING, .offset = offsetof(largs, pad), .pos = 3},
    KEY_INT("stride", stride, 1, 4096, 0, 0),
    {0}};
static const ds__spec_key pool_keys[] = {
    KEY_INT("k", k, 1, 4096, 1, 1), KEY_INT("stride", stride, 1, 4096, 0, 0), {0}};
static const ds__spec_key dropout_keys[] = {{.name = "rate",
                                             .type = DS__SPEC_DOUBLE,
                                             .offset = offsetof(largs, rate),
                                             .max = 1,
                                             .open = DS__SPEC_MAX_OPEN,
                                             .required = 1,
                                             .pos = 1},
                                            {0}};
static const ds__spec_key net_keys[] = {
    {.name = "in", .type = DS__SPEC_STRING, .offset = offsetof(largs, in), .pos = 1}, {0}};
static const ds__spec_key no_keys[] = {{0}};

static const struct {
    const char *name;
    ds__layer_kind kind;
    int act;
    const ds__spec_key *keys;
} kinds[] = {
    {"dense", DS__L_DENSE, 0, dense_keys},      {"conv", DS__L_CONV, 0, conv_keys},
    {"maxpool", DS__L_MAXPOOL, 0, pool_keys},   {"avgpool", DS__L_AVGPOOL, 0, pool_keys},
    {"relu", DS__L_ACT, DS_ACT_RELU, no_keys},  {"sigmoid", DS__L_ACT, DS_ACT_SIGMOID, no_keys},
    {"tanh", DS__L_ACT, DS_ACT_TANH, no_keys},  {"dropout", DS__L_DROPOUT, 0, dropout_keys},
    {"batchnorm", DS__L_BATCHNORM, 0, no_keys},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* "CxHxW" or "N" (N x 1 x 1), each a positive integer, the product an int. */
static int parse_shape(const char *text, size_t shape[3])
{
    size_t v[3] = {1, 1, 1}, n = 0;
    const char *s = text;
    for (; n < 3; n++) {
        char *end;
        long x = strtol(s, &end, 10);
        if (end == s || *s == '-' || *s == '+' || x <= 0 || x > INT_MAX) return -1;
        v[n] = (size_t)x;
        if (*end == '\0') break;
        if (*end != 'x') return -1;
        s = end + 1;
    }
    if (n == 1 || n == 3 || (double)v[0] * (double)v[1] * (double)v[2] > INT_MAX) return -1;
    memcpy(shape, v, sizeof v);
    return 0;
}

/* Reads one part "NAME[:...]" into *ly (kind and arguments, no shapes). */
static ds_status parse_part(const char *spec, const char *text, size_t len, int idx, ds__layer *ly)
{
    ds__spec sp;
    char ctx[DS__SPEC_MAX_TEXT + 48];
    largs a = {0};
    ds_status st = ds__spec_split(text, len, "layer", &sp);
    if (st != DS_OK) return st;
    size_t i = 0;
    while (i < NKINDS && strcmp(kinds[i].name, sp.name) != 0)
        i++;
    snprintf(ctx, sizeof ctx, "model '%s': layer %d '%.*s'", spec, idx, (int)len, text);
    if (i == NKINDS)
        return ds__fail(DS_ERR_PARSE,
                        "%s: unknown layer (accepted: dense, conv, maxpool, avgpool, relu, "
                        "sigmoid, tanh, dropout, batchnorm)",
                        ctx);
    if ((st = ds__spec_apply(ctx, kinds[i].keys, &sp, &a, NULL, 0, NULL)) != DS_OK) return st;
    *ly = (ds__layer){.kind = kinds[i].kind,
                      .act = kinds[i].act,
                      .units = (size_t)a.units,
                      .k = (size_t)a.k,
                      .stride = (size_t)(a.stride ? a.stride : 1),
                      .rate = a.rate};
    if (ly->kind == DS__L_MAXPOOL || ly->kind == DS__L_AVGPOOL)
        ly->stride = (size_t)(a.stride ? a.stride : a.k);
    if (!a.pad || strcmp(a.pad, "valid") == 0) return DS_OK;
    long p;
    if (strcmp(a.pad, "same") == 0) {
        ly->same = 1;
        ly->pad = (ly->k - 1) / 2;
        if (ly->k % 2 == 1 && ly->stride == 1) return DS_OK;
        return ds__fail(DS_ERR_INVALID, "%s: padding 'same' needs an odd kernel and stride 1", ctx);
    }
    if (ds_parse_long(a.pad, &p) != 0 || p < 0 || p > 4096)
        return ds__fail(DS_ERR_PARSE,
                        "%s: pad must be same, valid or a whole number in [0, 4096] "
                        "(got '%s')",
                        ctx, a.pad);
    ly->pad = (size_t)p;
    return DS_OK;
}

/* Output shape and parameter counts of layer ly from its input shape. */
static ds_status shape(const char *spec, int idx, ds__layer *ly)
{
    const size_t *in = ly->in, flat = in[0] * in[1] * in[2];
    size_t *out = ly->out, h = in[1] + 2 * ly->pad, w = in[2] + 2 * ly->pad;
    double kk;
    memcpy(out, in, sizeof ly->out);
    switch (ly->kind) {
    case DS__L_DENSE:
        out[0] = ly->units, out[1] = out[2] = 1;
        ly->nw = ly->units * flat, ly->nb = ly->units;
        break;
    case DS__L_CONV:
    case DS__L_MAXPOOL:
    case DS__L_AVGPOOL:
        if (ly->k > h || ly->k > w)
            return ds__fail(DS_ERR_INVALID,
                            "model '%s': layer %d: a %zux%zu window is larger than its input "
                            "%zux%zux%zu (padding %zu)%s",
                            spec, idx, ly->k, ly->k, in[0], in[1], in[2], ly->pad,
                            in[1] == 1 && in[2] == 1 ? "; give the image shape with in=CxHxW" : "");
        out[1] = (h - ly->k) / ly->stride + 1, out[2] = (w - ly->k) / ly->stride + 1;
        if (ly->kind != DS__L_CONV) break;
        out[0] = ly->units;
        /* the weights and one sample's im2col rows must be countable */
        kk = (double)in[0] * (double)ly->k * (double)ly->k;
        if (kk * (double)ly->units > 1e12 || kk * (double)out[1] * (double)out[2] > INT_MAX)
            return ds__fail(DS_ERR_INVALID, "model '%s': layer %d is too large", spec, idx);
        ly->nw = ly->units * in[0] * ly->k * ly->k, ly->nb = ly->units;
        break;
    case DS__L_BATCHNORM:
        ly->nb = 2 * in[0];
        break;
    default:
        break;
    }
    if ((double)out[0] * (double)out[1] * (double)out[2] > INT_MAX || (double)ly->nw > 1e12)
        return ds__fail(DS_ERR_INVALID, "model '%s': layer %d is too large", spec, idx);
    return DS_OK;
}

/* The input shape: in= of the first part, else `inputs` features. */
static ds_status input_shape(const char *spec, const char *first, size_t len, size_t inputs,
                             size_t shp[3])
{
    ds__spec sp;
    largs a = {0};
    char ctx[DS__SPEC_MAX_TEXT + 16];
    snprintf(ctx, sizeof ctx, "model '%s'", spec);
    ds_status st = ds__spec_split(first, len, "model spec", &sp);
    if (st == DS_OK) st = ds__spec_apply(ctx, net_keys, &sp, &a, NULL, 0, NULL);
    if (st != DS_OK) return st;
    shp[0] = inputs, shp[1] = shp[2] = 1;
    if (a.in && parse_shape(a.in, shp) != 0)
        return ds__fail(DS_ERR_PARSE, "%s: in must be CxHxW or N, positive (got '%s')", ctx, a.in);
    if (!a.in && !inputs)
        return ds__fail(DS_ERR_PARSE, "%s: give the input shape (in=CxHxW) or data to take it from",
                        ctx);
    size_t n = shp[0] * shp[1] * shp[2];
    if (inputs && n != inputs)
        return ds__fail(DS_ERR_MISMATCH, "%s takes %zux%zux%zu = %zu inputs but the data has %zu",
                        ctx, shp[0], shp[1], shp[2], n, inputs);
    return DS_OK;
}

static ds_status parse_layers(const char *spec, size_t inputs, ds__net *net)
{
    const char *start[DS__NET_MAX_LAYERS + 1];
    size_t len[DS__NET_MAX_LAYERS + 1], shp[3];
    int n = ds__spec_chain(spec, '|', start, len, DS__NET_MAX_LAYERS + 1);
    if (n > DS__NET_MAX_LAYERS + 1 || n < 2)
        return ds__fail(DS_ERR_PARSE, "model '%s' needs 1 to %d layers after 'net|'", spec,
                        DS__NET_MAX_LAYERS);
    ds_status st = input_shape(spec, start[0], len[0], inputs, shp);
    if (st != DS_OK) return st;
    net->layers = calloc((size_t)n, sizeof *net->layers);
    if (!net->layers) return ds__nomem("layers", (size_t)n * sizeof *net->layers);
    for (int i = 1; i < n; i++) {
        ds__layer *ly = &net->layers[i - 1];
        if (!len[i]) return ds__fail(DS_ERR_PARSE, "model '%s': layer %d is empty", spec, i);
        if ((st = parse_part(spec, start[i], len[i], i, ly)) != DS_OK) return st;
        memcpy(ly->in, i > 1 ? ly[-1].out : shp, sizeof ly->in);
        if ((st = shape(spec, i, ly)) != DS_OK) return st;
        net->n = i;
    }
    return DS_OK;
}

int ds__net_parse(const char *spec, size_t inputs, ds__net **out, ds_status *status)
{
    size_t name = strcspn(spec, ":|");
    const char *text = NULL;
    for (size_t i = 0; i < NPRESETS; i++)
        if (strcmp(spec, presets[i].name) == 0) text = presets[i].spec;
    if (!text && !(name == 3 && strncmp(spec, "net", 3) == 0)) return 0;
    ds__net *net = calloc(1, sizeof *net);
    *status = net ? parse_layers(text ? text : spec, inputs, net) : ds__nomem("network", 64);
    if (*status != DS_OK) {
        ds__net_free(net);
        net = NULL;
    }
    *out = net;
    return 1;
}

void ds__net_free(ds__net *net)
{
    if (!net) return;
    free(net->layers);
    free(net->state);
    free(net->aux);
    free(net->chan);
    free(net);
}

static void put_layer(ds__spec_out *o, const ds__layer *ly)
{
    static const char *const names[] = {"dense", "conv",    "maxpool",  "avgpool",
                                        "",      "dropout", "batchnorm"};
    ds__spec_put(o, "|%s", ly->kind == DS__L_ACT ? ds_act_name(ly->act) : names[ly->kind]);
    if (ly->kind == DS__L_DENSE) ds__spec_put(o, ":%zu", ly->units);
    if (ly->kind == DS__L_CONV) {
        ds__spec_put(o, ":%zu,%zu,", ly->units, ly->k);
        if (ly->same || !ly->pad)
            ds__spec_put(o, "%s", ly->same ? "same" : "valid");
        else
            ds__spec_put(o, "%zu", ly->pad);
        if (ly->stride != 1) ds__spec_put(o, ",stride=%zu", ly->stride);
    }
    if (ly->kind == DS__L_MAXPOOL || ly->kind == DS__L_AVGPOOL) {
        ds__spec_put(o, ":%zu", ly->k);
        if (ly->stride != ly->k) ds__spec_put(o, ",stride=%zu", ly->stride);
    }
    if (ly->kind == DS__L_DROPOUT) {
        ds__spec_put(o, ":");
        ds__spec_put_number(o, ly->rate);
    }
}

int ds__net_describe(const ds__net *net, char *buf, size_t size)
{
    ds__spec_out o = {buf, size, 0};
    const size_t *in = net->layers[0].in;
    if (size) buf[0] = '\0';
    ds__spec_put(&o, "net:in=%zu", in[0]);
    if (in[1] * in[2] > 1) ds__spec_put(&o, "x%zux%zu", in[1], in[2]);
    for (int i = 0; i < net->n; i++)
        put_layer(&o, &net->layers[i]);
    return (int)o.len;
}
