/* descent/model.h - models trained by gradient descent: multi-layer networks
 * with backpropagation (Ng's L-layer network) and the lectures' sigmoid
 * neuron (CS7015), on CBLAS.
 *
 * Usage:
 *
 *     ds_model_params p = ds_model_default_params();
 *     p.act = DS_ACT_TANH;  p.l2 = 1e-4;  p.seed = 42;  // or ds_act_parse / ds_loss_parse /
 * ds_init_parse ds_model *m = ds_model_init("mlp:784-256-128-10", 0, &p);  // NULL: ds_last_error()
 *     ds_model_reserve(m, 128);                  // workspace for batches of up to 128 rows
 *     ds_param_group g[DS_MODEL_GROUPS];
 *     ds_model_param_groups(m, g);                // g[0] weights, g[1] biases
 *     ... ds_optim_init(&opt, g, DS_MODEL_GROUPS) ...
 *     for (...) { ds_model_forward_backward(m, &batch, &loss); ds_optim_step(opt); }
 *     ds_model_free(m);
 *
 * Spec strings:
 *   mlp:N0-N1-...-NL  N0 inputs, hidden layers N1..N(L-1), NL outputs
 *                     (at least two sizes; mlp:784-10 is softmax regression);
 *                     N0 and NL may be `auto`: taken from the data
 *                     (ds_model_init_data)
 *   neuron            the sigmoid neuron f(x) = 1 / (1 + e^-(w.x + b)): as
 *                     many inputs as the data has (the `inputs` argument),
 *                     one sigmoid output
 *   neuron:N          the same with N inputs (the form descriptions use)
 *
 * Layers. Layer l (1..L) maps A[l-1] (batch rows x N(l-1)) to
 *   Z[l] = A[l-1] W[l]^T + b[l],   A[l] = g[l](Z[l])
 * with W[l] stored row-major as N(l) rows of N(l-1) floats (out x in, the
 * torch.nn.Linear convention) and b[l] of N(l) floats. g is the hidden
 * activation for l < L; for the output layer g is the identity (mlp; the
 * softmax is part of the cross-entropy loss) or the sigmoid (neuron).
 *
 * Losses, over a batch of m rows with C outputs (doc/models.md has the
 * derivatives):
 *   xent  (1/m) sum_i [log sum_j e^{z_ij} - z_i,y_i]   softmax cross-entropy
 *         on integer labels, computed with log-sum-exp; needs C >= 2
 *   mse   (1/(m C)) sum_i sum_j (a_ij - t_ij)^2         torch's MSELoss (mean)
 *   sse   (1/2) sum_i sum_j (a_ij - t_ij)^2             CS7015's neuron loss
 * mse and sse take targets, or labels: with C = 1 the label (0 or 1) is the
 * target, with C > 1 its one-hot vector. Every loss adds Ng's L2 term
 * lambda/(2m) sum_l ||W[l]||_F^2 (weights only, m = rows in the batch).
 *
 * Memory: all parameters live in one contiguous float array laid out as
 * [W1 W2 ... WL | b1 b2 ... bL], and all gradients in a second array with
 * the same layout, so the weights are one sub-range and the biases another.
 * Both arrays belong to the model and stay at the same address for its
 * whole life. Forward and backward always read the live parameter array, so
 * an optimizer may change it between calls (nag's look-ahead).
 *
 * Threads and determinism: matrix products are OpenBLAS sgemm calls with
 * the batch as the M dimension; bias, activation and loss are fused OpenMP
 * loops whose results do not depend on the thread count (the loss is summed
 * per row, then over rows in order). At a fixed thread count results are
 * identical bit for bit run to run; across thread counts they agree to
 * float rounding (OpenBLAS may split a product differently).
 *
 * Errors: functions return a ds_status (constructors NULL) and leave a
 * message in ds_last_error(). On failure nothing the caller owns is changed
 * unless the function says otherwise. */
#ifndef DESCENT_MODEL_H
#define DESCENT_MODEL_H

#include "descent/export.h"

