/* schedule.c - learning-rate schedules: parsing, evaluation and canonical text.
 *
 * Formulas follow the lectures (Ng "Optimization Algorithms": alpha0 / (1 +
 * decay t), alpha0 / sqrt(t); CS7015: step, exponential and 1/t decay) and
 * torch.optim.lr_scheduler 1.13 (StepLR, CosineAnnealingLR with an absolute
 * eta_min, LambdaLR for the others):
 * https://pytorch.org/docs/1.13/optim.html#how-to-adjust-learning-rate
 * Torch's CosineAnnealingLR steps a recursive form whose value equals the
 * closed form used here (its _get_closed_form_lr), up to rounding. */
#include "descent/schedule.h"

#include "core/spec.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define F(field) offsetof(ds_sched_part, field)
/* A count of updates: whole, > 0. */
#define COUNT(key, fld, text)                                                                      \
    {                                                                                              \
        .name = key, .type = DS__SPEC_WHOLE, .offset = F(fld), .max = HUGE_VAL,                    \
        .open = DS__SPEC_MIN_OPEN, .required = 1, .help = text                                     \
    }
#define RATE(key, req, dflt, text)                                                                 \
    {                                                                                              \
        .name = #key, .type = DS__SPEC_DOUBLE, .offset = F(key), .max = HUGE_VAL, .required = req, \
        .def = dflt, .help = text                                                                  \
    }

static const ds__spec_key no_keys[] = {{0}};
/* torch StepLR's gamma defaults to 0.1 */
static const ds__spec_key step_keys[] = {COUNT("every", every, "updates between decays"),
                                         {.name = "factor",
                                          .type = DS__SPEC_DOUBLE,
                                          .offset = F(factor),
                                          .max = HUGE_VAL,
                                          .open = DS__SPEC_MIN_OPEN,
                                          .def = 0.1,
                                          .help = "multiplier at each decay"},
                                         {0}};
static const ds__spec_key k_keys[] = {RATE(k, 1, 0, "decay rate"), {0}};
/* torch CosineAnnealingLR's eta_min defaults to 0 */
static const ds__spec_key cosine_keys[] = {COUNT("period", period, "updates from lr0 down to min"),
                                           RATE(min, 0, 0, "the rate at the end (absolute)"),
                                           {0}};
static const ds__spec_key warmup_keys[] = {{.name = "steps",
                                            .type = DS__SPEC_INT,
                                            .offset = F(steps),
                                            .max = 9007199254740992.0,
                                            .open = DS__SPEC_MIN_OPEN,
                                            .required = 1,
                                            .help = "updates of the linear ramp"},
                                           {0}};

typedef struct kind_desc {
    const char *name;
    ds_sched_kind kind;
    int has_length; /* may stand before '+' */
    const ds__spec_key *keys;
} kind_desc;

static const kind_desc kinds[] = {
    {"constant", DS_SCHED_CONSTANT, 0, no_keys},
    {"step", DS_SCHED_STEP, 0, step_keys},
    {"exp", DS_SCHED_EXP, 0, k_keys},
    {"inv", DS_SCHED_INV, 0, k_keys},
    {"invsqrt", DS_SCHED_INVSQRT, 0, no_keys},
    {"cosine", DS_SCHED_COSINE, 1, cosine_keys},
    {"warmup", DS_SCHED_WARMUP, 1, warmup_keys},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const kind_desc *kind_by_name(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i].name, name) == 0) return &kinds[i];
    return NULL;
}

static const kind_desc *kind_by_value(ds_sched_kind k)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].kind == k) return &kinds[i];
    return NULL;
}

ds_schedule ds_schedule_constant(void)
{
    ds_schedule s;
    memset(&s, 0, sizeof s);
    return s;
}

/* Parses one chain element "name[:key=value,...]" (text [s, s+len)). */
static ds_status parse_part(const char *s, size_t len, ds_sched_part *p, const kind_desc **kd_out)
{
    ds__spec sp;
    ds_status st = ds__spec_split(s, len, "schedule part", &sp);
    if (st != DS_OK) return st;
    const kind_desc *kd = kind_by_name(sp.name);
    if (!kd)
        return ds__spec_unknown_name(DS_ERR_PARSE, "schedule", sp.name, &kinds[0].name, NKINDS,
                                     sizeof kinds[0]);
    memset(p, 0, sizeof *p);
    p->kind = kd->kind;
    ds__spec_defaults(kd->keys, p);
    *kd_out = kd;
    return ds__spec_apply(kd->name, kd->keys, &sp, p, NULL, 0, NULL);
}

