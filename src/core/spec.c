/* spec.c - the spec engine (spec.h): one tokenizer of NAME[:ITEM,...] and
 * its chains, one reader of typed, range-checked key tables, one canonical
 * writer, and the one wording of every grammar error. */
#include "core/spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest whole number a double holds exactly (2^53). */
#define MAX_WHOLE 9007199254740992.0

void ds__spec_put(ds__spec_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const size_t room = o->buf && o->len < o->size ? o->size - o->len : 0;
    const int k = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0) o->len += (size_t)k;
}

/* %.15g when it reads back exactly (0.1, not 0.10000000000000001), else
 * %.17g, which always does. */
void ds__spec_put_number(ds__spec_out *o, double v)
{
    char tmp[40];
    double back;
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (ds_parse_double(tmp, &back) != 0 || back != v) snprintf(tmp, sizeof tmp, "%.17g", v);
    char *plus = strchr(tmp, '+');
    if (plus) memmove(plus, plus + 1, strlen(plus));
    ds__spec_put(o, "%s", tmp);
}

void ds__spec_put_keys(ds__spec_out *o, const ds__spec_key *keys)
{
    if (!keys[0].name) ds__spec_put(o, "none");
    for (const ds__spec_key *k = keys; k->name; k++)
        ds__spec_put(o, "%s%s", k == keys ? "" : ", ", k->name);
}

ds_status ds__spec_unknown_name(ds_status status, const char *what, const char *name,
                                const char *const *first, size_t n, size_t stride)
{
    char acc[512];
    ds__spec_out o = {acc, sizeof acc, 0};
    acc[0] = '\0';
    for (size_t i = 0; i < n; i++)
        ds__spec_put(&o, "%s%s", i ? ", " : "",
                     *(const char *const *)(const void *)((const char *)first + i * stride));
    return ds__fail(status, "unknown %s '%s' (accepted: %s)", what, name, acc);
}

/* ---- tokenizer --------------------------------------------------------- */

ds_status ds__spec_split(const char *text, size_t len, const char *what, ds__spec *out)
{
    if (len >= sizeof out->text)
        return ds__fail(DS_ERR_PARSE, "%s is too long (%zu characters, at most %zu)", what, len,
                        sizeof out->text - 1);
    memcpy(out->text, text, len);
    out->text[len] = '\0';
    out->name = out->text;
    out->nitems = 0;
    char *colon = strchr(out->text, ':');
    out->colon = colon != NULL;
    if (!colon) return DS_OK;
    *colon = '\0';
    for (char *item = colon + 1, *next; item; item = next) {
        next = strchr(item, ',');
        if (next) *next++ = '\0';
        if (out->nitems < DS__SPEC_MAX_ITEMS)
            out->items[out->nitems] = (ds__spec_item){item, strchr(item, '=')};
        out->nitems++;
    }
    return DS_OK;
}

int ds__spec_chain(const char *text, char sep, const char **start, size_t *len, int max)
{
    int n = 0;
    for (const char *q = text;; n++) {
        const char *plus = strchr(q, sep);
        if (n == max) return max + 1;
        start[n] = q;
        len[n] = plus ? (size_t)(plus - q) : strlen(q);
        if (!plus) return n + 1;
        q = plus + 1;
    }
}

/* ---- values ------------------------------------------------------------ */

static void *field(void *target, const ds__spec_key *k)
{
    return (char *)target + k->offset;
}

static const void *cfield(const void *target, const ds__spec_key *k)
{
    return (const char *)target + k->offset;
}

static int is_number(ds__spec_type t)
{
    return t == DS__SPEC_DOUBLE || t == DS__SPEC_WHOLE || t == DS__SPEC_INT;
}

