/* descent/optim.h - the optimizer engine: every gradient-descent update rule.
 *
 * Usage (ggml-opt style: a params struct filled with defaults, an opaque
 * handle with _init/_free, errors as ds_status):
 *
 *     ds_opt_params p = ds_opt_default_params(DS_OPT_ADAM);
 *     p.lr = 0.01;  p.adam.beta2 = 0.99;           // or ds_opt_parse("adam:lr=0.01,beta2=0.99",
 * &p) ds_param_group g = { .x = w, .g = grad, .n = n }; ds_optim *opt = ds_optim_init(&p, &g, 1);
 * // NULL on failure, see ds_last_error() for (...) { compute grad at w; ds_optim_step(opt); }
 *     ds_optim_free(opt);
 *
 * Rules that must evaluate the objective themselves (nag's look-ahead,
 * rmsprop_nesterov, linesearch) need ds_optim_step_fn() with a callback; every
 * other rule accepts both entry points.
 *
 * Exact rules: torch.optim 1.13 (its documentation's pseudo-code) where the
 * optimizer exists there; the lecture forms from CS7015 / NPTEL / Ng
 * otherwise (see doc/optimizers.md for the formula of each rule and the paper
 * it follows). Parameters, gradients and state are float32; hyper-parameters
 * and bias corrections are computed in double and rounded once per step.
 *
 * Memory: the caller owns the x and g arrays of every group; they must stay
 * valid for the life of the optimizer. The optimizer allocates all of its
 * state for all groups in one contiguous block at _init and never allocates
 * in a step. */
#ifndef DESCENT_OPTIM_H
#define DESCENT_OPTIM_H

#include "descent/export.h"

#include "descent/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ds_opt_type {
    DS_OPT_SGD,              /* torch.optim.SGD: momentum, dampening, nesterov */
    DS_OPT_NAG,              /* lecture look-ahead Nesterov (CS7015 / Sutskever 2013) */
    DS_OPT_ADAGRAD,          /* torch.optim.Adagrad (+ eps_inside) */
    DS_OPT_RMSPROP,          /* torch.optim.RMSprop (+ eps_inside) */
    DS_OPT_RMSPROP_NESTEROV, /* NPTEL RMSProp with Nesterov momentum */
    DS_OPT_ADAM,             /* torch.optim.Adam (+ amsgrad, eps_inside) */
    DS_OPT_ADAMW,            /* torch.optim.AdamW (decoupled weight decay) */
    DS_OPT_ADAMAX,           /* torch.optim.Adamax */
    DS_OPT_NADAM,            /* torch.optim.NAdam */
    DS_OPT_RADAM,            /* torch.optim.RAdam */
    DS_OPT_ADADELTA,         /* torch.optim.Adadelta */
    DS_OPT_LION,             /* Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms" */
    DS_OPT_LINESEARCH,       /* CS7015 line search over a candidate list of rates */
    DS_OPT_COUNT
} ds_opt_type;

/* Momentum schedule applied on top of the momentum hyper-parameter. */
typedef enum ds_momentum_schedule {
    DS_MOMENTUM_CONSTANT = 0,
    /* Sutskever et al. 2013: gamma_t = min(1 - 2^(-1 - log2(floor(t/250) + 1)), momentum) */
    DS_MOMENTUM_SUTSKEVER
} ds_momentum_schedule;

#define DS_LINESEARCH_MAX 16

/* All options of one optimizer. Fill with ds_opt_default_params(type), then
 * change fields; only the nested struct of `type` (and the common fields) is
 * read. Spec keys (ds_opt_parse) are the field names. */
