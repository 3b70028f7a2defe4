/* spec.c - optimizer options: torch's defaults, the "NAME:key=value,..."
 * spec syntax (parse and canonical format) and range validation.
 *
 * One table per rule lists the keys it accepts, where each lives in
 * ds_opt_params and its range; parse, format and validate all walk the same
 * table, so a key can never be accepted by one and forgotten by another.
 * Ranges follow the ValueError checks in torch.optim 1.13's constructors. */
#include "core/internal.h"
#include "optim/rules.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef enum key_kind {
    K_NONNEG,    /* double >= 0 */
    K_UNIT,      /* double in [0, 1] */
    K_UNIT_OPEN, /* double in [0, 1) */
    K_BOOL,      /* int 0 or 1 */
    K_SCHED,     /* ds_momentum_schedule */
    K_LRS        /* the line search's candidate list */
} key_kind;

typedef struct key {
    const char *name;
    size_t off; /* offset of the field in ds_opt_params */
    key_kind kind;
} key;

#define F(field) offsetof(ds_opt_params, field)
#define LR                                                                                         \
    {                                                                                              \
        "lr", F(lr), K_NONNEG                                                                      \
    }
#define WD                                                                                         \
    {                                                                                              \
        "weight_decay", F(weight_decay), K_NONNEG                                                  \
    }
#define CLIP                                                                                       \
    {                                                                                              \
        "clip_norm", F(clip_norm), K_NONNEG                                                        \
    }
#define BETAS(s)                                                                                   \
    {"beta1", F(s.beta1), K_UNIT_OPEN},                                                            \
    {                                                                                              \
        "beta2", F(s.beta2), K_UNIT_OPEN                                                           \
    }
#define EPS(s)                                                                                     \
    {                                                                                              \
        "eps", F(s.eps), K_NONNEG                                                                  \
    }

static const key sgd_keys[] = {LR,
                               {"momentum", F(sgd.momentum), K_UNIT},
                               {"dampening", F(sgd.dampening), K_UNIT},
                               {"nesterov", F(sgd.nesterov), K_BOOL},
                               WD,
                               {"momentum_schedule", F(sgd.momentum_schedule), K_SCHED},
                               CLIP,
                               {0}};
static const key nag_keys[] = {LR,
                               {"momentum", F(nag.momentum), K_UNIT},
                               {"momentum_schedule", F(nag.momentum_schedule), K_SCHED},
                               CLIP,
                               {0}};
static const key adagrad_keys[] = {
    LR,           {"lr_decay", F(adagrad.lr_decay), K_NONNEG},
    WD,           {"initial_accumulator_value", F(adagrad.initial_accumulator_value), K_NONNEG},
    EPS(adagrad), {"eps_inside", F(adagrad.eps_inside), K_BOOL},
    CLIP,         {0}};
static const key rmsprop_keys[] = {LR,
                                   {"alpha", F(rmsprop.alpha), K_UNIT_OPEN},
                                   EPS(rmsprop),
                                   WD,
                                   {"momentum", F(rmsprop.momentum), K_UNIT},
                                   {"centered", F(rmsprop.centered), K_BOOL},
                                   {"eps_inside", F(rmsprop.eps_inside), K_BOOL},
                                   CLIP,
                                   {0}};
static const key rmsprop_nesterov_keys[] = {LR,
                                            {"alpha", F(rmsprop_nesterov.alpha), K_UNIT_OPEN},
                                            {"momentum", F(rmsprop_nesterov.momentum), K_UNIT},
                                            EPS(rmsprop_nesterov),
                                            CLIP,
                                            {0}};
static const key adam_keys[] = {LR,
                                BETAS(adam),
                                EPS(adam),
                                WD,
                                {"amsgrad", F(adam.amsgrad), K_BOOL},
                                {"eps_inside", F(adam.eps_inside), K_BOOL},
                                CLIP,
                                {0}};
