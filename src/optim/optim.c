/* optim.c - the optimizer handle: parameter groups, the one block of state,
 * named state for checkpoints, gradient clipping and step dispatch.
 *
 * The rules (rules.h) only see flat arrays; everything that is the same for
 * every rule lives here once: which groups run (frozen ones are skipped, as
 * torch skips parameters whose grad is None), the step counters, the
 * learning rates schedules set, clip_norm (torch.nn.utils.clip_grad_norm_
 * 1.13: coef = C / (norm + 1e-6), applied when < 1), and driving the
 * objective for look-ahead and line-search rules. */
#include "core/internal.h"
#include "optim/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Every buffer starts on a 64-byte boundary (a cache line, an AVX-512 vector). */
#define DS__ALIGN_FLOATS 16
/* clip_norm sums squares in this many fixed blocks, then adds the block sums
 * in order, so the norm does not depend on the thread count. */
#define DS__CLIP_BLOCKS 64
#define DS__NAME_MAX    48

typedef struct ds__group {
    ds_param_group pg;
    ds_opt_params p; /* the options this group runs with (a copy) */
    double lr;       /* current learning rate */
    int frozen;
    int64_t step;               /* torch's state['step'] */
    double mu_product;          /* nadam only */
    int nbuf;                   /* how many of bufs are kept */
    ds__buf bufs[DS__MAX_BUFS]; /* by the rule's enum; name NULL: not kept */
    float *s[DS__MAX_BUFS];     /* NULL where not kept */
    float *x0; /* look-ahead and line search: x before the step (scratch, not state) */
} ds__group;

struct ds_optim {
    ds_opt_params p;
    const ds__rule *rule;
    int ngroups;
    int threads; /* 0: OpenMP default */
    ds__group *groups;
    float *block; /* all buffers of all groups, 64-byte aligned */
    size_t nstate;
    ds_state_info *info;
    void **state; /* state[i] points at entry i's data */
    char *names;
};

const ds__rule *ds__rule_of(ds_opt_type type)
{
    static const ds__rule *const table[DS_OPT_COUNT] = {
        [DS_OPT_SGD] = &ds__rule_sgd,
        [DS_OPT_NAG] = &ds__rule_nag,
        [DS_OPT_ADAGRAD] = &ds__rule_adagrad,
        [DS_OPT_RMSPROP] = &ds__rule_rmsprop,
        [DS_OPT_RMSPROP_NESTEROV] = &ds__rule_rmsprop_nesterov,
        [DS_OPT_ADAM] = &ds__rule_adam,
        [DS_OPT_ADAMW] = &ds__rule_adamw,
        [DS_OPT_ADAMAX] = &ds__rule_adamax,
        [DS_OPT_NADAM] = &ds__rule_nadam,
        [DS_OPT_RADAM] = &ds__rule_radam,
        [DS_OPT_ADADELTA] = &ds__rule_adadelta,
        [DS_OPT_LION] = &ds__rule_lion,
        [DS_OPT_LINESEARCH] = &ds__rule_linesearch,
    };
    return (unsigned)type < DS_OPT_COUNT ? table[type] : NULL;
}

int ds__rule_buffers(const ds__rule *r, const ds_opt_params *p, ds__buf out[DS__MAX_BUFS])
{
    memset(out, 0, DS__MAX_BUFS * sizeof *out);
    if (r->buffers) r->buffers(p, out);
    int count = 0;
    for (int b = 0; b < DS__MAX_BUFS; b++)
        count += out[b].name != NULL;
    return count;
}

static size_t padded(size_t n)
{
    return (n + DS__ALIGN_FLOATS - 1) / DS__ALIGN_FLOATS * DS__ALIGN_FLOATS;
}

