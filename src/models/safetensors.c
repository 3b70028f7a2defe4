/* safetensors.c - a model's weights in and out in safetensors
 * (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header {"NAME": {"dtype", "shape", "data_offsets":
 * [begin, end]}, "__metadata__": {...}} read with cJSON, then the raw
 * little-endian data. The names are those of torch's state_dict for the
 * equivalent nn.Sequential (doc/models.md): one module per layer, an
 * nn.Flatten before the first dense layer after an image, so "0.weight"
 * and "0.bias" of a conv or dense layer, and batch norm's "weight", "bias",
 * "running_mean", "running_var" (F32) and "num_batches_tracked" (I64, a
 * scalar). Conv weights are O x C x K x K and dense weights out x in, as
 * descent stores them. */
#include "core/internal.h"
#include "descent/afile.h"
#include "models/net.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest header accepted (safetensors' own limit is 100 MB). */
#define MAX_HEADER (100u << 20)

typedef struct tensor {
    char name[40];
    int64_t shape[4];
    int ndim;
    float *f32;   /* the floats in the model, or NULL: the I64 pass count */
    size_t count; /* elements */
} tensor;

static tensor *add(tensor *t, int *n, int module, const char *what, float *f32, size_t count)
{
    tensor *x = &t[(*n)++];
    snprintf(x->name, sizeof x->name, "%d.%s", module, what);
    x->f32 = f32, x->count = count, x->ndim = 0;
    return x;
}

static void add_matrix(tensor *t, int *n, int module, float *w, float *b, size_t out, size_t in)
{
    tensor *x = add(t, n, module, "weight", w, out * in);
    x->ndim = 2, x->shape[0] = (int64_t)out, x->shape[1] = (int64_t)in;
    x = add(t, n, module, "bias", b, out);
    x->ndim = 1, x->shape[0] = (int64_t)out;
}

static void add_layer(ds_model *m, const ds__layer *ly, tensor *t, int *n, int module)
{
    float *p = m->params, *st = m->net->state;
    size_t c = ly->in[0];
    if (ly->kind == DS__L_DENSE)
        add_matrix(t, n, module, p + ly->woff, p + ly->boff, ly->units, ly->nw / ly->units);
    if (ly->kind == DS__L_CONV) {
        add_matrix(t, n, module, p + ly->woff, p + ly->boff, ly->units, c * ly->k * ly->k);
        tensor *w = &t[*n - 2];
        w->ndim = 4, w->shape[1] = (int64_t)c, w->shape[2] = w->shape[3] = (int64_t)ly->k;
    }
    if (ly->kind != DS__L_BATCHNORM) return;
    float *v[4] = {p + ly->boff, p + ly->boff + c, st + ly->soff, st + ly->soff + c};
    static const char *const names[4] = {"weight", "bias", "running_mean", "running_var"};
    for (int i = 0; i < 4; i++) {
        tensor *x = add(t, n, module, names[i], v[i], c);
        x->ndim = 1, x->shape[0] = (int64_t)c;
    }
    add(t, n, module, "num_batches_tracked", NULL, 1);
}

/* The model's tensors in state_dict order; at most 5 per layer. */
static int list_tensors(ds_model *m, tensor *t)
{
    int n = 0, module = 0;
    if (!m->net) {
        for (int l = 1; l <= m->L; l++)
            add_matrix(t, &n, 2 * (l - 1), m->params + m->woff[l], m->params + m->boff[l],
                       m->sizes[l], m->sizes[l - 1]);
        return n;
    }
    int image = m->net->layers[0].in[1] * m->net->layers[0].in[2] > 1;
    for (int i = 0; i < m->net->n; i++, module++) {
        const ds__layer *ly = &m->net->layers[i];
        if (ly->kind == DS__L_DENSE && image) module++, image = 0; /* nn.Flatten */
        add_layer(m, ly, t, &n, module);
    }
    return n;
}