static const key adamax_keys[] = {LR, BETAS(adamax), EPS(adamax), WD, CLIP, {0}};
static const key nadam_keys[] = {
    LR,   BETAS(nadam), EPS(nadam), WD, {"momentum_decay", F(nadam.momentum_decay), K_NONNEG},
    CLIP, {0}};
static const key radam_keys[] = {LR, BETAS(radam), EPS(radam), WD, CLIP, {0}};
static const key adadelta_keys[] = {
    LR, {"rho", F(adadelta.rho), K_UNIT_OPEN}, EPS(adadelta), WD, CLIP, {0}};
static const key lion_keys[] = {LR, BETAS(lion), WD, CLIP, {0}};
static const key linesearch_keys[] = {LR, {"lrs", F(linesearch), K_LRS}, CLIP, {0}};

static const key *const keys_of[DS_OPT_COUNT] = {
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

/* ---- text building ----------------------------------------------------- */

typedef struct text {
    char *buf;
    size_t size, len; /* len counts what the full text needs */
} text;

static void put(text *t, const char *fmt, ...) DS__PRINTF(2, 3);
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const size_t room = t->len < t->size ? t->size - t->len : 0;
    const int k = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0) t->len += (size_t)k;
}

static const char *accepted_keys(const key *keys, char *buf, size_t size)
{
    text t = {buf, size, 0};
    buf[0] = '\0';
    for (const key *k = keys; k->name; k++)
        put(&t, "%s%s", k == keys ? "" : ", ", k->name);
    return buf;
}

static const char *sched_name(ds_momentum_schedule s)
{
    return s == DS_MOMENTUM_SUTSKEVER ? "sutskever" : "constant";
}

static void put_value(text *t, const ds_opt_params *p, const key *k)
{
    const char *field = (const char *)p + k->off;
    switch (k->kind) {
    case K_BOOL:
        put(t, "%d", *(const int *)field);
        break;
    case K_SCHED:
        put(t, "%s", sched_name(*(const ds_momentum_schedule *)field));
        break;
    case K_LRS:
        for (int i = 0; i < p->linesearch.n && i < DS_LINESEARCH_MAX; i++)
            put(t, "%s%.17g", i ? "/" : "", p->linesearch.lrs[i]);
        break;
    default:
        put(t, "%.17g", *(const double *)field);
    }
}

int ds_opt_format(const ds_opt_params *p, char *buf, size_t size)
{
    text t = {buf, buf ? size : 0, 0};
    if (t.size) buf[0] = '\0';
    const char *name = p ? ds_opt_name(p->type) : NULL;
    if (!name) return 0;
    put(&t, "%s", name);
    for (const key *k = keys_of[p->type]; k->name; k++) {
        put(&t, "%s%s=", k == keys_of[p->type] ? ":" : ",", k->name);
        put_value(&t, p, k);
    }
    return (int)t.len;
}

/* ---- validation -------------------------------------------------------- */

static ds_status check_double(const char *opt, const key *k, double v)
{
    switch (k->kind) {
    case K_UNIT:
        if (v >= 0 && v <= 1) return DS_OK;
        return ds__fail(DS_ERR_INVALID, "%s: %s must be in [0, 1] (got %g)", opt, k->name, v);
    case K_UNIT_OPEN:
        if (v >= 0 && v < 1) return DS_OK;
        return ds__fail(DS_ERR_INVALID, "%s: %s must be in [0, 1) (got %g)", opt, k->name, v);
    default:
        if (v >= 0 && v <= 1e300) return DS_OK;
        return ds__fail(DS_ERR_INVALID, "%s: %s must be a finite number >= 0 (got %g)", opt,
                        k->name, v);
    }
}

