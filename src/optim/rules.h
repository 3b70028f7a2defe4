/* rules.h - private contract between the optimizer handle (optim.c), the spec
 * parser (spec.c) and the update rules (sgd_nag.c, adaptive.c, adam_family.c,
 * lion_linesearch.c).
 *
 * A rule is a table entry: its name, how it needs the objective (plain
 * gradient, look-ahead point, or line search), the state buffers it keeps
 * (torch's names, so checkpoints read like torch's state_dict) and one fused
 * element-wise update over flat float arrays. The handle owns all memory; a
 * rule only reads and writes the arrays it is given and never allocates. */
#ifndef DESCENT_OPTIM_RULES_H
#define DESCENT_OPTIM_RULES_H

#include "core/internal.h" /* DS__CLONES */
#include "descent/optim.h"

#include <stddef.h>
#include <stdint.h>

/* Most float state buffers any rule keeps (rmsprop: square_avg, grad_avg,
 * momentum_buffer; adam: exp_avg, exp_avg_sq, max_exp_avg_sq). */
#define DS__MAX_BUFS 3

/* Below this many elements a loop runs on one thread: waking a team costs
 * more than the loop itself. The result never depends on it. */
#define DS__PAR_MIN 32768

/* The parallel element-wise loop used by every rule. It expects locals `nt`
 * (threads, > 0) and `n` (elements). Element-wise loops give identical
 * results for any thread count. Without -fopenmp the pragma disappears (an
 * unknown pragma would warn under -Wall; `nt` is then marked used). */
#ifdef _OPENMP
#define DS__OMP_LOOP                                                                               \
    _Pragma("omp parallel for simd schedule(static) num_threads(nt) if(n > DS__PAR_MIN)")
#else
#define DS__OMP_LOOP (void)nt;
#endif

/* How a rule obtains its gradient. */
typedef enum ds__kind {
    DS__PLAIN,     /* gradient at x: ds_optim_step or ds_optim_step_fn */
    DS__LOOKAHEAD, /* gradient at a look-ahead point computed from x0 and state */
    DS__LINESEARCH /* gradient at x, then the loss at every candidate */
} ds__kind;

/* One state buffer: its name and the value it starts from (and returns to
 * on reset). */
typedef struct ds__buf {
    const char *name;
    float init;
} ds__buf;

/* Everything one group's update needs for one step. */
typedef struct ds__step {
    size_t n;
    float *x;               /* parameters (for look-ahead rules: the look-ahead point) */
    const float *g;         /* gradient, already clipped */
    float *x0;              /* the parameters before the step (look-ahead rules save them) */
    float *s[DS__MAX_BUFS]; /* state buffers, in the order buffers() lists them */
    const ds_opt_params *p; /* the group's options */
    double lr;              /* current learning rate (schedules change it) */
    int64_t t;              /* updates done before this one (0-based index) */
    double *mu_product;     /* nadam's running product of momentum coefficients */
    int threads;            /* > 0 */
} ds__step;

typedef struct ds__rule {
    const char *name;
    ds__kind kind;
    /* Writes the buffers `p` needs (at most DS__MAX_BUFS) into out; returns
     * how many. Buffers the options do not need (no momentum, no amsgrad)
     * are not allocated, as torch does not create them. */
    int (*buffers)(const ds_opt_params *p, ds__buf *out);
    /* Look-ahead rules: saves the parameters st->x into st->x0 and writes
     * the point where the gradient is taken into st->x, in one pass (the
     * handle restores x from x0 if the step fails). NULL for other rules. */
    void (*lookahead)(const ds__step *st);
    /* The update. Line search has none (the handle moves x itself). */
    void (*update)(const ds__step *st);
    int has_mu_product; /* keeps nadam's F64 "mu_product" */
} ds__rule;

/* The rule of a type, or NULL if out of range. */
const ds__rule *ds__rule_of(ds_opt_type type);

/* The rules, defined in their family's source file. */
extern const ds__rule ds__rule_sgd, ds__rule_nag;
extern const ds__rule ds__rule_adagrad, ds__rule_rmsprop, ds__rule_rmsprop_nesterov,
    ds__rule_adadelta;
extern const ds__rule ds__rule_adam, ds__rule_adamw, ds__rule_adamax, ds__rule_nadam,
    ds__rule_radam;
extern const ds__rule ds__rule_lion, ds__rule_linesearch;

/* x[i] = x0[i] - lr * g[i] for the line search's candidates. */
void ds__linesearch_move(size_t n, float *x, const float *x0, const float *g, double lr,
                         int threads);

/* Shared by several rules: no buffers at all. */
int ds__no_buffers(const ds_opt_params *p, ds__buf *out);

#endif
