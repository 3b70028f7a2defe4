/* spec.c - optimizer options: torch's defaults, the "NAME:key=value,..."
 * spec syntax (parse and canonical format) and range validation.
 *
 * One table per rule lists the keys it accepts, where each lives in
 * ds_opt_params and its range; parse, format and validate all walk the same
 * table, so a key can never be accepted by one and forgotten by another.
 * Ranges follow the ValueError checks in torch.optim 1.13's constructors. */
#include "core/spec.h"
#include "optim/rules.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define F(field) offsetof(ds_opt_params, field)
/* Ranges follow torch's ValueError checks: >= 0, [0, 1] or [0, 1). */
#define NONNEG(key, fld, text)                                                                     \
    {                                                                                              \
        .name = key, .type = DS__SPEC_DOUBLE, .offset = F(fld), .max = HUGE_VAL, .help = text      \
    }
#define UNIT(key, fld, text)                                                                       \
    {                                                                                              \
        .name = key, .type = DS__SPEC_DOUBLE, .offset = F(fld), .max = 1, .help = text             \
    }
#define UNIT_OPEN(key, fld, text)                                                                  \
    {                                                                                              \
        .name = key, .type = DS__SPEC_DOUBLE, .offset = F(fld), .max = 1,                          \
        .open = DS__SPEC_MAX_OPEN, .help = text                                                    \
    }
#define FLAG(key, fld, text)                                                                       \
    {                                                                                              \
        .name = key, .type = DS__SPEC_BOOL, .offset = F(fld), .help = text                         \
    }
#define LR   NONNEG("lr", lr, "learning rate")
#define WD   NONNEG("weight_decay", weight_decay, "L2 penalty")
#define CLIP NONNEG("clip_norm", clip_norm, "clip the global gradient norm (0: off)")
#define BETAS(s)                                                                                   \
    UNIT_OPEN("beta1", s.beta1, "decay of the first moment"),                                      \
        UNIT_OPEN("beta2", s.beta2, "decay of the second moment")
#define EPS(s)        NONNEG("eps", s.eps, "added to the denominator")
#define EPS_INSIDE(s) FLAG("eps_inside", s.eps_inside, "1: eps inside the square root")
#define MOMENTUM(s)   UNIT("momentum", s.momentum, "momentum factor")
#define MOM_SCHEDULE(s)                                                                            \
    {                                                                                              \
        .name = "momentum_schedule", .type = DS__SPEC_ENUM, .offset = F(s.momentum_schedule),      \
        .words = momentum_schedules, .help = "constant or Sutskever's ramp"                        \
    }
#define END                                                                                        \
    {                                                                                              \
        0                                                                                          \
    }

/* Indexed by ds_momentum_schedule. */
static const char *const momentum_schedules[] = {"constant", "sutskever", NULL};

static ds_status parse_lrs(const char *ctx, const ds__spec_key *k, char *text, void *target);
static void format_lrs(ds__spec_out *o, const void *target);
static ds_status check_lrs(const char *ctx, const ds__spec_key *k, const void *target);

static const ds__spec_key sgd_keys[] = {LR,
                                        MOMENTUM(sgd),
                                        UNIT("dampening", sgd.dampening, "dampening of momentum"),
                                        FLAG("nesterov", sgd.nesterov, "1: Nesterov momentum"),
                                        WD,
                                        MOM_SCHEDULE(sgd),
                                        CLIP,
                                        END};
static const ds__spec_key nag_keys[] = {LR, MOMENTUM(nag), MOM_SCHEDULE(nag), CLIP, END};
static const ds__spec_key adagrad_keys[] = {
    LR,
    NONNEG("lr_decay", adagrad.lr_decay, "lr / (1 + (t - 1) lr_decay)"),
    WD,
    NONNEG("initial_accumulator_value", adagrad.initial_accumulator_value, "starting sum"),
    EPS(adagrad),
    EPS_INSIDE(adagrad),
    CLIP,
    END};