static ds_status read_file(const char *path, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return ds__fail(DS_ERR_IO, "cannot open '%s'", path);
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    *data = len >= 0 ? malloc((size_t)len + 1) : NULL;
    int ok = *data && fseek(f, 0, SEEK_SET) == 0 && fread(*data, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    *size = ok ? (size_t)len : 0;
    if (ok) return DS_OK;
    free(*data);
    *data = NULL;
    return ds__fail(DS_ERR_IO, "cannot read '%s'", path);
}

static uint64_t le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* The header entry of t: dtype, shape and offsets checked against t and
 * the data size; *off gets the data offset. */
static ds_status check_entry(const char *path, const tensor *t, const cJSON *e, size_t datasize,
                             size_t *off)
{
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    const char *want = t->f32 ? "F32" : "I64";
    if (!cJSON_IsString(dt) || strcmp(dt->valuestring, want) != 0)
        return ds__fail(DS_ERR_MISMATCH, "'%s': tensor '%s' has dtype %s (the model needs %s)",
                        path, t->name, cJSON_IsString(dt) ? dt->valuestring : "(none)", want);
    int ok = cJSON_IsArray(sh) && cJSON_GetArraySize(sh) == t->ndim;
    for (int i = 0; ok && i < t->ndim; i++) {
        const cJSON *d = cJSON_GetArrayItem(sh, i);
        ok = cJSON_IsNumber(d) && d->valuedouble == (double)t->shape[i];
    }
    if (!ok) {
        char *got = cJSON_PrintUnformatted(sh);
        ds_status s = ds__fail(DS_ERR_MISMATCH,
                               "'%s': tensor '%s' has shape %s (the model needs [%" PRId64
                               ",%" PRId64 ",%" PRId64 ",%" PRId64 "] cut to %d dimensions)",
                               path, t->name, got ? got : "(none)", t->shape[0], t->shape[1],
                               t->shape[2], t->shape[3], t->ndim);
        free(got);
        return s;
    }
    const cJSON *b = cJSON_GetArrayItem(of, 0), *en = cJSON_GetArrayItem(of, 1);
    size_t bytes = t->count * (t->f32 ? 4 : 8);
    if (!cJSON_IsNumber(b) || !cJSON_IsNumber(en) || b->valuedouble < 0 ||
        en->valuedouble > (double)datasize || en->valuedouble - b->valuedouble != (double)bytes)
        return ds__fail(DS_ERR_FORMAT,
                        "'%s': tensor '%s': data_offsets outside the data or not "
                        "%zu bytes",
                        path, t->name, bytes);
    *off = (size_t)b->valuedouble;
    return DS_OK;
}

/* Every name of the header is a tensor of the model (or __metadata__). */
static ds_status check_names(const char *path, const cJSON *root, const tensor *t, int n)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, root)
    {
        int known = strcmp(e->string, "__metadata__") == 0;
        for (int i = 0; i < n && !known; i++)
            known = strcmp(e->string, t[i].name) == 0;
        if (!known)
            return ds__fail(DS_ERR_MISMATCH,
                            "'%s': tensor '%.100s' is not in the model (it has "
                            "%s ... %s)",
                            path, e->string, t[0].name, t[n - 1].name);
    }
    return DS_OK;
}

/* Checks every tensor, then copies all (nothing changes on failure). */
static ds_status load_tensors(ds_model *m, const char *path, const cJSON *root,
                              const unsigned char *data, size_t datasize, tensor *t, int n)
{
    size_t *off = calloc((size_t)n, sizeof *off);
    if (!off) return ds__nomem("safetensors offsets", (size_t)n * sizeof *off);
    ds_status s = DS_OK;
    for (int i = 0; i < n && s == DS_OK; i++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, t[i].name);
        s = e ? check_entry(path, &t[i], e, datasize, &off[i])
              : ds__fail(DS_ERR_MISMATCH, "'%s': tensor '%s' is missing", path, t[i].name);
    }
    if (s == DS_OK) s = check_names(path, root, t, n);
    for (int i = 0; i < n && s == DS_OK; i++)
        for (size_t j = 0; j < t[i].count; j++) {
            const unsigned char *b = data + off[i] + j * (t[i].f32 ? 4 : 8);
            uint32_t u =
                (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            if (t[i].f32)
                memcpy(&t[i].f32[j], &u, 4);
            else
                ds_model_set_passes(m, le64(b));
        }
    free(off);
    return s;
}

