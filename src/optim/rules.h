/* rules.h - private contract between the optimizer handle (optim.c), the spec
 * parser (spec.c) and the update rules (sgd_nag.c, adaptive.c, adam_family.c,
 * lion_linesearch.c).
 *
 * A rule is a table entry: its name, how it needs the objective (plain
 * gradient, look-ahead point, or line search), the state buffers it keeps
 * (torch's names, so checkpoints read like torch's state_dict) and one fused
 * element-wise update over flat float arrays. The handle owns all memory; a
 * rule only reads and writes the arrays it is given and never allocates.
 *
 * Each update is a `static inline` kernel: one plain loop over [lo, hi) with
 * its arrays and a struct of per-step scalars as arguments. A driver cuts the
 * group into one block per thread and calls the kernel inside the parallel
 * loop with literal flags (amsgrad, centered, ...), so every call is inlined
 * into the loop OpenMP outlines and specialized there: no flag is read per
 * element and each variant vectorizes. */
#ifndef DESCENT_OPTIM_RULES_H
#define DESCENT_OPTIM_RULES_H

#include "core/internal.h" /* DS__CLONES */
#include "descent/optim.h"

#include <stddef.h>
#include <stdint.h>

/* Most float state buffers any rule keeps (rmsprop: square_avg, grad_avg,
 * momentum_buffer; adam: exp_avg, exp_avg_sq, max_exp_avg_sq). */
#define DS__MAX_BUFS 3

/* The parallel loop over a driver's blocks (DS__OMP_FOR(team) before
 * `for (int b = 0; b < team; b++)`), and the vectorization of a kernel's loop
 * (DS__OMP_SIMD): the rules build at -O2, whose cost model does not vectorize
 * a loop of unknown length unless asked. Without -fopenmp both disappear (an
 * unknown pragma would warn under -Wall) and the blocks run in turn. */
#ifdef _OPENMP
#define DS__PRAGMA(text) _Pragma(#text)
#define DS__OMP_FOR(team) DS__PRAGMA(omp parallel for schedule(static) num_threads(team))
#define DS__OMP_SIMD _Pragma("omp simd")
#else
#define DS__OMP_FOR(team)
#define DS__OMP_SIMD
#endif

/* An update over fewer parameters than this runs on one thread. A step
 * touches every parameter once, and below about a million of them the
 * arrays stream from the cache of the core that wrote them: a second core
 * must first fetch its half from there, which costs more than it computes.
 * Measured on 2 cores (`descent bench optim`, us per step, 1 vs 2 threads):
 * at 262144 parameters adam 59 vs 74, sgd 25 vs 32; at 1048576 a draw (sgd
 * 107 vs 114, adam 205 vs 180); at 2097152 two threads win every rule (adam
 * 612 vs 423). Inside training, where the products ran on one core, two
 * threads took 2-4x one thread's time at 235146 parameters. */
#define DS__STEP_PAR_MIN (1u << 20)

/* Threads for an update over n parameters: one below DS__STEP_PAR_MIN. */
static inline int ds__team(size_t n, int threads)
{
    return n >= DS__STEP_PAR_MIN ? threads : 1;
}

/* Block b of [0, n) cut into `blocks` pieces, each starting a multiple of
 * 16 floats (64 bytes) into the array: in the 64-byte aligned state buffers
 * no two threads write the same cache line. Results never depend on the cut:
 * every element is computed on its own. */
typedef struct ds__range {
    size_t lo, hi;
} ds__range;

static inline ds__range ds__block(size_t n, int blocks, int b)
{
    const size_t len = ((n + (size_t)blocks - 1) / (size_t)blocks + 15) / 16 * 16;
    const size_t lo = (size_t)b * len < n ? (size_t)b * len : n;
    return (ds__range){.lo = lo, .hi = lo + len < n ? lo + len : n};
}

/* How a rule obtains its gradient. */
typedef enum ds__kind {
    DS__PLAIN,     /* gradient at x: ds_optim_step or ds_optim_step_fn */
    DS__LOOKAHEAD, /* gradient at a look-ahead point computed from x0 and state */
    DS__LINESEARCH /* gradient at x, then the loss at every candidate */
} ds__kind;

/* One state buffer: its name (NULL: not kept) and the value it starts from
 * (and returns to on reset). */
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
    float *s[DS__MAX_BUFS]; /* state buffers, indexed by the rule's enum; NULL if not kept */
    const ds_opt_params *p; /* the group's options */
    double lr;              /* current learning rate (schedules change it) */
    int64_t t;              /* updates done before this one (0-based index) */
    double *mu_product;     /* nadam's running product of momentum coefficients */
    int threads;            /* > 0 */
} ds__step;

typedef struct ds__rule {
    const char *name;
    ds__kind kind;
    /* Names the buffers `p` needs in out[slot], slot from the rule's enum
     * of buffers (out arrives zeroed: a slot left NULL is not kept). The
     * handle keeps them in slot order. Buffers the options do not need (no
     * momentum, no amsgrad) are not allocated, as torch does not create
     * them. NULL: the rule keeps none. */
    void (*buffers)(const ds_opt_params *p, ds__buf out[DS__MAX_BUFS]);
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

/* The buffers a rule keeps for `p` in out (zeroed first); returns how many. */
int ds__rule_buffers(const ds__rule *r, const ds_opt_params *p, ds__buf out[DS__MAX_BUFS]);

/* The rules, defined in their family's source file. */
extern const ds__rule ds__rule_sgd, ds__rule_nag;
extern const ds__rule ds__rule_adagrad, ds__rule_rmsprop, ds__rule_rmsprop_nesterov,
    ds__rule_adadelta;
extern const ds__rule ds__rule_adam, ds__rule_adamw, ds__rule_adamax, ds__rule_nadam,
    ds__rule_radam;
extern const ds__rule ds__rule_lion, ds__rule_linesearch;

/* The look-ahead pass of nag and rmsprop_nesterov: x0 = x; x += c v. */
void ds__lookahead_move(const ds__step *st, const float *v, float c);

/* x[i] = x0[i] - lr * g[i] for the line search's candidates. */
void ds__linesearch_move(size_t n, float *x, const float *x0, const float *g, double lr,
                         int threads);

#endif