typedef struct ds_opt_params {
    ds_opt_type type;
    double lr;           /* learning rate (>= 0) */
    double weight_decay; /* L2 penalty added to the gradient (decoupled for adamw, lion) */
    double clip_norm;    /* > 0: clip the gradient to this global L2 norm first; 0: off */
    struct {
        double momentum, dampening;
        int nesterov;
        ds_momentum_schedule momentum_schedule;
    } sgd;
    struct {
        double momentum;
        ds_momentum_schedule momentum_schedule;
    } nag;
    struct {
        double lr_decay, initial_accumulator_value, eps;
        int eps_inside; /* 1: lr / sqrt(v + eps) as CS7015 writes it */
    } adagrad;
    struct {
        double alpha, eps, momentum;
        int centered, eps_inside;
    } rmsprop;
    struct {
        double alpha, momentum, eps; /* eps is always inside the square root */
    } rmsprop_nesterov;
    struct {
        double beta1, beta2, eps;
        int amsgrad, eps_inside;
    } adam; /* used by DS_OPT_ADAM and DS_OPT_ADAMW */
    struct {
        double beta1, beta2, eps;
    } adamax;
    struct {
        double beta1, beta2, eps, momentum_decay;
    } nadam;
    struct {
        double beta1, beta2, eps;
    } radam;
    struct {
        double rho, eps;
    } adadelta;
    struct {
        double beta1, beta2;
    } lion;
    struct {
        int n;                         /* number of candidates, 1..DS_LINESEARCH_MAX */
        double lrs[DS_LINESEARCH_MAX]; /* candidate learning rates (each >= 0) */
    } linesearch;
} ds_opt_params;

/* Defaults of torch.optim 1.13 for `type` (lecture defaults where torch lacks
 * the rule). Unknown type: returns the sgd defaults with .type = type. */
DS_API ds_opt_params ds_opt_default_params(ds_opt_type type);

/* Parses "NAME[:key=value,...]" (e.g. "adam:lr=0.05,beta2=0.99,amsgrad=1")
 * into *out, starting from the defaults of NAME, then validates. Names: sgd,
 * gd (= sgd), momentum (= sgd with momentum 0.9), nag, adagrad, rmsprop,
 * rmsprop_nesterov, adam, amsgrad (= adam with amsgrad 1), adamw, adamax,
 * nadam, radam, adadelta, lion, linesearch. On failure *out is unchanged and
 * the message names the offending name, key or value and what is accepted. */
DS_API ds_status ds_opt_parse(const char *spec, ds_opt_params *out);

/* Checks ranges (lr >= 0, betas/alpha/rho in [0, 1), eps >= 0, ...); the
 * message names the parameter and the accepted range. ds_opt_parse returns
 * DS_ERR_PARSE for malformed text (bad number, empty value, stray comma) and
 * DS_ERR_INVALID for unknown names or keys and out-of-range values. */
DS_API ds_status ds_opt_validate(const ds_opt_params *p);

/* Writes the canonical spec of p (every key of its rule, shortest exact
 * numbers) into buf; ds_opt_parse of the result gives back p. Returns the
 * length that the full text needs, as snprintf does. */
DS_API int ds_opt_format(const ds_opt_params *p, char *buf, size_t size);

/* Canonical lower-case name of a type ("adam"), or NULL if out of range. */
DS_API const char *ds_opt_name(ds_opt_type type);

/* One parameter group: a flat float array and its gradient, as torch's
 * param groups. `params` overrides the optimizer's options for this group
 * (its type must match); NULL uses the optimizer's. Typical use: biases in a
 * group with weight_decay = 0. */
typedef struct ds_param_group {
    float *x;                    /* parameters, updated in place */
    float *g;                    /* gradient of the loss at x, written by the caller */
    size_t n;                    /* number of floats in x and g */
    const ds_opt_params *params; /* NULL: the optimizer's params */
} ds_param_group;

typedef struct ds_optim ds_optim;

/* Creates an optimizer over `ngroups` groups (copied; the arrays are not).
 * Validates every params struct. Returns NULL on failure (ds_last_error()). */
DS_API ds_optim *ds_optim_init(const ds_opt_params *p, const ds_param_group *groups, int ngroups);

/* Frees the optimizer and its state (not the caller's arrays). NULL is a no-op. */
DS_API void ds_optim_free(ds_optim *opt);

/* One update of every non-frozen group from the gradients in their g arrays.
 * Fails with DS_ERR_UNSUPPORTED for rules that need ds_optim_step_fn (nag,
 * rmsprop_nesterov, linesearch), leaving everything unchanged. */
DS_API ds_status ds_optim_step(ds_optim *opt);

/* Evaluates the objective at the parameters currently in the groups' x
 * arrays. Must set *loss and, if need_grad, write the gradient into the
 * groups' g arrays. Returns DS_OK or an error that the step passes on. */