static int threads_of(const ds_optim *opt)
{
    if (opt->threads > 0) return opt->threads;
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static ds_status check_groups(const ds_opt_params *p, const ds_param_group *groups, int ngroups)
{
    if (!groups || ngroups < 1)
        return ds__fail(DS_ERR_INVALID, "optimizer: need at least one parameter group (got %d)",
                        ngroups);
    for (int i = 0; i < ngroups; i++) {
        const ds_param_group *g = &groups[i];
        if (g->n > 0 && (!g->x || !g->g))
            return ds__fail(DS_ERR_INVALID, "optimizer: group %d has n = %zu but a NULL array", i,
                            g->n);
        if (!g->params) continue;
        if (g->params->type != p->type)
            return ds__fail(DS_ERR_INVALID,
                            "optimizer: group %d uses '%s' options but the optimizer is '%s'", i,
                            ds_opt_name(g->params->type) ? ds_opt_name(g->params->type) : "?",
                            ds_opt_name(p->type));
        ds_status s = ds_opt_validate(g->params);
        if (s) return s;
    }
    return DS_OK;
}

/* Carves every group's buffers (and the look-ahead scratch) out of one block. */
static ds_status layout_block(ds_optim *opt)
{
    const int scratch = opt->rule->kind != DS__PLAIN;
    size_t total = DS__ALIGN_FLOATS;
    for (int i = 0; i < opt->ngroups; i++)
        total += (size_t)(opt->groups[i].nbuf + scratch) * padded(opt->groups[i].pg.n);
    opt->block = aligned_alloc(64, total * sizeof(float));
    if (!opt->block) return ds__nomem("optimizer state", total * sizeof(float));
    float *at = opt->block;
    for (int i = 0; i < opt->ngroups; i++) {
        ds__group *g = &opt->groups[i];
        for (int b = 0; b < DS__MAX_BUFS; b++)
            if (g->bufs[b].name) g->s[b] = at, at += padded(g->pg.n);
        if (scratch) g->x0 = at, at += padded(g->pg.n);
    }
    return DS_OK;
}

static void add_state(ds_optim *opt, int group, const char *buf, ds_state_type type, size_t count,
                      void *data)
{
    char *name = opt->names + opt->nstate * DS__NAME_MAX;
    snprintf(name, DS__NAME_MAX, "g%d.%s", group, buf);
    opt->info[opt->nstate] = (ds_state_info){name, type, count};
    opt->state[opt->nstate++] = data;
}

static ds_status build_state_table(ds_optim *opt)
{
    size_t max = 0;
    for (int i = 0; i < opt->ngroups; i++)
        max += 2 + (size_t)opt->groups[i].nbuf;
    opt->info = calloc(max, sizeof *opt->info);
    opt->state = calloc(max, sizeof *opt->state);
    opt->names = calloc(max, DS__NAME_MAX);
    if (!opt->info || !opt->state || !opt->names) return ds__nomem("optimizer state names", max);
    for (int i = 0; i < opt->ngroups; i++) {
        ds__group *g = &opt->groups[i];
        add_state(opt, i, "step", DS_STATE_I64, 1, &g->step);
        for (int b = 0; b < DS__MAX_BUFS; b++)
            if (g->s[b]) add_state(opt, i, g->bufs[b].name, DS_STATE_F32, g->pg.n, g->s[b]);
        if (opt->rule->has_mu_product)
            add_state(opt, i, "mu_product", DS_STATE_F64, 1, &g->mu_product);
    }
    return DS_OK;
}

ds_optim *ds_optim_init(const ds_opt_params *p, const ds_param_group *groups, int ngroups)
{
    if (!p) return ds__fail(DS_ERR_INVALID, "optimizer: NULL params"), NULL;
    if (ds_opt_validate(p) || check_groups(p, groups, ngroups)) return NULL;
    ds_optim *opt = calloc(1, sizeof *opt);
    if (!opt) return ds__nomem("optimizer", sizeof *opt), NULL;
    opt->p = *p;
    opt->rule = ds__rule_of(p->type);
    opt->ngroups = ngroups;
    opt->groups = calloc((size_t)ngroups, sizeof *opt->groups);
    if (!opt->groups) {
        ds__nomem("optimizer groups", (size_t)ngroups * sizeof *opt->groups);
        ds_optim_free(opt);
        return NULL;
    }
    for (int i = 0; i < ngroups; i++) {
        ds__group *g = &opt->groups[i];
        g->pg = groups[i];
        g->p = groups[i].params ? *groups[i].params : *p;
        g->pg.params = &g->p;
        g->nbuf = ds__rule_buffers(opt->rule, &g->p, g->bufs);
    }
    if (layout_block(opt) || build_state_table(opt)) {
        ds_optim_free(opt);
        return NULL;
    }
    ds_optim_reset(opt);
    return opt;
}

void ds_optim_free(ds_optim *opt)
{
    if (!opt) return;
    free(opt->block);
    free(opt->groups);
    free(opt->info);
    free(opt->state);
    free(opt->names);
    free(opt);
}

void ds_optim_reset(ds_optim *opt)
{
    if (!opt) return;
    for (int i = 0; i < opt->ngroups; i++) {
        ds__group *g = &opt->groups[i];
        for (int b = 0; b < DS__MAX_BUFS; b++)
            for (size_t k = 0; g->s[b] && k < g->pg.n; k++)
                g->s[b][k] = g->bufs[b].init;
        g->step = 0;
        g->mu_product = 1.0;
        g->lr = g->p.lr;
    }
}

/* ---- clipping ---------------------------------------------------------- */

static double sum_squares(const float *g, size_t n, int nt)
{
    double part[DS__CLIP_BLOCKS];
    const size_t len = (n + DS__CLIP_BLOCKS - 1) / DS__CLIP_BLOCKS;
    (void)nt; /* only the pragma reads it: unused without OpenMP */
    DS__OMP_FOR(ds__team(n, nt))
    for (int b = 0; b < DS__CLIP_BLOCKS; b++) {
        const size_t lo = (size_t)b * len < n ? (size_t)b * len : n;
        const size_t hi = lo + len < n ? lo + len : n;
        double s = 0.0;
        for (size_t i = lo; i < hi; i++)
            s += (double)g[i] * (double)g[i];
        part[b] = s;
    }
    double s = 0.0;
    for (int b = 0; b < DS__CLIP_BLOCKS; b++)
        s += part[b];
    return s;
}

static inline void scale_kernel(size_t lo, size_t hi, float *restrict g, float c)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++)
        g[i] *= c;
}

