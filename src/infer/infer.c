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
    float *ws;       /* one block: the layers' activations, max_rows rows each,
                        then (with a prep) the transformed input rows */
    float **act;     /* act[1..L] into ws */
    float *x;        /* max_rows transformed rows, or NULL without a prep */
    ds__compute *cx; /* the slot's own products (a context's kernel cache is
                        not shared between threads) */
    int busy;
} slot;

struct ds_infer {
    ds_model *m;   /* read-only after load */
    ds_prep *prep; /* the input transform and class names; NULL: none */
    char desc[512];
    size_t max_rows, classes;
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

/* Floats of one slot: max_rows rows of every layer (and of the input when
 * a prep transforms it). */
static size_t slot_floats(const ds_infer *inf)
{
    const ds_model *m = inf->m;
    size_t floats = has_transform(inf) ? inf->max_rows * ds_model_inputs(m) : 0;
    for (int l = 1; l <= ds_model_layer_count(m); l++)
        floats += inf->max_rows * ds_model_size(m, l);
    return floats;
}

static ds_status slot_init(slot *s, const ds_infer *inf)
{
    const ds_model *m = inf->m;
    int L = ds_model_layer_count(m);
    size_t floats = slot_floats(inf), rows = inf->max_rows;
    s->ws = malloc(floats * sizeof(float));
    s->act = calloc((size_t)L + 1, sizeof *s->act);
    if (!s->ws || !s->act) return ds__nomem("inference scratch", floats * sizeof(float));
    float *at = s->ws;
    for (int l = 1; l <= L; l++, at += rows * ds_model_size(m, l - 1))
        s->act[l] = at;
    s->x = has_transform(inf) ? at : NULL;
    s->cx = ds__compute_new(inf->threads);
    if (!s->cx) return ds_last_status();
    ds__compute_set_threads(s->cx, inf->threads); /* OpenBLAS: process-wide */
    return ds__compute_set_precision(s->cx, ds__compute_precision(m->cx));
}

static ds_status make_slots(ds_infer *inf)
{
    size_t per = slot_floats(inf);
    ds_status s =
        ds__check_alloc((uint64_t)per * sizeof(float) * (uint64_t)inf->nslots, "inference scratch");
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
    inf->max_rows = p->max_rows;
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
    char desc[512];
    ds_model_describe(m, desc, sizeof desc);
    ds_model_params mp = *ds_model_get_params(m);
    mp.init = DS_INIT_ZEROS; /* overwritten below */
    ds_model *copy = ds_model_init_desc(desc, &mp);
    if (!copy) return ds_last_status();
    memcpy(ds_model_param_data(copy), m->params, m->nparams * sizeof(float));
    return wrap(copy, NULL, p, out);
}

void ds_infer_free(ds_infer *inf)
{
    if (!inf) return;
    for (int i = 0; inf->slots && i < inf->nslots; i++) {
        free(inf->slots[i].ws);
        free(inf->slots[i].act);
        ds__compute_free(inf->slots[i].cx);
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
    for (size_t c0 = 0; c0 < n && st == DS_OK; c0 += inf->max_rows) {
        size_t r = n - c0 < inf->max_rows ? n - c0 : inf->max_rows;
        const float *in = input_rows(inf, x + c0 * f, r, s);
        st = ds__model_forward(inf->m, s->cx, in, r, s->act);
        const float *z = s->act[ds_model_layer_count(inf->m)];
        for (size_t i = 0; cls && i < r; i++)
            cls[c0 + i] = argmax(z + i * c, c);
        if (out) ds__model_outputs(inf->m, z, r, out + c0 * c);
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