static const ds__spec_key rmsprop_keys[] = {
    LR,
    UNIT_OPEN("alpha", rmsprop.alpha, "decay of the squared average"),
    EPS(rmsprop),
    WD,
    MOMENTUM(rmsprop),
    FLAG("centered", rmsprop.centered, "1: divide by the centred variance"),
    EPS_INSIDE(rmsprop),
    CLIP,
    END};
static const ds__spec_key rmsprop_nesterov_keys[] = {
    LR,
    UNIT_OPEN("alpha", rmsprop_nesterov.alpha, "decay of the squared average"),
    MOMENTUM(rmsprop_nesterov),
    EPS(rmsprop_nesterov),
    CLIP,
    END};
static const ds__spec_key adam_keys[] = {
    LR,
    BETAS(adam),
    EPS(adam),
    WD,
    FLAG("amsgrad", adam.amsgrad, "1: AMSGrad's running maximum"),
    EPS_INSIDE(adam),
    CLIP,
    END};
static const ds__spec_key adamax_keys[] = {LR, BETAS(adamax), EPS(adamax), WD, CLIP, END};
static const ds__spec_key nadam_keys[] = {
    LR,   BETAS(nadam), EPS(nadam), WD, NONNEG("momentum_decay", nadam.momentum_decay, "psi"),
    CLIP, END};
static const ds__spec_key radam_keys[] = {LR, BETAS(radam), EPS(radam), WD, CLIP, END};
static const ds__spec_key adadelta_keys[] = {
    LR, UNIT_OPEN("rho", adadelta.rho, "decay of the averages"), EPS(adadelta), WD, CLIP, END};
static const ds__spec_key lion_keys[] = {LR, BETAS(lion), WD, CLIP, END};
static const ds__spec_key linesearch_keys[] = {LR,
                                               {.name = "lrs",
                                                .type = DS__SPEC_CUSTOM,
                                                .help = "candidate rates, '/'-separated",
                                                .parse = parse_lrs,
                                                .format = format_lrs,
                                                .check = check_lrs},
                                               CLIP,
                                               END};

static const ds__spec_key *const keys_of[DS_OPT_COUNT] = {
    [DS_OPT_SGD] = sgd_keys,
    [DS_OPT_NAG] = nag_keys,
    [DS_OPT_ADAGRAD] = adagrad_keys,
    [DS_OPT_RMSPROP] = rmsprop_keys,
    [DS_OPT_RMSPROP_NESTEROV] = rmsprop_nesterov_keys,
    [DS_OPT_ADAM] = adam_keys,
    [DS_OPT_ADAMW] = adam_keys,
    [DS_OPT_ADAMAX] = adamax_keys,
    [DS_OPT_NADAM] = nadam_keys,
    [DS_OPT_RADAM] = radam_keys,
    [DS_OPT_ADADELTA] = adadelta_keys,
    [DS_OPT_LION] = lion_keys,
    [DS_OPT_LINESEARCH] = linesearch_keys,
};

/* Spec names: the canonical ones plus the lectures' aliases. */
typedef struct alias {
    const char *name;
    ds_opt_type type;
    void (*tweak)(ds_opt_params *p);
} alias;

static void as_momentum(ds_opt_params *p)
{
    p->sgd.momentum = 0.9;
}

static void as_amsgrad(ds_opt_params *p)
{
    p->adam.amsgrad = 1;
}

static const alias names[] = {
    {"sgd", DS_OPT_SGD, NULL},
    {"gd", DS_OPT_SGD, NULL},
    {"momentum", DS_OPT_SGD, as_momentum},
    {"nag", DS_OPT_NAG, NULL},
    {"adagrad", DS_OPT_ADAGRAD, NULL},
    {"rmsprop", DS_OPT_RMSPROP, NULL},
    {"rmsprop_nesterov", DS_OPT_RMSPROP_NESTEROV, NULL},
    {"adam", DS_OPT_ADAM, NULL},
    {"amsgrad", DS_OPT_ADAM, as_amsgrad},
    {"adamw", DS_OPT_ADAMW, NULL},
    {"adamax", DS_OPT_ADAMAX, NULL},
    {"nadam", DS_OPT_NADAM, NULL},
    {"radam", DS_OPT_RADAM, NULL},
    {"adadelta", DS_OPT_ADADELTA, NULL},
    {"lion", DS_OPT_LION, NULL},
    {"linesearch", DS_OPT_LINESEARCH, NULL},
};
#define NNAMES (sizeof names / sizeof names[0])