static void scale(float *g, size_t n, float c, int nt)
{
    const int team = ds__team(n, nt);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(n, team, b);
        scale_kernel(r.lo, r.hi, g, c);
    }
}

/* Global L2 norm over every running group's gradient, as clip_grad_norm_
 * over all parameters. A NaN or infinite norm stops the step before anything
 * changes: `coef < 1` is false for NaN and would let it through. */
static ds_status clip_gradients(ds_optim *opt)
{
    const double c = opt->p.clip_norm;
    if (c <= 0) return DS_OK;
    const int nt = threads_of(opt);
    double ss = 0.0;
    for (int i = 0; i < opt->ngroups; i++)
        if (!opt->groups[i].frozen) ss += sum_squares(opt->groups[i].pg.g, opt->groups[i].pg.n, nt);
    const double norm = sqrt(ss);
    if (!isfinite(norm))
        return ds__fail(DS_ERR_NONFINITE,
                        "%s: gradient norm is %g, not finite; parameters left unchanged",
                        opt->rule->name, ds__msg_num(norm));
    const double coef = c / (norm + 1e-6);
    if (coef < 1.0)
        for (int i = 0; i < opt->ngroups; i++)
            if (!opt->groups[i].frozen)
                scale(opt->groups[i].pg.g, opt->groups[i].pg.n, (float)coef, nt);
    return DS_OK;
}

