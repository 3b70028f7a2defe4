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

#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ACCEPTED_NAMES "constant, step, exp, inv, invsqrt, cosine, warmup"

/* Largest whole count we accept: beyond 2^53 doubles stop being whole. */
#define MAX_WHOLE 9007199254740992.0

/* One key of one schedule kind: where it lives and what it accepts. */
typedef enum { VAL_POSITIVE, VAL_NONNEG, VAL_WHOLE } val_rule;

typedef struct key_desc {
    const char *name;
    size_t offset; /* into ds_sched_part; a double, or int64_t for warmup steps */
    val_rule rule;
    int required;
    double def; /* used when not required and not given */
} key_desc;

typedef struct kind_desc {
    const char *name;
    ds_sched_kind kind;
    int has_length; /* may stand before '+' */
    key_desc keys[2];
    int nkeys;
} kind_desc;

#define KEY(field, rule, req, def)                                                                 \
    {                                                                                              \
#field, offsetof(ds_sched_part, field), rule, req, def                                     \
    }

static const kind_desc kinds[] = {
    {"constant", DS_SCHED_CONSTANT, 0, {{0}}, 0},
    /* torch StepLR's gamma defaults to 0.1 */
    {"step", DS_SCHED_STEP, 0, {KEY(every, VAL_WHOLE, 1, 0), KEY(factor, VAL_POSITIVE, 0, 0.1)}, 2},
    {"exp", DS_SCHED_EXP, 0, {KEY(k, VAL_NONNEG, 1, 0)}, 1},
    {"inv", DS_SCHED_INV, 0, {KEY(k, VAL_NONNEG, 1, 0)}, 1},
    {"invsqrt", DS_SCHED_INVSQRT, 0, {{0}}, 0},
    /* torch CosineAnnealingLR's eta_min defaults to 0 */
    {"cosine", DS_SCHED_COSINE, 1, {KEY(period, VAL_WHOLE, 1, 0), KEY(min, VAL_NONNEG, 0, 0)}, 2},
    {"warmup", DS_SCHED_WARMUP, 1, {KEY(steps, VAL_WHOLE, 1, 0)}, 1},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const kind_desc *kind_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strlen(kinds[i].name) == len && strncmp(kinds[i].name, name, len) == 0)
            return &kinds[i];
    return NULL;
}

static const kind_desc *kind_by_value(ds_sched_kind k)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].kind == k) return &kinds[i];
    return NULL;
}

static const char *rule_text(val_rule r)
{
    switch (r) {
    case VAL_POSITIVE:
        return "a number > 0";
    case VAL_NONNEG:
        return "a number >= 0";
    default:
        return "a whole number > 0";
    }
}

static int value_ok(double v, val_rule r)
{
    switch (r) {
    case VAL_POSITIVE:
        return v > 0;
    case VAL_NONNEG:
        return v >= 0;
    default:
        return v > 0 && v <= MAX_WHOLE && v == floor(v);
    }
}

ds_schedule ds_schedule_constant(void)
{
    ds_schedule s;
    memset(&s, 0, sizeof s);
    return s;
}

static void store_key(ds_sched_part *p, const key_desc *k, double v)
{
    char *field = (char *)p + k->offset;
    if (p->kind == DS_SCHED_WARMUP)
        *(int64_t *)(void *)field = (int64_t)v;
    else
        *(double *)(void *)field = v;
}

/* Parses one "key=value" of part `p` (text [s, s+len)). */
static ds_status parse_key(const kind_desc *kd, ds_sched_part *p, unsigned *seen, const char *s,
                           size_t len)
{
    char text[128];
    if (len >= sizeof text) return ds__fail(DS_ERR_PARSE, "%s: key=value too long", kd->name);
    memcpy(text, s, len);
    text[len] = '\0';
    char *eq = strchr(text, '=');
    if (!eq) return ds__fail(DS_ERR_PARSE, "%s: expected key=value, got '%s'", kd->name, text);
    *eq = '\0';
    for (int i = 0; i < kd->nkeys; i++) {
        const key_desc *k = &kd->keys[i];
        if (strcmp(k->name, text) != 0) continue;
        if (*seen & (1u << i))
            return ds__fail(DS_ERR_PARSE, "%s: %s given twice", kd->name, k->name);
        double v;
        if (!eq[1])
            return ds__fail(DS_ERR_PARSE, "%s: empty value for %s (%s)", kd->name, k->name,
                            rule_text(k->rule));
        if (ds__parse_double(eq + 1, &v) != 0 || !value_ok(v, k->rule))
            return ds__fail(DS_ERR_INVALID, "%s: %s must be %s (got %s)", kd->name, k->name,
                            rule_text(k->rule), eq + 1);
        store_key(p, k, v);
        *seen |= 1u << i;
        return DS_OK;
    }
    if (kd->nkeys == 0)
        return ds__fail(DS_ERR_PARSE, "%s: takes no keys (got '%s')", kd->name, text);
    return ds__fail(DS_ERR_PARSE, "%s: unknown key '%s' (accepted: %s%s%s)", kd->name, text,
                    kd->keys[0].name, kd->nkeys > 1 ? ", " : "",
                    kd->nkeys > 1 ? kd->keys[1].name : "");
}

