/* infer.c - the inference API (descent/infer.h): a loaded model, read-only
 * after load, and a pool of scratch slots so that concurrent calls never
 * share a buffer and never allocate. A call takes a free slot under a
 * mutex (waiting on a condition variable when all are busy), runs the
 * model's own forward pass (models/backprop.c, the pass eval and training
 * use, so the numbers are the same) chunk by chunk into the slot's
 * buffers, and gives the slot back. */
#include "descent/infer.h"
#include "descent/prep.h"
#include "descent/train.h"

#include "core/internal.h"
#include "infer/infer_internal.h"
#include "models/model_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct slot {
    ds_model *m; /* the slot's own copy of the model: its workspace of
                    `rows` rows, its compute context (kernel caches are not
                    shared between threads), batch norm's statistics */
    float *x;    /* `rows` transformed input rows, or NULL without a prep */
    int busy;
} slot;

struct ds_infer {
    ds_model *m;   /* read-only after load */
    ds_prep *prep; /* the input transform and class names; NULL: none */
    char desc[1200];
    size_t rows, classes; /* rows: per forward chunk, max_rows within the
                             workspace bound */
    int threads, nslots;
    slot *slots;
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

ds_infer_params ds_infer_default_params(void)
{
    return (ds_infer_params){.max_rows = 256, .slots = 0, .threads = 1};
}

static int processors(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 4096 ? (int)n : 1;
}

static ds_status check_params(const ds_infer_params *p)
{
    if (p->max_rows < 1 || p->max_rows > ((size_t)1 << 24))
        return ds__fail(DS_ERR_INVALID, "inference: max_rows must be 1..16777216 (got %zu)",
                        p->max_rows);
    if (p->slots < 0 || p->slots > 4096 || p->threads < 0 || p->threads > 4096)
        return ds__fail(DS_ERR_INVALID,
                        "inference: slots and threads must be 0..4096 (got %d and %d)", p->slots,
                        p->threads);
    return DS_OK;
}

static int has_transform(const ds_infer *inf)
{
    return inf->prep && ds_prep_inputs(inf->prep) > 0;
}

static ds_status slot_init(slot *s, const ds_infer *inf)
{
    s->m = ds__model_clone(inf->m, inf->rows, inf->threads);
    if (!s->m) return ds_last_status();
    if (!has_transform(inf)) return DS_OK;
    s->x = malloc(inf->rows * ds_model_inputs(inf->m) * sizeof(float));
    return s->x ? DS_OK : ds__nomem("inference input rows", inf->rows * sizeof(float));
}

static ds_status make_slots(ds_infer *inf)
{
    const ds_model *m = inf->m;
    uint64_t per = (uint64_t)ds_model_row_bytes(m) * inf->rows + ds_model_param_count(m) * 8u +
                   inf->rows * ds_model_inputs(m) * sizeof(float);
    ds_status s = ds__check_alloc(per * (uint64_t)inf->nslots, "inference scratch");
    if (s != DS_OK) return s;
    inf->slots = calloc((size_t)inf->nslots, sizeof *inf->slots);
    if (!inf->slots) return ds__nomem("inference slots", (size_t)inf->nslots * sizeof(slot));
    for (int i = 0; s == DS_OK && i < inf->nslots; i++)
        s = slot_init(&inf->slots[i], inf);
    return s;
}

/* Takes ownership of m and prep (NULL, or the identity: no transform). */
static ds_status wrap(ds_model *m, ds_prep *prep, const ds_infer_params *p, ds_infer **out)
{
    ds_infer *inf = calloc(1, sizeof *inf);
    if (!inf) {
        ds_model_free(m);
        ds_prep_free(prep);
        return ds__nomem("inference handle", sizeof *inf);
    }
    inf->m = m;
    inf->prep = prep;
    if (prep && ds_prep_inputs(prep) == 0 && ds_prep_classes(prep) == 0) {
        ds_prep_free(prep);
        inf->prep = NULL;
    }
    ds_model_describe(m, inf->desc, sizeof inf->desc);
    /* Chunks whose workspace stays within 256 MiB, as eval's (a CNN's rows
     * are large). */
    size_t bound = (256u << 20) / ds_model_row_bytes(m);
    inf->rows = p->max_rows < bound ? p->max_rows : bound ? bound : 1;
    inf->nslots = p->slots ? p->slots : processors();
    inf->threads = p->threads ? p->threads : processors();
    inf->classes = ds_model_get_params(m)->loss == DS_LOSS_XENT ? ds_model_outputs(m) : 0;
    pthread_mutex_init(&inf->lock, NULL);
    pthread_cond_init(&inf->freed, NULL);
    ds_status s = make_slots(inf);
    if (s != DS_OK) {
        ds_infer_free(inf);
        return s;
    }
    *out = inf;
    return DS_OK;
}

/* The model and the prep records of a model file. */
static ds_status load_file(const char *path, const ds_infer_params *p, ds_infer **out)
{
    ds_ckpt *c;
    ds_status s = ds_ckpt_load(path, &c);
    if (s != DS_OK) return s;
    ds_model *m = NULL;
    ds_prep *prep = NULL;
    s = ds_model_from_checkpoint(c, &m);
    if (s == DS_OK) s = ds_prep_from_checkpoint(c, &prep);
    if (s == DS_OK && ds_prep_inputs(prep) && ds_prep_inputs(prep) != ds_model_inputs(m))
        s = ds__fail(DS_ERR_FORMAT, "its preprocessing has %zu inputs, the model %zu",
                     ds_prep_inputs(prep), ds_model_inputs(m));
    ds_ckpt_free(c);
    if (s == DS_OK) return wrap(m, prep, p, out);
    ds_model_free(m);
    ds_prep_free(prep);
    char msg[900];
    snprintf(msg, sizeof msg, "%s", ds_last_error());
    return ds__fail(s, "'%s': %s", path, msg);
}

ds_status ds_infer_load(const char *path, const ds_infer_params *p, ds_infer **out)
{
    ds_infer_params dflt = ds_infer_default_params();
    if (!out) return ds__fail(DS_ERR_INVALID, "ds_infer_load: out is NULL");
    *out = NULL;
    if (!path) return ds__fail(DS_ERR_INVALID, "ds_infer_load: path is NULL");
    if (!p) p = &dflt;
    ds_status s = check_params(p);
    if (s != DS_OK) return s;
    return load_file(path, p, out);
}

ds_status ds_infer_from_model(const ds_model *m, const ds_infer_params *p, ds_infer **out)
{
    ds_infer_params dflt = ds_infer_default_params();
    if (!out || !m) return ds__fail(DS_ERR_INVALID, "ds_infer_from_model: NULL argument");
    *out = NULL;
    if (!p) p = &dflt;
    ds_status s = check_params(p);
    if (s != DS_OK) return s;
    ds_model *copy = ds__model_clone(m, 1, 1);
    if (!copy) return ds_last_status();
    return wrap(copy, NULL, p, out);
}

void ds_infer_free(ds_infer *inf)
{
    if (!inf) return;
    for (int i = 0; inf->slots && i < inf->nslots; i++) {
        ds_model_free(inf->slots[i].m);
        free(inf->slots[i].x);
    }
    free(inf->slots);
    pthread_mutex_destroy(&inf->lock);
    pthread_cond_destroy(&inf->freed);
    ds_model_free(inf->m);
    ds_prep_free(inf->prep);
    free(inf);
}

size_t ds_infer_inputs(const ds_infer *inf)
{
    return ds_model_inputs(inf->m);
}

size_t ds_infer_outputs(const ds_infer *inf)
{
    return ds_model_outputs(inf->m);
}

size_t ds_infer_classes(const ds_infer *inf)
{
    return inf->classes;
}

const ds_model *ds__infer_model(const ds_infer *inf)
{
    return inf->m;
}

const ds_prep *ds_infer_prep(const ds_infer *inf)
{
    return inf->prep;
}

const char *ds_infer_describe(const ds_infer *inf)
{
    return inf->desc;
}

static slot *acquire(ds_infer *inf)
{
    pthread_mutex_lock(&inf->lock);
    for (;;) {
        for (int i = 0; i < inf->nslots; i++)
            if (!inf->slots[i].busy) {
                inf->slots[i].busy = 1;
                pthread_mutex_unlock(&inf->lock);
                return &inf->slots[i];
            }
        pthread_cond_wait(&inf->freed, &inf->lock);
    }
}

static void release(ds_infer *inf, slot *s)
{
    pthread_mutex_lock(&inf->lock);
    s->busy = 0;
    pthread_cond_signal(&inf->freed);
    pthread_mutex_unlock(&inf->lock);
}

/* The input transform the model file carries (descent/prep.h: the
 * normalization and missing values' fill learnt at training time): rows
 * go through it, in the slot's buffer, before the first layer. Models
 * without one take x as it is. */
static const float *input_rows(const ds_infer *inf, const float *x, size_t r, slot *s)
{
    if (!s->x) return x;
    memcpy(s->x, x, r * ds_model_inputs(inf->m) * sizeof *x);
    ds_prep_apply(inf->prep, s->x, r);
    return s->x;
}

/* The index of the largest of c values (the first on ties); with one
 * output (the sigmoid neuron's convention) value > 0.5. */
static int32_t argmax(const float *z, size_t c)
{
    size_t best = 0;
    for (size_t j = 1; j < c; j++)
        best = z[j] > z[best] ? j : best;
    return c == 1 ? z[0] > 0.5f : (int32_t)best;
}

/* Forward over n rows in chunks; each chunk's outputs go to out (if not
 * NULL) and its classes, picked from the last layer's values as eval picks
 * them, to cls (if not NULL). */
static ds_status run(ds_infer *inf, const float *x, size_t n, float *out, int32_t *cls)
{
    slot *s = acquire(inf);
    size_t f = ds_model_inputs(inf->m), c = ds_model_outputs(inf->m);
    ds_status st = DS_OK;
    for (size_t c0 = 0; c0 < n && st == DS_OK; c0 += inf->rows) {
        size_t r = n - c0 < inf->rows ? n - c0 : inf->rows;
        const float *z, *in = input_rows(inf, x + c0 * f, r, s);
        st = ds__model_forward_eval(s->m, in, r, &z);
        for (size_t i = 0; st == DS_OK && cls && i < r; i++)
            cls[c0 + i] = argmax(z + i * c, c);
        if (st == DS_OK && out) ds__model_outputs(inf->m, z, r, out + c0 * c);
    }
    release(inf, s);
    return st;
}

ds_status ds_infer_predict(ds_infer *inf, const float *x, size_t n, float *out)
{
    if (!inf || (n && (!x || !out)))
        return ds__fail(DS_ERR_INVALID, "ds_infer_predict: NULL argument");
    return run(inf, x, n, out, NULL);
}

ds_status ds_infer_classify(ds_infer *inf, const float *x, size_t n, int32_t *cls, float *proba)
{
    if (!inf || (n && (!x || !cls)))
        return ds__fail(DS_ERR_INVALID, "ds_infer_classify: NULL argument");
    if (!inf->classes)
        return ds__fail(DS_ERR_INVALID,
                        "ds_infer_classify: model '%s' is not a classifier (its loss is not "
                        "xent): use ds_infer_predict",
                        inf->desc);
    return run(inf, x, n, proba, cls);
}

/* The model's own writer (models/safetensors.c): torch's nn.Sequential
 * state_dict names, layer networks' batch norm statistics included. */
ds_status ds_infer_export_safetensors(const ds_infer *inf, const char *path)
{
    if (!inf || !path)
        return ds__fail(DS_ERR_INVALID, "ds_infer_export_safetensors: NULL argument");
    return ds_model_save_safetensors(inf->m, path);
}