/* ---- steps ------------------------------------------------------------- */

static ds__step step_of(const ds_optim *opt, ds__group *g)
{
    ds__step st = {
        .n = g->pg.n,
        .x = g->pg.x,
        .g = g->pg.g,
        .x0 = g->x0,
        .p = &g->p,
        .lr = g->lr,
        .t = g->step,
        .mu_product = &g->mu_product,
        .threads = threads_of(opt),
    };
    memcpy(st.s, g->s, sizeof st.s);
    return st;
}

static void update_all(ds_optim *opt)
{
    for (int i = 0; i < opt->ngroups; i++) {
        ds__group *g = &opt->groups[i];
        if (g->frozen) continue;
        const ds__step st = step_of(opt, g);
        opt->rule->update(&st);
        g->step++;
    }
}

ds_status ds_optim_step(ds_optim *opt)
{
    if (!opt) return ds__fail(DS_ERR_INVALID, "optimizer: NULL handle");
    if (opt->rule->kind != DS__PLAIN)
        return ds__fail(DS_ERR_UNSUPPORTED,
                        "%s: evaluates the objective itself; use ds_optim_step_fn",
                        opt->rule->name);
    ds_status s = clip_gradients(opt);
    if (s) return s;
    update_all(opt);
    return DS_OK;
}

/* dst = src on the OpenMP team, with the rule loops' static schedule: a
 * serial memcpy left one core idle and made the look-ahead and line-search
 * steps slower at two threads than at one. */
static inline void copy_kernel(size_t lo, size_t hi, float *restrict dst, const float *restrict src)
{
    DS__OMP_SIMD
    for (size_t i = lo; i < hi; i++)
        dst[i] = src[i];
}

DS__CLONES static void copy_floats(float *dst, const float *src, size_t n, int nt)
{
    const int team = ds__team(n, nt);
    DS__OMP_FOR(team)
    for (int b = 0; b < team; b++) {
        const ds__range r = ds__block(n, team, b);
        copy_kernel(r.lo, r.hi, dst, src);
    }
}

/* x0 = x (save) or x = x0 (restore) for every running group. */
static void copy_x(ds_optim *opt, int restore)
{
    for (int i = 0; i < opt->ngroups; i++) {
        ds__group *g = &opt->groups[i];
        if (g->frozen || g->pg.n == 0) continue;
        if (restore)
            copy_floats(g->pg.x, g->x0, g->pg.n, threads_of(opt));
        else
            copy_floats(g->x0, g->pg.x, g->pg.n, threads_of(opt));
    }
}

/* Gradient at the current x (or, after a look-ahead, at that point), then
 * clipping; on failure x is restored. */
static ds_status eval_grad(ds_optim *opt, ds_objective_fn fn, void *ctx, double *loss)
{
    ds_status s = fn(ctx, 1, loss);
    if (!s) s = clip_gradients(opt);
    if (s && opt->rule->kind != DS__PLAIN) copy_x(opt, 1);
    return s;
}

/* The rule's look-ahead pass saves x into x0 as it moves x (one pass, not a
 * copy and then a move). */
static ds_status lookahead_step(ds_optim *opt, ds_objective_fn fn, void *ctx, double *loss)
{
    for (int i = 0; i < opt->ngroups; i++) {
        if (opt->groups[i].frozen) continue;
        const ds__step st = step_of(opt, &opt->groups[i]);
        opt->rule->lookahead(&st);
    }
    ds_status s = eval_grad(opt, fn, ctx, loss);
    if (!s) update_all(opt);
    return s;
}

static void move_all(ds_optim *opt, double eta)
{
    for (int i = 0; i < opt->ngroups; i++) {
        ds__group *g = &opt->groups[i];
        if (!g->frozen)
            ds__linesearch_move(g->pg.n, g->pg.x, g->x0, g->pg.g, eta * g->lr, threads_of(opt));
    }
}