#include "descent/batch.h"
#include "descent/error.h"
#include "descent/optim.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Activation of the hidden layers. */
typedef enum ds_activation {
    DS_ACT_RELU,    /* max(0, z) */
    DS_ACT_SIGMOID, /* 1 / (1 + e^-z) */
    DS_ACT_TANH,    /* tanh z */
    DS_ACT_COUNT
} ds_activation;

typedef enum ds_loss {
    DS_LOSS_AUTO, /* the model's default: xent for mlp, sse for neuron */
    DS_LOSS_XENT, /* softmax cross-entropy on labels, mean over the batch */
    DS_LOSS_MSE,  /* mean squared error over batch and outputs */
    DS_LOSS_SSE,  /* 1/2 sum of squared errors over the batch */
    DS_LOSS_COUNT
} ds_loss;

typedef enum ds_init {
    DS_INIT_DEFAULT, /* He for layers followed by relu, Xavier otherwise */
    DS_INIT_HE,      /* He et al. 2015 normal: W ~ N(0, 2 / fan_in), b = 0 */
    DS_INIT_XAVIER,  /* Glorot & Bengio 2010 uniform: W ~ U(-a, a),
                        a = sqrt(6 / (fan_in + fan_out)), b = 0 */
    DS_INIT_ZEROS,   /* every weight and bias 0 */
    DS_INIT_CONST,   /* every weight and bias = init_value (the lectures'
                        neuron starts at w = b = -2) */
    DS_INIT_COUNT
} ds_init;

/* Options of a model. Fill with ds_model_default_params(), then change. */
/* Precision of the products' operands (model.h's ds_model_params). bf16:
 * the operands are rounded to bfloat16 for each product, which accumulates
 * and stores in fp32; weights, gradients and optimizer state stay fp32. It
 * needs the oneDNN backend and a CPU with native bf16 (AVX512_BF16 or AMX):
 * elsewhere ds_model_init fails with DS_ERR_UNSUPPORTED. */
typedef enum { DS_PRECISION_FP32, DS_PRECISION_BF16, DS_PRECISION_COUNT } ds_precision;

typedef struct ds_model_params {
    ds_activation act;      /* hidden layers; default relu */
    ds_loss loss;           /* default DS_LOSS_AUTO */
    double l2;              /* lambda >= 0 of the L2 term; default 0 */
    ds_init init;           /* default DS_INIT_DEFAULT */
    double init_value;      /* the constant of DS_INIT_CONST */
    uint64_t seed;          /* initial weights: same seed, same parameters; default 0 */
    ds_precision precision; /* of the products; default fp32 */
} ds_model_params;

/* Defaults: relu, loss chosen by the model (xent for mlp, sse for neuron),
 * no L2, the activation's default init, seed 0, fp32 products. */
DS_API ds_model_params ds_model_default_params(void);

/* Parsers for command-line words. On failure *out is unchanged and the
 * message names the word and what is accepted, e.g.
 * "unknown activation 'relux' (accepted: relu, sigmoid, tanh)".
 *   ds_act_parse:  relu | sigmoid | tanh
 *   ds_loss_parse: xent (alias cross-entropy) | mse | sse
 *   ds_init_parse: default | he | xavier | zeros | const:V (V a finite
 *                  number); sets p->init and, for const, p->init_value
 *   ds_precision_parse: fp32 | bf16 (whether this build and CPU can run
 *                  bf16 is ds_model_init's to say) */
DS_API ds_status ds_act_parse(const char *s, ds_activation *out);
DS_API ds_status ds_loss_parse(const char *s, ds_loss *out);
DS_API ds_status ds_init_parse(const char *s, ds_model_params *p);
DS_API ds_status ds_precision_parse(const char *s, ds_precision *out);

/* Canonical names ("relu", "xent", "he", ...); "auto" for DS_LOSS_AUTO;
 * NULL if out of range. */
DS_API const char *ds_act_name(ds_activation a);
DS_API const char *ds_loss_name(ds_loss l);
DS_API const char *ds_init_name(ds_init i);
DS_API const char *ds_precision_name(ds_precision p);

typedef struct ds_model ds_model;

