/* model_internal.h - the ds_model structure and the helpers its source files
 * share (spec parsing, initialisation, backpropagation). Private: nothing
 * here is installed. */
#ifndef DS_MODEL_INTERNAL_H
#define DS_MODEL_INTERNAL_H

#include "descent/model.h"
#include "descent/rng.h"
#include "models/compute.h"

#include <stddef.h>

/* Activation of a layer's output: the hidden activations of ds_activation
 * plus the identity of an mlp's output layer. */
enum { DS__ACT_IDENTITY = DS_ACT_COUNT };

/* Floats of L2 work per block: the partial sums of the L2 term are summed in
 * this fixed blocking so the result does not depend on the thread count. */
#define DS__L2_BLOCK 4096

struct ds_model {
    ds_model_params p; /* loss resolved (never DS_LOSS_AUTO) */
    int neuron;        /* 1: the sigmoid neuron (sigmoid output) */
    int L;             /* number of layers (>= 1) */
    size_t *sizes;     /* N(0..L) */
    size_t *woff;      /* offset of W[l] in params, l = 1..L (index 0 unused) */
    size_t *boff;      /* offset of b[l] in params */
    size_t nparams, nweights;
    float *params, *grads; /* nparams floats each, 64-byte aligned */
    double *l2part;        /* per-block partial sums of the L2 term */
    size_t nl2blocks;
    /* Workspace for max_rows rows: act[l] (l = 1..L) holds A[l], then dZ[l]
     * during backward; delta holds dA[l-1] before the activation's
     * derivative is applied; rowloss the per-row losses. */
    size_t max_rows;
    float *ws;
    float **act;
    float *delta;
    double *rowloss;
    int threads;
    struct ds__net *net; /* a layer network (net.h), or NULL: mlp or neuron */
    ds__compute *cx;     /* the products (compute.h), on `threads` threads */
};

/* Parses a spec ("mlp:N0-...-NL", "neuron", "neuron:N") into a malloc'd
 * array *sizes of *nsizes entries; `inputs` and `outputs` as for
 * ds_model_init_data. */
ds_status ds__model_parse_spec(const char *spec, size_t inputs, size_t outputs, size_t **sizes,
                               int *nsizes, int *neuron);

/* Parses "key=value" words after the spec of a description into *p. */
ds_status ds__model_parse_desc_keys(const char *keys, ds_model_params *p);

/* Validates p and fills the parameter array as p->init says. */
ds_status ds__model_init_params(ds_model *m, const ds_model_params *p);

/* Fills n weights by the He (fan_in) or Xavier (fan_in, fan_out) rule. */
void ds__draw_weights(float *w, size_t n, double fan_in, double fan_out, ds_init rule, ds_rng *r);

/* Activation applied to the output of layer l (1..L). */
int ds__layer_act(const ds_model *m, int l);

/* A copy of m for a thread of its own (src/infer): the same description,
 * parameters, layer state and pass count, its own workspace of max_rows
 * rows and compute context on `threads` threads. NULL on failure (message
 * set). */
ds_model *ds__model_clone(const ds_model *m, size_t max_rows, int threads);

/* The evaluation-mode forward pass of r rows (at most the reserved rows;
 * batch norm's running statistics, no dropout); *z gets the last layer's
 * values, before any softmax. */
ds_status ds__model_forward_eval(ds_model *m, const float *x, size_t r, const float **z);

/* r rows of the last layer's values z into out as ds_model_predict gives
 * them: softmax probabilities under xent, else z itself. */
void ds__model_outputs(const ds_model *m, const float *z, size_t r, float *out);

#endif