/* CS7015 line search: candidates are lrs[i] times each group's current lr
 * (1 by default); the first lowest finite loss wins. */
static ds_status linesearch_step(ds_optim *opt, ds_objective_fn fn, void *ctx, double *loss)
{
    copy_x(opt, 0);
    ds_status s = eval_grad(opt, fn, ctx, loss);
    if (s) return s;
    int best = -1;
    double best_loss = 0.0;
    for (int c = 0; c < opt->p.linesearch.n; c++) {
        double l;
        move_all(opt, opt->p.linesearch.lrs[c]);
        if ((s = fn(ctx, 0, &l))) {
            copy_x(opt, 1);
            return s;
        }
        if (isfinite(l) && (best < 0 || l < best_loss)) best = c, best_loss = l;
    }
    if (best < 0) {
        copy_x(opt, 1);
        return ds__fail(DS_ERR_NONFINITE,
                        "linesearch: the loss is not finite at any candidate; parameters left "
                        "unchanged");
    }
    move_all(opt, opt->p.linesearch.lrs[best]);
    for (int i = 0; i < opt->ngroups; i++)
        if (!opt->groups[i].frozen) opt->groups[i].step++;
    return DS_OK;
}

ds_status ds_optim_step_fn(ds_optim *opt, ds_objective_fn fn, void *ctx, double *loss_out)
{
    if (!opt || !fn) return ds__fail(DS_ERR_INVALID, "optimizer: NULL handle or objective");
    double loss = NAN;
    ds_status s;
    switch (opt->rule->kind) {
    case DS__LOOKAHEAD:
        s = lookahead_step(opt, fn, ctx, &loss);
        break;
    case DS__LINESEARCH:
        s = linesearch_step(opt, fn, ctx, &loss);
        break;
    default:
        s = eval_grad(opt, fn, ctx, &loss);
        if (!s) update_all(opt);
    }
    if (!s && loss_out) *loss_out = loss;
    return s;
}

/* ---- groups ------------------------------------------------------------ */

static ds__group *group_at(const ds_optim *opt, int i)
{
    if (!opt || i < 0 || i >= opt->ngroups) {
        ds__fail(DS_ERR_INVALID, "optimizer: no group %d (have %d)", i, opt ? opt->ngroups : 0);
        return NULL;
    }
    return &opt->groups[i];
}

int64_t ds_optim_steps(const ds_optim *opt, int group)
{
    const ds__group *g = group_at(opt, group);
    return g ? g->step : -1;
}

int ds_optim_group_count(const ds_optim *opt)
{
    return opt ? opt->ngroups : 0;
}

const ds_opt_params *ds_optim_group_params(const ds_optim *opt, int group)
{
    const ds__group *g = group_at(opt, group);
    return g ? &g->p : NULL;
}

double ds_optim_lr(const ds_optim *opt, int group)
{
    const ds__group *g = group_at(opt, group);
    return g ? g->lr : NAN;
}

ds_status ds_optim_set_lr(ds_optim *opt, int group, double lr)
{
    ds__group *g = group_at(opt, group);
    if (!g) return DS_ERR_INVALID;
    if (!(lr >= 0) || !isfinite(lr))
        return ds__fail(DS_ERR_INVALID, "lr must be a finite number >= 0 (got %g)", lr);
    g->lr = lr;
    return DS_OK;
}

ds_status ds_optim_set_frozen(ds_optim *opt, int group, int frozen)
{
    ds__group *g = group_at(opt, group);
    if (!g) return DS_ERR_INVALID;
    g->frozen = frozen != 0;
    return DS_OK;
}

void ds_optim_set_threads(ds_optim *opt, int threads)
{
    if (opt) opt->threads = threads > 0 ? threads : 0;
}

/* ---- named state ------------------------------------------------------- */

size_t ds_optim_state_count(const ds_optim *opt)
{
    return opt ? opt->nstate : 0;
}