ds_status ds_model_load_safetensors(ds_model *m, const char *path)
{
    unsigned char *data;
    size_t size;
    ds_status s = read_file(path, &data, &size);
    if (s != DS_OK) return s;
    uint64_t hl = size >= 8 ? le64(data) : 0;
    cJSON *root = NULL;
    if (size < 8 || hl > size - 8 || hl > MAX_HEADER)
        s = ds__fail(DS_ERR_FORMAT,
                     "'%s' is not a safetensors file (header length %" PRIu64 " for %zu bytes)",
                     path, hl, size);
    else if (!(root = cJSON_ParseWithLength((const char *)data + 8, (size_t)hl)) ||
             !cJSON_IsObject(root))
        s = ds__fail(DS_ERR_FORMAT, "'%s': the safetensors header is not a JSON object", path);
    tensor *t = calloc(5 * (size_t)m->L + 1, sizeof *t);
    if (s == DS_OK && !t) s = ds__nomem("tensor list", 5 * (size_t)m->L * sizeof *t);
    if (s == DS_OK)
        s = load_tensors(m, path, root, data + 8 + hl, size - 8 - hl, t, list_tensors(m, t));
    free(t);
    cJSON_Delete(root);
    free(data);
    return s;
}

/* The header: every tensor's dtype, shape and offsets, and the model's
 * description in __metadata__; *bytes gets the data size. */
static cJSON *header(const ds_model *m, const tensor *t, int n, size_t *bytes)
{
    char desc[1200];
    cJSON *root = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(root, "__metadata__");
    ds_model_describe(m, desc, sizeof desc);
    cJSON_AddStringToObject(meta, "format", "pt");
    cJSON_AddStringToObject(meta, "descent", desc);
    *bytes = 0;
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_AddObjectToObject(root, t[i].name);
        cJSON_AddStringToObject(e, "dtype", t[i].f32 ? "F32" : "I64");
        cJSON *sh = cJSON_AddArrayToObject(e, "shape"),
              *of = cJSON_AddArrayToObject(e, "data_offsets");
        for (int d = 0; d < t[i].ndim; d++)
            cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t[i].shape[d]));
        cJSON_AddItemToArray(of, cJSON_CreateNumber((double)*bytes));
        *bytes += t[i].count * (t[i].f32 ? 4 : 8);
        cJSON_AddItemToArray(of, cJSON_CreateNumber((double)*bytes));
    }
    return root;
}

static void put_le(unsigned char *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        b[i] = (unsigned char)v;
}

ds_status ds_model_save_safetensors(const ds_model *cm, const char *path)
{
    ds_model *m = (ds_model *)(uintptr_t)cm; /* list_tensors takes pointers, only read here */
    tensor *t = calloc(5 * (size_t)m->L + 1, sizeof *t);
    if (!t) return ds__nomem("tensor list", 5 * (size_t)m->L * sizeof *t);
    int n = list_tensors(m, t);
    size_t bytes;
    cJSON *root = header(m, t, n, &bytes);
    char *hdr = root ? cJSON_PrintUnformatted(root) : NULL;
    size_t hl = hdr ? strlen(hdr) : 0, padded = (hl + 7) / 8 * 8; /* data 8-byte aligned */
    unsigned char *buf = hdr ? malloc(8 + padded + bytes) : NULL, *p = buf + 8 + padded;
    ds_status s = buf ? DS_OK : ds__nomem("safetensors file", 8 + padded + bytes);
    if (buf) {
        put_le(buf, padded, 8);
        memcpy(buf + 8, hdr, hl);
        memset(buf + 8 + hl, ' ', padded - hl);
        for (int i = 0; i < n; i++)
            for (size_t j = 0; j < t[i].count; j++, p += t[i].f32 ? 4 : 8) {
                uint32_t u;
                if (t[i].f32) memcpy(&u, &t[i].f32[j], 4);
                put_le(p, t[i].f32 ? u : ds_model_passes(m), t[i].f32 ? 4 : 8);
            }
        s = ds_write_file_atomic(path, buf, 8 + padded + bytes);
    }
    free(buf);
    free(hdr);
    cJSON_Delete(root);
    free(t);
    return s;
}
