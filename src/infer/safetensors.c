/* safetensors.c - a loaded model's weights as a safetensors file
 * (https://github.com/huggingface/safetensors: an 8-byte little-endian
 * header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the tensors' bytes), under the names of torch's
 * nn.Sequential state_dict of the same network: Linear layers at indices
 * 0, 2, 4, ... with the activations between them, so
 *     model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
 *     model.load_state_dict(safetensors.torch.load_file("m.safetensors"))
 * loads it: "0.weight" [256, 784] (torch.nn.Linear's [out, in], descent's
 * layout), "0.bias" [256], "2.weight", ... */
#include "descent/afile.h"
#include "descent/infer.h"

#include "core/internal.h"
#include "infer/infer_internal.h"
#include "models/model_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON header, padded with spaces to a multiple of 8 bytes (the
 * format's recommendation, so the data that follows is aligned). */
static char *header(const ds_model *m, size_t *len)
{
    size_t cap = 128 + (size_t)m->L * 160, n = 0, off = 0;
    char *h = malloc(cap);
    if (!h) return NULL;
    n += (size_t)snprintf(h, cap, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (int l = 1; l <= m->L; l++) {
        size_t out = m->sizes[l], in = m->sizes[l - 1], wb = out * in * 4, bb = out * 4;
        n += (size_t)snprintf(h + n, cap - n,
                              ",\"%d.weight\":{\"dtype\":\"F32\",\"shape\":[%zu,%zu],"
                              "\"data_offsets\":[%zu,%zu]}"
                              ",\"%d.bias\":{\"dtype\":\"F32\",\"shape\":[%zu],"
                              "\"data_offsets\":[%zu,%zu]}",
                              2 * (l - 1), out, in, off, off + wb, 2 * (l - 1), out, off + wb,
                              off + wb + bb);
        off += wb + bb;
    }
    n += (size_t)snprintf(h + n, cap - n, "}");
    while (n % 8)
        h[n++] = ' ';
    *len = n;
    return h;
}

ds_status ds_infer_export_safetensors(const ds_infer *inf, const char *path)
{
    if (!inf || !path)
        return ds__fail(DS_ERR_INVALID, "ds_infer_export_safetensors: NULL argument");
    const ds_model *m = ds__infer_model(inf);
    size_t hlen, bytes = m->nparams * sizeof(float);
    char *h = header(m, &hlen);
    unsigned char *file = h ? malloc(8 + hlen + bytes) : NULL;
    if (!file) {
        free(h);
        return ds__nomem("safetensors file", 8 + bytes);
    }
    for (int i = 0; i < 8; i++)
        file[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
    memcpy(file + 8, h, hlen);
    unsigned char *at = file + 8 + hlen;
    for (int l = 1; l <= m->L; l++) { /* each layer's weight, then its bias */
        size_t wb = m->sizes[l] * m->sizes[l - 1] * sizeof(float), bb = m->sizes[l] * sizeof(float);
        memcpy(at, m->params + m->woff[l], wb);
        memcpy(at + wb, m->params + m->boff[l], bb);
        at += wb + bb;
    }
    ds_status s = ds_write_file_atomic(path, file, 8 + hlen + bytes);
    free(h);
    free(file);
    return s;
}