const ds_state_info *ds_optim_state_info(const ds_optim *opt, size_t i)
{
    return opt && i < opt->nstate ? &opt->info[i] : NULL;
}

static size_t type_size(ds_state_type t)
{
    return t == DS_STATE_F32 ? sizeof(float) : t == DS_STATE_F64 ? sizeof(double) : sizeof(int64_t);
}

/* The entry called `name`, checked against the caller's type and count. */
static ds_status find_state(const ds_optim *opt, const char *name, ds_state_type type, size_t count,
                            size_t *out)
{
    if (!opt || !name) return ds__fail(DS_ERR_INVALID, "optimizer state: NULL handle or name");
    for (size_t i = 0; i < opt->nstate; i++) {
        if (strcmp(opt->info[i].name, name) != 0) continue;
        if (opt->info[i].type != type || opt->info[i].count != count)
            return ds__fail(DS_ERR_MISMATCH,
                            "optimizer state '%s': holds %zu elements of type %d, asked for %zu "
                            "of type %d",
                            name, opt->info[i].count, (int)opt->info[i].type, count, (int)type);
        *out = i;
        return DS_OK;
    }
    return ds__fail(DS_ERR_NOT_FOUND, "optimizer state '%s' does not exist in this %s optimizer",
                    name, opt->rule->name);
}

ds_status ds_optim_state_get(const ds_optim *opt, const char *name, ds_state_type type, void *dst,
                             size_t count)
{
    size_t i = 0; /* find_state sets it; GCC -O3 cannot see that */
    ds_status s = find_state(opt, name, type, count, &i);
    if (s) return s;
    if (count) memcpy(dst, opt->state[i], count * type_size(type));
    return DS_OK;
}

ds_status ds_optim_state_set(ds_optim *opt, const char *name, ds_state_type type, const void *src,
                             size_t count)
{
    size_t i = 0; /* find_state sets it; GCC -O3 cannot see that */
    ds_status s = find_state(opt, name, type, count, &i);
    if (s) return s;
    if (count) memcpy(opt->state[i], src, count * type_size(type));
    return DS_OK;
}

size_t ds_opt_bytes_per_param(const ds_opt_params *p)
{
    const ds__rule *r = p ? ds__rule_of(p->type) : NULL;
    if (!r) return 0;
    ds__buf bufs[DS__MAX_BUFS];
    /* The rule: every array a pass over memory reads counts once per pass,
     * and every array it writes once more, 4 bytes a float; what a later
     * pass reads again counts again (it is out of cache at this size).
     * A plain rule makes one pass: x read + write, g read, each buffer
     * read + write. */
    const size_t nbuf = (size_t)ds__rule_buffers(r, p, bufs);
    size_t floats = 3 + 2 * nbuf;
    /* Look-ahead rules make two passes. The look-ahead pass reads x and the
     * one buffer it steps along (velocity) and writes x0 and x: 4. The
     * update pass reads g and x0 and writes x (where the plain count has x
     * read + write, g read: the same 3) and reads + writes its buffers. */
    if (r->kind == DS__LOOKAHEAD) floats += 4;
    /* Line search: x saved to x0 (x read, x0 written: 2), then each
     * candidate reads x0 and g and writes x (3), and the winner's move
     * another 3, which the plain count stands for. */
    if (r->kind == DS__LINESEARCH) floats += 2 + 3 * (size_t)p->linesearch.n;
    return sizeof(float) * floats;
}

double ds_momentum_at(double momentum, ds_momentum_schedule schedule, int64_t t)
{
    if (schedule != DS_MOMENTUM_SUTSKEVER) return momentum;
    /* 1 - 2^(-1 - log2(k)) = 1 - 1 / (2k), k = floor(t / 250) + 1 */
    const double k = (double)(t / 250 + 1);
    const double gamma = 1.0 - 0.5 / k;
    return gamma < momentum ? gamma : momentum;
}
