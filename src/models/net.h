/* net.h - layer networks: the layer list of a "net:..." spec (doc/models.md),
 * its shapes, parameter layout and workspace, and the forward and backward
 * pass of each layer kind. Private: nothing here is installed.
 *
 * A row of the batch is one sample in C x H x W order (torch's NCHW without
 * the N); a flat layer (dense) sees C = features, H = W = 1, so flatten
 * between an image layer and a dense one is implicit. Parameters follow the
 * model's [weights | biases] split: conv weights O x C x K x K (torch's OIHW)
 * and dense weights out x in (torch's Linear) in the weights block; conv and
 * dense biases, then batch norm's gamma and beta, in the biases block, in
 * layer order. */
#ifndef DS_MODELS_NET_H
#define DS_MODELS_NET_H

#include "models/model_internal.h"

#include <stdint.h>

/* Batch norm's epsilon (layers.c; the ONNX export writes it too). */
#define DS__BN_EPS 1e-5

typedef enum ds__layer_kind {
    DS__L_DENSE,
    DS__L_CONV,
    DS__L_MAXPOOL,
    DS__L_AVGPOOL,
    DS__L_ACT,
    DS__L_DROPOUT,
    DS__L_BATCHNORM,
    DS__L_COUNT
} ds__layer_kind;

typedef struct ds__layer {
    ds__layer_kind kind;
    int act;              /* DS__L_ACT: a ds_activation */
    size_t units;         /* dense: outputs; conv: output channels */
    size_t k, stride;     /* conv, pools: kernel size and stride */
    size_t pad;           /* conv: zero padding on every side */
    int same;             /* conv: padding given as 'same' */
    double rate;          /* dropout */
    size_t in[3], out[3]; /* C, H, W */
    size_t woff, nw;      /* weights in the parameter array */
    size_t boff, nb;      /* biases (batch norm: gamma then beta) */
    size_t soff;          /* batch norm: running mean then var in the state array */
    size_t aux;           /* workspace floats per row (pool indices, masks, x-hat) */
} ds__layer;

/* Layers of a network, the state (batch norm's running statistics, kept
 * out of the optimizers' reach) and the counter that seeds dropout. */
typedef struct ds__net {
    int n;
    ds__layer *layers;
    float *state; /* nstate floats */
    size_t nstate;
    uint64_t batches; /* training passes so far: torch's num_batches_tracked,
                         and the dropout masks' seed with the model's seed */
    float **aux;      /* per layer, in the workspace */
    float *col;       /* the convolutions' scratch (compute.h), max_rows samples */
    float *dbuf[2];   /* gradients of a layer's output and input */
    double *chan;     /* batch norm: per-channel mean and 1/std of the batch */
} ds__net;

/* Parses a layer list or preset ("net:in=1x28x28|conv:32,5,same|...", "2c2d")
 * into *out with shapes checked; `inputs` as for ds_model_init (0: take the
 * input size from the spec). 1: the spec is a network spec (result in
 * *status), 0: it is another form (mlp, neuron). */
int ds__net_parse(const char *spec, size_t inputs, ds__net **out, ds_status *status);

void ds__net_free(ds__net *net);

/* Parameters (weights and biases) of the network. */
size_t ds__net_params(const ds__net *net);

/* Canonical layer list (the spec a description holds). */
int ds__net_describe(const ds__net *net, char *buf, size_t size);

/* Sets the model's L, sizes, offsets and counts from m->net. */
ds_status ds__net_layout(ds_model *m);

/* Fills the network's parameters (p->init) and resets its state. */
void ds__net_init_params(ds_model *m, const ds_model_params *p);

/* Floats of workspace per reserved row. */
size_t ds__net_row_floats(const ds__net *net);

/* Workspace for max_rows rows: act[1..L], aux, gradient buffers, rowloss. */
ds_status ds__net_reserve(ds_model *m, size_t max_rows);

/* Forward over r rows starting at row c0 of the batch (c0 seeds dropout);
 * train: batch statistics and dropout, else running statistics. The output
 * is in act[L]. */
ds_status ds__net_forward(ds_model *m, const float *x, size_t c0, size_t r, int train);

/* Backward over r rows whose dL/d(output) is in act[L]; acc as backward's. */
ds_status ds__net_backward(ds_model *m, const float *x, size_t r, int acc);

/* Per-layer kernels (layers.c): forward writes out from in, backward
 * writes din (NULL: not needed) and the layer's parameter gradients; the
 * products go through the model's compute layer (compute.h), whose
 * failures they return. */
ds_status ds__layer_forward(ds_model *m, int l, const float *in, float *out, size_t c0, size_t r,
                            int train);
ds_status ds__layer_backward(ds_model *m, int l, const float *in, const float *out,
                             const float *dout, float *din, size_t r, int acc);

#endif