/* Creates a model from a spec (see above) and initialises its parameters
 * from p (NULL: the defaults). `inputs` is the data's feature count: it
 * gives the neuron its size; for mlp and neuron:N it must be 0 or equal to
 * N0 / N (else DS_ERR_MISMATCH). Sizes must be positive integers whose
 * products fit (each layer's sizes at most INT_MAX for CBLAS; the parameter
 * count times sizeof(float) in a size_t). Reserves a workspace for
 * DS_MODEL_DEFAULT_BATCH rows. Returns NULL on failure (bad spec: DS_ERR_PARSE
 * naming the item; bad option or size: DS_ERR_INVALID; parameters and
 * gradients larger than the machine's memory or the process's limit:
 * DS_ERR_NOMEM with both sizes, checked before allocating; ds_last_error()). */
#define DS_MODEL_DEFAULT_BATCH 256
DS_API ds_model *ds_model_init(const char *spec, size_t inputs, const ds_model_params *p);

/* ds_model_init with the sizes the data gives: an mlp's first size may be
 * `auto` (= inputs, the data's features) and its last `auto` (= outputs:
 * the data's classes, or its regression targets per row), e.g.
 * "mlp:auto-256-128-auto" on 20 features and 3 classes is mlp:20-256-128-3.
 * A size in between cannot be auto (DS_ERR_PARSE); an auto size whose
 * count is 0 (not known) is DS_ERR_INVALID. ds_model_init(spec, inputs, p)
 * is ds_model_init_data(spec, inputs, 0, p). */
DS_API ds_model *ds_model_init_data(const char *spec, size_t inputs, size_t outputs,
                                    const ds_model_params *p);

/* Frees the model, its parameter, gradient and workspace arrays (pointers
 * obtained from it become invalid). NULL is a no-op. */
DS_API void ds_model_free(ds_model *m);

/* Writes the canonical description of the model's structure into buf,
 * snprintf style (returns the length the full text needs):
 *   "mlp:784-256-10 act=relu loss=xent"   ("act=" only with hidden layers)
 *   "neuron:2 loss=sse"
 *   "mlp:784-10 loss=xent precision=bf16"  ("precision=" only for bf16)
 * Two models with equal descriptions have the same parameter layout, so a
 * checkpoint compares descriptions to reject "a file for another model". */
DS_API int ds_model_describe(const ds_model *m, char *buf, size_t size);

/* Creates a model from a description written by ds_model_describe: its
 * act=, loss= and precision= override p's (p: l2, init, seed; NULL = defaults). An
 * unknown key or malformed description fails with DS_ERR_PARSE. */
DS_API ds_model *ds_model_init_desc(const char *desc, const ds_model_params *p);

/* The number of parameters the model of a description has, computed from
 * its layer sizes without building it (nothing large is allocated), so a
 * loader can compare it with a stored parameter array first. DS_ERR_PARSE /
 * DS_ERR_INVALID as ds_model_init_desc. */
DS_API ds_status ds_model_desc_params(const char *desc, size_t *n);

/* The options in use (loss resolved: never DS_LOSS_AUTO). */
DS_API const ds_model_params *ds_model_get_params(const ds_model *m);

/* Sets lambda of the L2 term (>= 0, finite; else DS_ERR_INVALID). */
DS_API ds_status ds_model_set_l2(ds_model *m, double lambda);

/* Structure: L = ds_model_layer_count (>= 1); ds_model_size(m, l) is N(l)
 * for 0 <= l <= L (0 beyond). Inputs = N0, outputs = NL. */
DS_API int ds_model_layer_count(const ds_model *m);
DS_API size_t ds_model_size(const ds_model *m, int l);
DS_API size_t ds_model_inputs(const ds_model *m);
DS_API size_t ds_model_outputs(const ds_model *m);
DS_API int ds_model_is_neuron(const ds_model *m);

/* The parameter and gradient arrays (owned by the model, param_count floats
 * each, layout [W1 .. WL | b1 .. bL]); weight_count floats of weights come
 * first, then param_count - weight_count floats of biases. */