static ds_status parse_chain(const char *spec, ds_schedule *s)
{
    const char *start[DS_SCHED_MAX_PARTS];
    size_t len[DS_SCHED_MAX_PARTS];
    int n = ds__spec_chain(spec, '+', start, len, DS_SCHED_MAX_PARTS);
    if (n > DS_SCHED_MAX_PARTS)
        return ds__fail(DS_ERR_PARSE, "schedule '%s' has more than %d parts", spec,
                        DS_SCHED_MAX_PARTS);
    for (int i = 0; i < n; i++) {
        const kind_desc *kd = NULL;
        if (len[i] == 0)
            return ds__fail(DS_ERR_PARSE, "empty part %d in schedule '%s'", i + 1, spec);
        ds_status st = parse_part(start[i], len[i], &s->parts[i], &kd);
        if (st != DS_OK) return st;
        if (i + 1 < n && !kd->has_length)
            return ds__fail(DS_ERR_PARSE,
                            "%s cannot stand before '+': it never ends (only warmup and "
                            "cosine have a length)",
                            kd->name);
    }
    s->nparts = n;
    /* A lone "constant" is the constant schedule: one canonical value. */
    if (n == 1 && s->parts[0].kind == DS_SCHED_CONSTANT) s->nparts = 0;
    return DS_OK;
}

ds_status ds_schedule_parse(const char *spec, ds_schedule *out)
{
    ds_schedule s = ds_schedule_constant();
    if (!out) return ds__fail(DS_ERR_INVALID, "ds_schedule_parse: out is NULL");
    if (spec && *spec) {
        ds_status st = parse_chain(spec, &s);
        if (st != DS_OK) return st;
    }
    *out = s;
    return DS_OK;
}

/* Number of updates a chain element lasts before the next one starts. */
static double part_length(const ds_sched_part *p)
{
    return p->kind == DS_SCHED_WARMUP ? (double)p->steps : p->period;
}

static double part_lr(const ds_sched_part *p, double lr0, double t)
{
    switch (p->kind) {
    case DS_SCHED_STEP:
        return lr0 * pow(p->factor, floor(t / p->every));
    case DS_SCHED_EXP:
        return lr0 * exp(-p->k * t);
    case DS_SCHED_INV:
        return lr0 / (1.0 + p->k * t);
    case DS_SCHED_INVSQRT:
        return lr0 / sqrt(1.0 + t);
    case DS_SCHED_COSINE:
        return p->min + (lr0 - p->min) * (1.0 + cos(M_PI * t / p->period)) / 2.0;
    case DS_SCHED_WARMUP:
        return t < (double)p->steps ? lr0 * (t + 1.0) / (double)p->steps : lr0;
    default:
        return lr0;
    }
}

double ds_schedule_lr(const ds_schedule *s, double lr0, int64_t t)
{
    double tt = t < 0 ? 0.0 : (double)t;
    if (!s || s->nparts <= 0) return lr0;
    int i = 0;
    for (; i < s->nparts - 1 && tt >= part_length(&s->parts[i]); i++)
        tt -= part_length(&s->parts[i]);
    return part_lr(&s->parts[i], lr0, tt);
}

int ds_schedule_format(const ds_schedule *s, char *buf, size_t size)
{
    ds__spec_out o = {buf, buf ? size : 0, 0};
    if (o.size) buf[0] = '\0';
    if (!s || s->nparts <= 0) ds__spec_put(&o, "constant");
    for (int i = 0; s && i < s->nparts; i++) {
        const kind_desc *kd = kind_by_value(s->parts[i].kind);
        if (!kd) kd = &kinds[0];
        if (i) ds__spec_put(&o, "+");
        ds__spec_format(&o, kd->name, kd->keys, &s->parts[i]);
    }
    return (int)o.len;
}