/* "a number >= 0", "in [0, 1)", "a whole number > 0", "0 or 1", "a or b". */
static void put_accepted(ds__spec_out *o, const ds__spec_key *k)
{
    const int whole = k->type != DS__SPEC_DOUBLE;
    if (k->type == DS__SPEC_STRING || k->type == DS__SPEC_CUSTOM) {
        ds__spec_put(o, "a value");
    } else if (k->type == DS__SPEC_BOOL) {
        ds__spec_put(o, "0 or 1");
    } else if (k->type == DS__SPEC_ENUM) {
        for (int i = 0; k->words[i]; i++)
            ds__spec_put(o, "%s%s", !i ? "" : k->words[i + 1] ? ", " : " or ", k->words[i]);
    } else if (k->max == HUGE_VAL || (whole && k->max >= MAX_WHOLE)) {
        ds__spec_put(o, "a %snumber %s %.15g", whole ? "whole " : "",
                     k->open & DS__SPEC_MIN_OPEN ? ">" : ">=", k->min);
    } else {
        ds__spec_put(o, "%sin %c%.15g, %.15g%c", whole ? "a whole number " : "",
                     k->open & DS__SPEC_MIN_OPEN ? '(' : '[', k->min, k->max,
                     k->open & DS__SPEC_MAX_OPEN ? ')' : ']');
    }
}

static const char *accepted(const ds__spec_key *k, char *buf, size_t size)
{
    ds__spec_out o = {buf, size, 0};
    buf[0] = '\0';
    put_accepted(&o, k);
    return buf;
}

static int in_range(const ds__spec_key *k, double v)
{
    const int lo = k->open & DS__SPEC_MIN_OPEN ? v > k->min : v >= k->min;
    const int hi = k->open & DS__SPEC_MAX_OPEN ? v < k->max : v <= k->max;
    const int whole = k->type != DS__SPEC_WHOLE || (v == floor(v) && fabs(v) <= MAX_WHOLE);
    return isfinite(v) && lo && hi && whole;
}

static ds_status out_of_range(const char *ctx, const ds__spec_key *k, double v)
{
    char acc[256];
    return ds__fail(DS_ERR_INVALID, "%s: %s must be %s (got %g)", ctx, k->name,
                    accepted(k, acc, sizeof acc), ds__msg_num(v));
}

static ds_status not_a_value(const char *ctx, const ds__spec_key *k, const char *text)
{
    char acc[256];
    return ds__fail(DS_ERR_PARSE, "%s: %s must be %s (got '%s')", ctx, k->name,
                    accepted(k, acc, sizeof acc), text);
}

/* An integer: decimal digits (exact to int64), or a number like 1e6 that
 * is whole and within 2^53. Returns 0, or -1 with *v set when the text is a
 * number but not a whole one, or -2 when it is no number. */
static int parse_int(const char *text, double *v, int64_t *i)
{
    long l;
    if (ds_parse_long(text, &l) == 0) return *v = (double)l, *i = l, 0;
    if (ds_parse_double(text, v) != 0) return -2;
    if (*v != floor(*v) || fabs(*v) > MAX_WHOLE) return -1;
    *i = (int64_t)*v;
    return 0;
}

static int find_word(const char *const *words, const char *text)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(words[i], text)) return i;
    return -1;
}

static ds_status parse_value(const char *ctx, const ds__spec_key *k, char *text, void *target)
{
    void *f = field(target, k);
    double v = 0;
    int64_t i = 0;
    int w;
    switch (k->type) {
    case DS__SPEC_STRING:
        *(const char **)f = text;
        return DS_OK;
    case DS__SPEC_CUSTOM:
        return k->parse(ctx, k, text, target);
    case DS__SPEC_ENUM:
        if ((w = find_word(k->words, text)) < 0) return not_a_value(ctx, k, text);
        *(int *)f = w;
        return DS_OK;
    case DS__SPEC_INT:
    case DS__SPEC_BOOL:
        if ((w = parse_int(text, &v, &i)) == -2) return not_a_value(ctx, k, text);
        if (w == -1 || (k->type == DS__SPEC_BOOL ? i != 0 && i != 1 : !in_range(k, v)))
            return out_of_range(ctx, k, v);
        if (k->type == DS__SPEC_INT)
            *(int64_t *)f = i;
        else
            *(int *)f = (int)i;
        return DS_OK;
    default:
        if (ds_parse_double(text, &v) != 0) return not_a_value(ctx, k, text);
        if (!in_range(k, v)) return out_of_range(ctx, k, v);
        *(double *)f = v;
        return DS_OK;
    }
}