static ds_status check_key(const char *opt, const ds_opt_params *p, const key *k)
{
    const char *field = (const char *)p + k->off;
    switch (k->kind) {
    case K_BOOL: {
        const int v = *(const int *)field;
        if (v == 0 || v == 1) return DS_OK;
        return ds__fail(DS_ERR_INVALID, "%s: %s must be 0 or 1 (got %d)", opt, k->name, v);
    }
    case K_SCHED: {
        const int v = (int)*(const ds_momentum_schedule *)field;
        if (v == DS_MOMENTUM_CONSTANT || v == DS_MOMENTUM_SUTSKEVER) return DS_OK;
        return ds__fail(DS_ERR_INVALID, "%s: %s must be constant or sutskever (got %d)", opt,
                        k->name, v);
    }
    case K_LRS:
        if (p->linesearch.n < 1 || p->linesearch.n > DS_LINESEARCH_MAX)
            return ds__fail(DS_ERR_INVALID, "%s: lrs must list 1 to %d candidates (got %d)", opt,
                            DS_LINESEARCH_MAX, p->linesearch.n);
        for (int i = 0; i < p->linesearch.n; i++)
            if (!(p->linesearch.lrs[i] >= 0 && p->linesearch.lrs[i] <= 1e300))
                return ds__fail(DS_ERR_INVALID,
                                "%s: lrs candidate %d must be a finite number >= 0 (got %g)", opt,
                                i + 1, p->linesearch.lrs[i]);
        return DS_OK;
    default:
        return check_double(opt, k, *(const double *)field);
    }
}

static int has_key(const key *keys, const char *name)
{
    for (const key *k = keys; k->name; k++)
        if (!strcmp(k->name, name)) return 1;
    return 0;
}

/* Rules without weight decay (the lecture forms) must not silently ignore one. */
static ds_status check_cross(const char *opt, const ds_opt_params *p)
{
    char acc[512];
    if (!has_key(keys_of[p->type], "weight_decay") && p->weight_decay != 0)
        return ds__fail(DS_ERR_INVALID, "%s: weight_decay is not supported (got %g; accepted: %s)",
                        opt, p->weight_decay, accepted_keys(keys_of[p->type], acc, sizeof acc));
    if (p->type == DS_OPT_SGD && p->sgd.nesterov && !(p->sgd.momentum > 0 && p->sgd.dampening == 0))
        return ds__fail(DS_ERR_INVALID,
                        "%s: nesterov=1 requires momentum > 0 and dampening = 0 (got momentum=%g, "
                        "dampening=%g)",
                        opt, p->sgd.momentum, p->sgd.dampening);
    return DS_OK;
}