DS_API float *ds_model_param_data(ds_model *m);
DS_API float *ds_model_grad_data(ds_model *m);
DS_API size_t ds_model_param_count(const ds_model *m);
DS_API size_t ds_model_weight_count(const ds_model *m);

/* Views into those arrays for layer l (1..L): W[l] (N(l) x N(l-1),
 * row-major) and b[l]; NULL if l is out of range. */
DS_API float *ds_model_weight(ds_model *m, int l);
DS_API float *ds_model_bias(ds_model *m, int l);
DS_API float *ds_model_weight_grad(ds_model *m, int l);
DS_API float *ds_model_bias_grad(ds_model *m, int l);

/* State of a layer network beside its parameters, which no optimizer
 * updates: batch norm's running means and variances (for each batchnorm
 * layer in order, C means then C variances), and the count of training
 * passes (calls of ds_model_forward_backward: torch's num_batches_tracked,
 * and with the seed what draws the dropout masks). A checkpoint saves and
 * restores both, so a resumed run is bit-identical. state_count is 0 for
 * models without batch norm (state_data then points to no floats). */
DS_API float *ds_model_state_data(ds_model *m);
DS_API size_t ds_model_state_count(const ds_model *m);
DS_API uint64_t ds_model_passes(const ds_model *m);
DS_API void ds_model_set_passes(ds_model *m, uint64_t passes);

/* Floating-point operations of the matrix products of one example's
 * training step (2 per multiply-add): per layer with parameters the forward
 * product and as many for the weight gradient and for the input gradient,
 * none of that last for the first layer. A dense layer of F inputs and U
 * outputs does F U multiply-adds per product, a conv layer O C K K per
 * output position. Bias, activation, pooling, normalization and loss are
 * not counted, as GEMM benchmarks do not count them. */
DS_API double ds_model_step_flops(const ds_model *m);

/* Weights in and out in safetensors (https://github.com/huggingface/safetensors),
 * the format torch, JAX and the ecosystem share: 8 bytes of little-endian
 * header length, a JSON header, raw little-endian data. The tensors are
 * named as torch's state_dict of the equivalent nn.Sequential (one module
 * per layer, an nn.Flatten before the first dense layer after an image;
 * an mlp is Linear, activation, Linear, ...): "N.weight" and "N.bias" of
 * conv (O x C x K x K) and dense (out x in) layers, and of batch norm
 * (gamma, beta) with its "N.running_mean", "N.running_var" (F32, C) and
 * "N.num_batches_tracked" (I64, a scalar: the model's pass count); all
 * else is F32. doc/models.md lists them for a spec.
 * Load: every tensor of the model must be in the file with its dtype and
 * shape, and the file must hold no other (but "__metadata__"); else
 * DS_ERR_MISMATCH naming the tensor, and nothing is changed. DS_ERR_IO,
 * DS_ERR_FORMAT (not safetensors, bad offsets). Save: written atomically
 * (a temporary file renamed), the description in __metadata__.descent. */
DS_API ds_status ds_model_load_safetensors(ds_model *m, const char *path);
DS_API ds_status ds_model_save_safetensors(const ds_model *m, const char *path);

/* Fills out[0] with the weights group and out[1] with the biases group
 * (x, g, n into the model's arrays; params = NULL for the caller to set,
 * e.g. a copy of the options with weight_decay = 0 for the biases). The two
 * groups cover the parameter array exactly once. */
#define DS_MODEL_GROUPS 2
DS_API void ds_model_param_groups(ds_model *m, ds_param_group out[DS_MODEL_GROUPS]);

/* Re-draws all parameters as ds_model_init did, from the init, init_value
 * and seed in p (p's act/loss are ignored). DS_ERR_INVALID for a bad init. */
DS_API ds_status ds_model_reinit(ds_model *m, const ds_model_params *p);

/* Allocates the workspace (activations and deltas) for batches of up to
 * max_rows rows (> 0); the only allocation a model makes after init. A
 * larger batch passed to any function below is processed in chunks of
 * max_rows rows through the same workspace (the result is the same up to
 * float summation order), so no call ever allocates (but for the oneDNN
 * backend's kernel per new product shape, made at its first use and kept).
 * On failure the old workspace is kept (DS_ERR_NOMEM). */
