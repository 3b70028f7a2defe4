/* descent/infer.h - using a trained model: load a model file, predict
 * batches of rows into the caller's buffers, free.
 *
 *     ds_infer *inf;
 *     if (ds_infer_load("model.ckpt", NULL, &inf) != DS_OK) ... ds_last_error() ...
 *     size_t k = ds_infer_outputs(inf);          // floats per output row
 *     float *p = malloc(n * k * sizeof *p);
 *     int32_t *cls = malloc(n * sizeof *cls);
 *     ds_infer_classify(inf, x, n, cls, p);      // or ds_infer_predict(inf, x, n, p)
 *     ds_infer_free(inf);
 *
 * A model file is a checkpoint written by `descent train --save` (or
 * ds_trainer_save): its description and parameters are read, nothing of
 * the training state is kept.
 *
 * Outputs: a classifier (a model trained with the softmax cross-entropy)
 * gives one probability per class (the softmax of the last layer), and the
 * class is the first index of the largest probability. Any other model
 * (mse or sse loss: regression, the sigmoid neuron) gives its output
 * layer's values as they are (ds_infer_classes is 0).
 *
 * Threads: a loaded ds_infer is read-only. Any number of threads may call
 * the predict functions on one ds_infer at once: each call takes one of
 * `slots` copies of the model made at load, each with its own workspace and
 * compute context (and waits for one when all are in use), so no call
 * allocates and no state is global. The results do not depend on which
 * slot or how many rows a call is given (rows are computed in chunks of
 * max_rows, fewer where a chunk's workspace would pass 256 MiB; see model.h
 * on thread counts and float rounding). Every model descent trains loads:
 * mlp, neuron and layer networks (evaluation mode: batch norm's running
 * statistics, no dropout).
 *
 * Errors: ds_status with a message in ds_last_error() (thread-local). */
#ifndef DESCENT_INFER_H
#define DESCENT_INFER_H

#include "descent/export.h"

#include "descent/error.h"
#include "descent/model.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_infer_params {
    size_t max_rows; /* rows per forward chunk of one call (>= 1); default 256 */
    int slots;       /* concurrent calls served without waiting (>= 1);
                        default 0: one per processor */
    int threads;     /* threads of each call's products and loops (>= 1;
                        0 = one per processor); default 1. On the OpenBLAS
                        backend its thread count is process-wide. */
} ds_infer_params;

/* max_rows 256, slots 0 (one per processor), threads 1. */
DS_API ds_infer_params ds_infer_default_params(void);

typedef struct ds_infer ds_infer;

/* Loads the model of a model file (a checkpoint) with the preprocessing it
 * records (descent/prep.h: the features' normalization and missing
 * values' fill, applied to every row before the first layer; the class
 * names). p NULL = the defaults.
 * On failure *out is NULL: DS_ERR_IO / DS_ERR_FORMAT / DS_ERR_NOT_FOUND
 * naming the file (missing, truncated, corrupt, not a model), DS_ERR_INVALID
 * (bad params), DS_ERR_NOMEM. */
DS_API ds_status ds_infer_load(const char *path, const ds_infer_params *p, ds_infer **out);

/* The same from a model in memory, without preprocessing: its structure
 * and parameters are copied (m may be freed or trained on afterwards). */
DS_API ds_status ds_infer_from_model(const ds_model *m, const ds_infer_params *p, ds_infer **out);

/* Frees everything; no call may be running on it. NULL is a no-op. */
DS_API void ds_infer_free(ds_infer *inf);

/* Floats per input row (the model's inputs) and per output row (its
 * outputs); the number of classes of a classifier, 0 otherwise. */
DS_API size_t ds_infer_inputs(const ds_infer *inf);
DS_API size_t ds_infer_outputs(const ds_infer *inf);
DS_API size_t ds_infer_classes(const ds_infer *inf);

struct ds_prep;

/* The preprocessing the model file recorded (owned by inf), or NULL when
 * it records none: its class names (ds_prep_class_name) name the classes
 * ds_infer_classify returns. */
DS_API const struct ds_prep *ds_infer_prep(const ds_infer *inf);

/* The model's description (model.h: ds_model_describe), e.g.
 * "mlp:784-256-10 act=relu loss=xent"; owned by inf. */
DS_API const char *ds_infer_describe(const ds_infer *inf);

/* n rows of x (n x inputs floats, row-major) into out (n x outputs floats):
 * class probabilities of a classifier, else the output values. n = 0 does
 * nothing. DS_ERR_INVALID for a NULL pointer with n > 0 (nothing written). */
DS_API ds_status ds_infer_predict(ds_infer *inf, const float *x, size_t n, float *out);

/* A classifier's classes of n rows into cls (n int32s) and, if proba is not
 * NULL, their probabilities (n x classes floats). DS_ERR_INVALID for a
 * model that is not a classifier or a NULL x / cls with n > 0. */
DS_API ds_status ds_infer_classify(ds_infer *inf, const float *x, size_t n, int32_t *cls,
                                   float *proba);

/* ---- Export ---------------------------------------------------------- */

typedef struct ds_onnx_params {
    int softmax; /* 1: end the graph with a Softmax (classifiers only): its
                    output is ds_infer_predict's probabilities; 0 (default):
                    the last layer's values (the logits of a classifier) */
} ds_onnx_params;

/* The export options' defaults: softmax 0. */
DS_API ds_onnx_params ds_onnx_default_params(void);

/* Writes the model as an ONNX file (IR version 7, opset 13; no protobuf
 * library involved). An mlp or neuron: per layer a Gemm (weights [out, in],
 * transB = 1) and its activation (Relu, Sigmoid, Tanh). A layer network:
 * per layer Conv (weights O x C x K x K, pads, strides),
 * BatchNormalization (the running statistics, epsilon 1e-5), MaxPool or
 * AveragePool, Relu / Sigmoid / Tanh, or Gemm, with a Flatten before a
 * dense layer that follows an image; dropout has no node (the identity in
 * inference). Then Softmax when asked. Input "input" [N, inputs], or
 * [N, C, H, W] for a network on images (a row of ds_infer_predict is that
 * image in C x H x W order); output "output" [N, outputs]; N symbolic.
 * The file is written atomically. DS_ERR_INVALID (softmax on a model that
 * is not a classifier), DS_ERR_IO naming the file, DS_ERR_NOMEM. */
DS_API ds_status ds_infer_export_onnx(const ds_infer *inf, const ds_onnx_params *p,
                                      const char *path);

/* Writes the weights alone as a safetensors file, named as torch's
 * nn.Sequential state_dict of the same network: ds_model_save_safetensors
 * (model.h; for an mlp "0.weight" [out, in], "0.bias", "2.weight", ...:
 * Linear layers at even indices, activations between them); atomically.
 * DS_ERR_IO, DS_ERR_NOMEM. */
DS_API ds_status ds_infer_export_safetensors(const ds_infer *inf, const char *path);

#ifdef __cplusplus
}
#endif
#endif