typedef ds_status (*ds_objective_fn)(void *ctx, int need_grad, double *loss);

/* One update driven by the objective: evaluates loss and gradient at x (at
 * the look-ahead point for nag and rmsprop_nesterov; at every candidate for
 * linesearch) and updates. *loss_out (may be NULL) receives the loss at the
 * point where the gradient was taken (the current x, or the look-ahead
 * point), as a training loop reports it. On a callback error the parameters
 * are restored and the step counter is unchanged. */
DS_API ds_status ds_optim_step_fn(ds_optim *opt, ds_objective_fn fn, void *ctx, double *loss_out);

/* Number of updates done by group i (torch's state['step']); -1 if there
 * is no group i. */
DS_API int64_t ds_optim_steps(const ds_optim *opt, int group);

/* Number of parameter groups given to ds_optim_init. */
DS_API int ds_optim_group_count(const ds_optim *opt);

/* The options group i runs with (its own or the optimizer's). */
DS_API const ds_opt_params *ds_optim_group_params(const ds_optim *opt, int group);

/* Current learning rate of group i: its params' lr times the last scale set
 * by ds_optim_set_lr (initially its params' lr). NaN if there is no group i.
 * For linesearch the candidates are lrs[k] times this (lr = 1 by default). */
DS_API double ds_optim_lr(const ds_optim *opt, int group);

/* Sets the learning rate that group i uses from the next step on (schedules
 * and plateau decay call this; the params' lr stays the base). lr >= 0. */
DS_API ds_status ds_optim_set_lr(ds_optim *opt, int group, double lr);

/* A frozen group is skipped by the step: parameters, state and its step
 * counter stay unchanged (torch's grad = None). */
DS_API ds_status ds_optim_set_frozen(ds_optim *opt, int group, int frozen);

/* Clears all state (buffers to their initial values, step counters to 0)
 * and restores every group's lr to its base. */
DS_API void ds_optim_reset(ds_optim *opt);

/* Named state, for checkpoints: each buffer and counter has a stable name
 * "g<group>.<buffer>" (e.g. "g0.exp_avg", "g0.step", "g1.momentum_buffer"),
 * never matched by position. */
typedef enum ds_state_type { DS_STATE_F32, DS_STATE_F64, DS_STATE_I64 } ds_state_type;

typedef struct ds_state_info {
    const char *name; /* owned by the optimizer */
    ds_state_type type;
    size_t count; /* number of elements */
} ds_state_info;

/* Number of named state entries (all groups). */
DS_API size_t ds_optim_state_count(const ds_optim *opt);

/* Describes state entry i (0 <= i < ds_optim_state_count); NULL if out of range. */
DS_API const ds_state_info *ds_optim_state_info(const ds_optim *opt, size_t i);

/* Copies the named entry out (count must equal the entry's count) /
 * overwrites it. DS_ERR_NOT_FOUND for an unknown name, DS_ERR_MISMATCH for a
 * wrong count or type. */
DS_API ds_status ds_optim_state_get(const ds_optim *opt, const char *name, ds_state_type type,
                                    void *dst, size_t count);
DS_API ds_status ds_optim_state_set(ds_optim *opt, const char *name, ds_state_type type,
                                    const void *src, size_t count);

/* Threads the step's loops may use (OpenMP); 0 = the OpenMP default. Results
 * are identical for any thread count (the loops are element-wise; the
 * clip_norm reduction uses a fixed blocking). */
DS_API void ds_optim_set_threads(ds_optim *opt, int threads);

/* Momentum in use at update t (0-based) for the given base momentum and
 * schedule; exposed for tests, plots and the lecture report. */
DS_API double ds_momentum_at(double momentum, ds_momentum_schedule schedule, int64_t t);

/* Bytes one step of `type` must read and write per parameter (x, g and the
 * state buffers; look-ahead rules' second pass over x, x0 and the velocity;
 * line search's candidates), for bandwidth accounting in the benchmark. */
DS_API size_t ds_opt_bytes_per_param(const ds_opt_params *p);

#ifdef __cplusplus
}
#endif
#endif