/* ---- tables ------------------------------------------------------------ */

void ds__spec_defaults(const ds__spec_key *keys, void *target)
{
    for (const ds__spec_key *k = keys; k->name; k++) {
        void *f = field(target, k);
        if (k->type == DS__SPEC_DOUBLE || k->type == DS__SPEC_WHOLE)
            *(double *)f = k->def;
        else if (k->type == DS__SPEC_INT)
            *(int64_t *)f = (int64_t)k->def;
        else if (k->type == DS__SPEC_BOOL || k->type == DS__SPEC_ENUM)
            *(int *)f = (int)k->def;
        else if (k->type == DS__SPEC_STRING)
            *(const char **)f = NULL;
    }
}

static const ds__spec_key *find_key(const ds__spec_key *keys, const char *name)
{
    for (const ds__spec_key *k = keys; k->name; k++)
        if (!strcmp(k->name, name)) return k;
    return NULL;
}

static ds_status unknown_key(const char *ctx, const ds__spec_key *keys, const char *name)
{
    char acc[512];
    ds__spec_out o = {acc, sizeof acc, 0};
    if (!keys[0].name) return ds__fail(DS_ERR_INVALID, "%s: takes no keys (got '%s')", ctx, name);
    ds__spec_put_keys(&o, keys);
    return ds__fail(DS_ERR_INVALID, "%s: unknown key '%s' (accepted: %s)", ctx, name, acc);
}

/* A key is a word of lower-case letters, digits and '_'; with positional
 * values allowed, "dir/a=b.csv" is a path, not a key. */