DS_API ds_status ds_model_reserve(ds_model *m, size_t max_rows);
/* Bytes of workspace each reserved row takes (2.6 KB for
 * mlp:784-256-128-10, 1.3 MB for 2c2d), for choosing max_rows. */
DS_API size_t ds_model_row_bytes(const ds_model *m);
DS_API size_t ds_model_reserved(const ds_model *m);

/* Threads for the model's loops and products (threads >= 1; 0 = one per
 * processor). With the OpenBLAS backend this calls
 * openblas_set_num_threads, which is process-wide. */
DS_API void ds_model_set_threads(ds_model *m, int threads);
DS_API int ds_model_threads(const ds_model *m);

/* The backend doing the models' matrix products, chosen when the library
 * was built (-DDESCENT_BACKEND): "onednn" or "openblas". */
DS_API const char *ds_backend_name(void);
/* One line naming the backend's library, version and CPU kernels
 * ("oneDNN 2.6.3 (isa avx512_core_bf16)", or OpenBLAS's build string);
 * with m (may be NULL), also the kernels m's products have run so far
 * (oneDNN's implementation names, e.g. "brg:avx512_core"). Returns the
 * length as snprintf does. */
DS_API int ds_backend_describe(const ds_model *m, char *buf, size_t size);

/* Seconds the model's matrix products have taken since it was made, and
 * in *flops (may be NULL) their floating-point operations (2 m k n each):
 * the products of dense layers (forward, weight gradient, input gradient,
 * with the bias and activation oneDNN fuses into them; not the bias sums),
 * and on the OpenBLAS backend also those a convolution is made of. Divided,
 * the products' rate inside training, to set beside the backend's matrix
 * product alone (`descent bench train`). */
DS_API double ds_model_product_seconds(const ds_model *m, double *flops);

/* Forward and backward pass on the batch: *loss (may be NULL) receives the
 * cost (the loss plus the L2 term), and the gradient of that cost with
 * respect to every parameter overwrites the gradient array. The batch needs
 * features == inputs and either labels (each in [0, outputs), or 0/1 with
 * one output; required by xent) or targets with outputs == the model's.
 * Errors: DS_ERR_MISMATCH (sizes), DS_ERR_INVALID (empty batch, missing
 * labels/targets, a label out of range; nothing written), DS_ERR_NONFINITE
 * (the cost is NaN or infinite: *loss and the gradient are written anyway,
 * so the caller can inspect them). */
DS_API ds_status ds_model_forward_backward(ds_model *m, const ds_batch *b, double *loss);

/* The cost as above and, if accuracy != NULL, the fraction of rows
 * classified right (argmax of the outputs == label; with one output,
 * output > 0.5 == label; NaN when the batch has targets instead of labels).
 * Leaves the gradient array untouched. Same errors as forward_backward. */
DS_API ds_status ds_model_evaluate(ds_model *m, const ds_batch *b, double *loss, double *accuracy);

/* Outputs for n rows of x (n x inputs floats) into out (n x outputs
 * floats): class probabilities (softmax) for xent, the sigmoid for the
 * neuron, the linear outputs of an mlp under mse/sse. */
DS_API ds_status ds_model_predict(ds_model *m, const float *x, size_t n, float *out);

/* A ready-made ds_objective_fn (optim.h) for rules that evaluate the
 * objective themselves (nag, rmsprop_nesterov, linesearch): ctx is a
 * ds_model_objective; need_grad selects forward_backward or evaluate. */
typedef struct ds_model_objective {
    ds_model *model;
    const ds_batch *batch;
} ds_model_objective;

/* A ds_objective_fn (optim.h) over a ds_model_objective context: loss and,
 * if need_grad, gradient of the model on ctx->batch at the live parameters.
 * Pass it to ds_optim_step_fn for nag, rmsprop_nesterov and linesearch. */
DS_API ds_status ds_model_objective_fn(void *ctx, int need_grad, double *loss);

#ifdef __cplusplus
}
#endif
#endif