/* Parses one chain element "name[:key=value,...]" (text [s, s+len)). */
static ds_status parse_part(const char *s, size_t len, ds_sched_part *p, const kind_desc **kd_out)
{
    const char *colon = memchr(s, ':', len);
    size_t nlen = colon ? (size_t)(colon - s) : len;
    const kind_desc *kd = kind_by_name(s, nlen);
    if (!kd)
        return ds__fail(DS_ERR_PARSE, "unknown schedule '%.*s' (accepted: %s)", (int)nlen, s,
                        ACCEPTED_NAMES);
    memset(p, 0, sizeof *p);
    p->kind = kd->kind;
    unsigned seen = 0;
    if (colon) {
        const char *q = colon + 1, *end = s + len;
        if (q == end) return ds__fail(DS_ERR_PARSE, "%s: nothing after ':'", kd->name);
        while (q <= end) {
            const char *comma = memchr(q, ',', (size_t)(end - q));
            const char *stop = comma ? comma : end;
            ds_status st = parse_key(kd, p, &seen, q, (size_t)(stop - q));
            if (st != DS_OK) return st;
            q = stop + 1;
        }
    }
    for (int i = 0; i < kd->nkeys; i++) {
        if (seen & (1u << i)) continue;
        if (kd->keys[i].required)
            return ds__fail(DS_ERR_PARSE, "%s: missing %s (%s)", kd->name, kd->keys[i].name,
                            rule_text(kd->keys[i].rule));
        store_key(p, &kd->keys[i], kd->keys[i].def);
    }
    *kd_out = kd;
    return DS_OK;
}

ds_status ds_schedule_parse(const char *spec, ds_schedule *out)
{
    ds_schedule s = ds_schedule_constant();
    if (!out) return ds__fail(DS_ERR_INVALID, "ds_schedule_parse: out is NULL");
    if (spec && *spec) {
        const char *q = spec, *end = spec + strlen(spec);
        for (;;) {
            const char *plus = memchr(q, '+', (size_t)(end - q));
            const char *stop = plus ? plus : end;
            if (stop == q)
                return ds__fail(DS_ERR_PARSE, "empty part %d in schedule '%s'", s.nparts + 1, spec);
            if (s.nparts == DS_SCHED_MAX_PARTS)
                return ds__fail(DS_ERR_PARSE, "schedule '%s' has more than %d parts", spec,
                                DS_SCHED_MAX_PARTS);
            const kind_desc *kd = NULL;
            ds_status st = parse_part(q, (size_t)(stop - q), &s.parts[s.nparts], &kd);
            if (st != DS_OK) return st;
            s.nparts++;
            if (!plus) break;
            if (!kd->has_length)
                return ds__fail(DS_ERR_PARSE,
                                "%s cannot stand before '+': it never ends (only warmup and "
                                "cosine have a length)",
                                kd->name);
            q = plus + 1;
        }
        /* A lone "constant" is the constant schedule: one canonical value. */
        if (s.nparts == 1 && s.parts[0].kind == DS_SCHED_CONSTANT) s.nparts = 0;
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

/* Appends text at *pos, tracking the full length like snprintf does. */
static void append(char *buf, size_t size, size_t *pos, const char *text)
{
    size_t n = strlen(text);
    if (*pos < size) snprintf(buf + *pos, size - *pos, "%s", text);
    *pos += n;
}

/* The shortest of %.15g / %.17g that reads back as exactly v. An exponent's
 * '+' is dropped ("1e+26" -> "1e26", which strtod reads the same) because
 * '+' joins the parts of a chain: the text must parse back (found by
 * fuzz_schedule_spec, tests/fuzz_regressions/fuzz_schedule_spec). */
static void format_number(char *tmp, size_t size, double v)
{
    double back;
    snprintf(tmp, size, "%.15g", v);
    if (ds__parse_double(tmp, &back) != 0 || back != v) snprintf(tmp, size, "%.17g", v);
    char *plus = strchr(tmp, '+');
    if (plus) memmove(plus, plus + 1, strlen(plus));
}

static double key_value(const ds_sched_part *p, const key_desc *k)
{
    const char *field = (const char *)p + k->offset;
    return p->kind == DS_SCHED_WARMUP ? (double)*(const int64_t *)(const void *)field
                                      : *(const double *)(const void *)field;
}

int ds_schedule_format(const ds_schedule *s, char *buf, size_t size)
{
    size_t pos = 0;
    char tmp[64];
    if (!buf) size = 0;
    if (size) buf[0] = '\0';
    if (!s || s->nparts <= 0) append(buf, size, &pos, "constant");
    for (int i = 0; s && i < s->nparts; i++) {
        const kind_desc *kd = kind_by_value(s->parts[i].kind);
        if (!kd) kd = &kinds[0];
        if (i) append(buf, size, &pos, "+");
        append(buf, size, &pos, kd->name);
        for (int j = 0; j < kd->nkeys; j++) {
            append(buf, size, &pos, j ? "," : ":");
            append(buf, size, &pos, kd->keys[j].name);
            append(buf, size, &pos, "=");
            format_number(tmp, sizeof tmp, key_value(&s->parts[i], &kd->keys[j]));
            append(buf, size, &pos, tmp);
        }
    }
    return (int)pos;
}