const char *ds_opt_name(ds_opt_type type)
{
    const ds__rule *r = ds__rule_of(type);
    return r ? r->name : NULL;
}

/* torch.optim 1.13's constructor defaults; torch's SGD has no default lr, so
 * 0.01 as its docs' examples use; lecture rules take the lectures' values. */
ds_opt_params ds_opt_default_params(ds_opt_type type)
{
    ds_opt_params p;
    memset(&p, 0, sizeof p); /* padding too, so equal options compare equal */
    p.type = type;
    p.lr = 0.01;
    p.sgd.momentum_schedule = DS_MOMENTUM_CONSTANT;
    p.nag.momentum = 0.9;
    p.adagrad.eps = 1e-10;
    p.rmsprop.alpha = 0.99, p.rmsprop.eps = 1e-8;
    p.rmsprop_nesterov.alpha = 0.9, p.rmsprop_nesterov.momentum = 0.9;
    p.rmsprop_nesterov.eps = 1e-6;
    p.adam.beta1 = 0.9, p.adam.beta2 = 0.999, p.adam.eps = 1e-8;
    p.adamax.beta1 = 0.9, p.adamax.beta2 = 0.999, p.adamax.eps = 1e-8;
    p.nadam.beta1 = 0.9, p.nadam.beta2 = 0.999, p.nadam.eps = 1e-8;
    p.nadam.momentum_decay = 4e-3;
    p.radam.beta1 = 0.9, p.radam.beta2 = 0.999, p.radam.eps = 1e-8;
    p.adadelta.rho = 0.9, p.adadelta.eps = 1e-6;
    p.lion.beta1 = 0.9, p.lion.beta2 = 0.99;
    p.linesearch.n = 5;
    const double lrs[] = {0.1, 0.5, 1.0, 5.0, 10.0};
    memcpy(p.linesearch.lrs, lrs, sizeof lrs);
    switch (type) {
    case DS_OPT_RMSPROP_NESTEROV:
    case DS_OPT_ADAM:
    case DS_OPT_RADAM:
        p.lr = 1e-3;
        break;
    case DS_OPT_ADAMW:
        p.lr = 1e-3, p.weight_decay = 1e-2;
        break;
    case DS_OPT_ADAMAX:
    case DS_OPT_NADAM:
        p.lr = 2e-3;
        break;
    case DS_OPT_ADADELTA:
    case DS_OPT_LINESEARCH:
        p.lr = 1.0;
        break;
    case DS_OPT_LION:
        p.lr = 1e-4;
        break;
    default:
        break;
    }
    return p;
}

/* ---- the line search's candidate list ---------------------------------- */

static ds_status parse_lrs(const char *ctx, const ds__spec_key *k, char *text, void *target)
{
    ds_opt_params *p = target;
    int n = 0;
    (void)k;
    for (char *item = text, *next; item; item = next) {
        next = strchr(item, '/');
        if (next) *next++ = '\0';
        if (n == DS_LINESEARCH_MAX)
            return ds__fail(DS_ERR_INVALID, "%s: lrs takes at most %d candidates", ctx,
                            DS_LINESEARCH_MAX);
        if (ds_parse_double(item, &p->linesearch.lrs[n]))
            return ds__fail(DS_ERR_PARSE, "%s: lrs: '%s' is not a number (expected e.g. 0.1/0.5/1)",
                            ctx, item);
        n++;
    }
    p->linesearch.n = n;
    return check_lrs(ctx, k, target);
}

static void format_lrs(ds__spec_out *o, const void *target)
{
    const ds_opt_params *p = target;
    for (int i = 0; i < p->linesearch.n && i < DS_LINESEARCH_MAX; i++) {
        if (i) ds__spec_put(o, "/");
        ds__spec_put_number(o, p->linesearch.lrs[i]);
    }
}