static ds_status validate_as(const char *opt, const ds_opt_params *p)
{
    for (const key *k = keys_of[p->type]; k->name; k++) {
        ds_status s = check_key(opt, p, k);
        if (s) return s;
    }
    return check_cross(opt, p);
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

static ds_status parse_lrs(const char *opt, char *v, ds_opt_params *p)
{
    int n = 0;
    for (char *item = v, *next; item; item = next) {
        next = strchr(item, '/');
        if (next) *next++ = '\0';
        if (n == DS_LINESEARCH_MAX)
            return ds__fail(DS_ERR_INVALID, "%s: lrs takes at most %d candidates", opt,
                            DS_LINESEARCH_MAX);
        if (ds__parse_double(item, &p->linesearch.lrs[n]))
            return ds__fail(DS_ERR_PARSE, "%s: lrs: '%s' is not a number (expected e.g. 0.1/0.5/1)",
                            opt, item);
        n++;
    }
    p->linesearch.n = n;
    return DS_OK;
}

static ds_status parse_value(const char *opt, const key *k, char *v, ds_opt_params *p)
{
    char *field = (char *)p + k->off;
    long l;
    switch (k->kind) {
    case K_BOOL:
        if (ds__parse_long(v, &l) || (l != 0 && l != 1))
            return ds__fail(ds__parse_long(v, &l) ? DS_ERR_PARSE : DS_ERR_INVALID,
                            "%s: %s must be 0 or 1 (got '%s')", opt, k->name, v);
        *(int *)field = (int)l;
        return DS_OK;
    case K_SCHED:
        if (!strcmp(v, "constant"))
            *(ds_momentum_schedule *)field = DS_MOMENTUM_CONSTANT;
        else if (!strcmp(v, "sutskever"))
            *(ds_momentum_schedule *)field = DS_MOMENTUM_SUTSKEVER;
        else
            return ds__fail(DS_ERR_INVALID, "%s: %s must be constant or sutskever (got '%s')", opt,
                            k->name, v);
        return DS_OK;
    case K_LRS:
        return parse_lrs(opt, v, p);
    default:
        if (ds__parse_double(v, (double *)field))
            return ds__fail(DS_ERR_PARSE, "%s: %s: '%s' is not a number", opt, k->name, v);
        return DS_OK;
    }
}

/* `seen` has bit i set once keys[i] was given: a second one is an error, as
 * in schedule specs, rather than a silent "last one wins". */
static ds_status parse_item(const char *opt, char *item, ds_opt_params *p, unsigned *seen)
{
    const key *keys = keys_of[p->type];
    char acc[512];
    char *eq = strchr(item, '=');
    if (!*item) return ds__fail(DS_ERR_PARSE, "%s: empty option (stray or trailing comma?)", opt);
    if (!eq) return ds__fail(DS_ERR_PARSE, "%s: expected key=value, got '%s'", opt, item);
    *eq = '\0';
    const char *value = eq + 1;
    for (const key *k = keys; k->name; k++) {
        if (strcmp(k->name, item) != 0) continue;
        if (!*value) return ds__fail(DS_ERR_PARSE, "%s: empty value for %s", opt, k->name);
        const unsigned bit = 1u << (k - keys);
        if (*seen & bit) return ds__fail(DS_ERR_PARSE, "%s: %s given twice", opt, k->name);
        *seen |= bit;
        return parse_value(opt, k, eq + 1, p);
    }
    for (int t = 0; t < DS_OPT_COUNT; t++)
        if (has_key(keys_of[t], item))
            return ds__fail(DS_ERR_INVALID, "%s: key '%s' does not apply to %s (accepted: %s)", opt,
                            item, opt, accepted_keys(keys, acc, sizeof acc));
    return ds__fail(DS_ERR_INVALID, "%s: unknown key '%s' (accepted: %s)", opt, item,
                    accepted_keys(keys, acc, sizeof acc));
}

static const alias *find_name(const char *name)
{
    for (size_t i = 0; i < NNAMES; i++)
        if (!strcmp(names[i].name, name)) return &names[i];
    return NULL;
}

static ds_status unknown_name(const char *name)
{
    char acc[512];
    text t = {acc, sizeof acc, 0};
    for (size_t i = 0; i < NNAMES; i++)
        put(&t, "%s%s", i ? ", " : "", names[i].name);
    return ds__fail(DS_ERR_INVALID, "unknown optimizer '%s' (accepted: %s)", name, acc);
}

ds_status ds_opt_parse(const char *spec, ds_opt_params *out)
{
    char buf[1024];
    if (!spec || !out) return ds__fail(DS_ERR_INVALID, "optimizer spec: NULL argument");
    if (strlen(spec) >= sizeof buf)
        return ds__fail(DS_ERR_PARSE, "optimizer spec is too long (%zu characters, at most %zu)",
                        strlen(spec), sizeof buf - 1);
    strcpy(buf, spec);
    char *rest = strchr(buf, ':');
    if (rest) *rest++ = '\0';
    const alias *a = find_name(buf);
    if (!a) return unknown_name(buf);
    ds_opt_params p = ds_opt_default_params(a->type);
    if (a->tweak) a->tweak(&p);
    if (rest && !*rest) return ds__fail(DS_ERR_PARSE, "%s: nothing after ':'", a->name);
    unsigned seen = 0;
    for (char *item = rest, *next; item; item = next) {
        next = strchr(item, ',');
        if (next) *next++ = '\0';
        ds_status s = parse_item(a->name, item, &p, &seen);
        if (s) return s;
    }
    ds_status s = validate_as(a->name, &p);
    if (s) return s;
    *out = p;
    return DS_OK;
}