static int is_key(const ds__spec_item *it, int max_pos)
{
    if (!it->eq) return 0;
    if (max_pos == 0) return 1;
    for (const char *p = it->text; p < it->eq; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_') return 0;
    return it->eq > it->text;
}

/* One key=value item; seen[i] marks keys[i] as given. */
static ds_status apply_key(const char *ctx, const ds__spec_key *keys, ds__spec_item *it,
                           void *target, unsigned char *seen)
{
    *it->eq = '\0';
    char *value = it->eq + 1;
    if (!*it->text) return ds__fail(DS_ERR_PARSE, "%s: no key before '=' in '=%s'", ctx, value);
    const ds__spec_key *k = find_key(keys, it->text);
    if (!k) return unknown_key(ctx, keys, it->text);
    if (seen[k - keys]++) return ds__fail(DS_ERR_PARSE, "%s: %s given twice", ctx, k->name);
    if (!*value) {
        char acc[256] = "";
        ds__spec_out o = {acc, sizeof acc, 0};
        if (k->type != DS__SPEC_STRING && k->type != DS__SPEC_CUSTOM) {
            ds__spec_put(&o, " (");
            put_accepted(&o, k);
            ds__spec_put(&o, ")");
        }
        return ds__fail(DS_ERR_PARSE, "%s: empty value for %s%s", ctx, k->name, acc);
    }
    return parse_value(ctx, k, value, target);
}

static ds_status check_required(const char *ctx, const ds__spec_key *keys,
                                const unsigned char *seen)
{
    char acc[256];
    for (const ds__spec_key *k = keys; k->name; k++)
        if (k->required && !seen[k - keys])
            return ds__fail(DS_ERR_PARSE, "%s: missing %s (%s%s%s)", ctx, k->name,
                            k->help ? k->help : "", k->help ? ": " : "",
                            accepted(k, acc, sizeof acc));
    return DS_OK;
}

/* The key a table gives to its n-th value without a key, or NULL. */
static const ds__spec_key *pos_key(const ds__spec_key *keys, int n)
{
    for (const ds__spec_key *k = keys; k->name; k++)
        if (k->pos == n) return k;
    return NULL;
}

/* A value without a key that the table names: as if given as key=value. */
static ds_status apply_pos(const char *ctx, const ds__spec_key *keys, const ds__spec_key *k,
                           char *text, void *target, unsigned char *seen)
{
    if (seen[k - keys]++) return ds__fail(DS_ERR_PARSE, "%s: %s given twice", ctx, k->name);
    return parse_value(ctx, k, text, target);
}

ds_status ds__spec_apply(const char *ctx, const ds__spec_key *keys, ds__spec *s, void *target,
                         char **pos, int max_pos, int *npos)
{
    unsigned char seen[DS__SPEC_MAX_ITEMS * 2] = {0};
    const ds__spec_key *pk;
    int np = 0, nk = 0;
    if (s->colon && s->nitems == 1 && !*s->items[0].text)
        return ds__fail(DS_ERR_PARSE, "%s: nothing after ':'", ctx);
    if (s->nitems > DS__SPEC_MAX_ITEMS)
        return ds__fail(DS_ERR_PARSE, "%s: too many items (%d, at most %d)", ctx, s->nitems,
                        DS__SPEC_MAX_ITEMS);
    for (int i = 0; i < s->nitems; i++) {
        ds__spec_item *it = &s->items[i];
        ds_status st = DS_OK;
        if (!*it->text)
            st = ds__fail(DS_ERR_PARSE, "%s: empty item (stray or trailing comma?)", ctx);
        else if (is_key(it, max_pos))
            st = apply_key(ctx, keys, it, target, seen);
        else if ((pk = pos_key(keys, ++nk)) != NULL)
            st = apply_pos(ctx, keys, pk, it->text, target, seen);
        else if (max_pos == 0)
            st = ds__fail(DS_ERR_PARSE, "%s: expected key=value, got '%s'", ctx, it->text);
        else if (np == max_pos)
            st = ds__fail(DS_ERR_PARSE, "%s: too many values (at most %d) at '%s'", ctx, max_pos,
                          it->text);
        else
            pos[np++] = it->text;
        if (st != DS_OK) return st;
    }
    if (npos) *npos = np;
    return check_required(ctx, keys, seen);
}

ds_status ds__spec_check(const char *ctx, const ds__spec_key *keys, const void *target)
{
    for (const ds__spec_key *k = keys; k->name; k++) {
        const void *f = cfield(target, k);
        double v = 0;
        int ok = 1;
        if (k->type == DS__SPEC_CUSTOM) {
            ds_status st = k->check(ctx, k, target);
            if (st != DS_OK) return st;
        } else if (k->type == DS__SPEC_BOOL || k->type == DS__SPEC_ENUM) {
            const int i = *(const int *)f;
            int n = 0;
            while (k->type == DS__SPEC_ENUM && k->words[n])
                n++;
            v = i, ok = i >= 0 && i < (k->type == DS__SPEC_BOOL ? 2 : n);
        } else if (is_number(k->type)) {
            v = k->type == DS__SPEC_INT ? (double)*(const int64_t *)f : *(const double *)f;
            ok = in_range(k, v);
        }
        if (!ok) return out_of_range(ctx, k, v);
    }
    return DS_OK;
}

/* ---- canonical text ---------------------------------------------------- */

static void put_value(ds__spec_out *o, const ds__spec_key *k, const void *target)
{
    const void *f = cfield(target, k);
    switch (k->type) {
    case DS__SPEC_INT:
        ds__spec_put(o, "%lld", (long long)*(const int64_t *)f);
        break;
    case DS__SPEC_BOOL:
        ds__spec_put(o, "%d", *(const int *)f);
        break;
    case DS__SPEC_ENUM:
        ds__spec_put(o, "%s", k->words[*(const int *)f]);
        break;
    case DS__SPEC_STRING:
        ds__spec_put(o, "%s", *(const char *const *)f);
        break;
    case DS__SPEC_CUSTOM:
        k->format(o, target);
        break;
    default:
        ds__spec_put_number(o, *(const double *)f);
    }
}

void ds__spec_format(ds__spec_out *o, const char *name, const ds__spec_key *keys,
                     const void *target)
{
    const char *sep = ":";
    ds__spec_put(o, "%s", name);
    for (const ds__spec_key *k = keys; k->name; k++) {
        if (k->type == DS__SPEC_STRING && !*(const char *const *)cfield(target, k)) continue;
        ds__spec_put(o, "%s%s=", sep, k->name);
        sep = ",";
        put_value(o, k, target);
    }
}