static ds_status check_lrs(const char *ctx, const ds__spec_key *k, const void *target)
{
    const ds_opt_params *p = target;
    (void)k;
    if (p->linesearch.n < 1 || p->linesearch.n > DS_LINESEARCH_MAX)
        return ds__fail(DS_ERR_INVALID, "%s: lrs must list 1 to %d candidates (got %d)", ctx,
                        DS_LINESEARCH_MAX, p->linesearch.n);
    for (int i = 0; i < p->linesearch.n; i++)
        if (!(p->linesearch.lrs[i] >= 0 && isfinite(p->linesearch.lrs[i])))
            return ds__fail(DS_ERR_INVALID,
                            "%s: lrs candidate %d must be a finite number >= 0 (got %g)", ctx,
                            i + 1, ds__msg_num(p->linesearch.lrs[i]));
    return DS_OK;
}

int ds_opt_format(const ds_opt_params *p, char *buf, size_t size)
{
    ds__spec_out o = {buf, buf ? size : 0, 0};
    if (o.size) buf[0] = '\0';
    const char *name = p ? ds_opt_name(p->type) : NULL;
    if (!name) return 0;
    ds__spec_format(&o, name, keys_of[p->type], p);
    return (int)o.len;
}

/* ---- validation -------------------------------------------------------- */

static int has_key(const ds__spec_key *keys, const char *name)
{
    for (const ds__spec_key *k = keys; k->name; k++)
        if (!strcmp(k->name, name)) return 1;
    return 0;
}

/* Rules without weight decay (the lecture forms) must not silently ignore one. */
static ds_status check_cross(const char *opt, const ds_opt_params *p)
{
    char acc[512];
    ds__spec_out o = {acc, sizeof acc, 0};
    ds__spec_put_keys(&o, keys_of[p->type]);
    if (!has_key(keys_of[p->type], "weight_decay") && p->weight_decay != 0)
        return ds__fail(DS_ERR_INVALID, "%s: weight_decay is not supported (got %g; accepted: %s)",
                        opt, ds__msg_num(p->weight_decay), acc);
    if (p->type == DS_OPT_SGD && p->sgd.nesterov && !(p->sgd.momentum > 0 && p->sgd.dampening == 0))
        return ds__fail(DS_ERR_INVALID,
                        "%s: nesterov=1 requires momentum > 0 and dampening = 0 (got momentum=%g, "
                        "dampening=%g)",
                        opt, p->sgd.momentum, p->sgd.dampening);
    return DS_OK;
}

static ds_status validate_as(const char *opt, const ds_opt_params *p)
{
    ds_status s = ds__spec_check(opt, keys_of[p->type], p);
    return s != DS_OK ? s : check_cross(opt, p);
}

ds_status ds_opt_validate(const ds_opt_params *p)
{
    if (!p) return ds__fail(DS_ERR_INVALID, "optimizer: NULL params");
    if (!ds_opt_name(p->type))
        return ds__fail(DS_ERR_INVALID, "unknown optimizer type %d (accepted: 0 to %d)",
                        (int)p->type, DS_OPT_COUNT - 1);
    return validate_as(ds_opt_name(p->type), p);
}

/* ---- parsing ----------------------------------------------------------- */

static const alias *find_name(const char *name)
{
    for (size_t i = 0; i < NNAMES; i++)
        if (!strcmp(names[i].name, name)) return &names[i];
    return NULL;
}

ds_status ds_opt_parse(const char *spec, ds_opt_params *out)
{
    ds__spec s;
    if (!spec || !out) return ds__fail(DS_ERR_INVALID, "optimizer spec: NULL argument");
    ds_status st = ds__spec_split(spec, strlen(spec), "optimizer spec", &s);
    if (st != DS_OK) return st;
    const alias *a = find_name(s.name);
    if (!a)
        return ds__spec_unknown_name(DS_ERR_INVALID, "optimizer", s.name, &names[0].name, NNAMES,
                                     sizeof names[0]);
    ds_opt_params p = ds_opt_default_params(a->type);
    if (a->tweak) a->tweak(&p);
    st = ds__spec_apply(a->name, keys_of[a->type], &s, &p, NULL, 0, NULL);
    if (st == DS_OK) st = check_cross(a->name, &p);
    if (st == DS_OK) *out = p;
    return st;
}
