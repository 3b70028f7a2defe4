/* spec.h - the one grammar of descent's spec strings, shared by the
 * optimizers, schedules, data sets and models:
 *
 *     NAME[:ITEM,ITEM,...]      ITEM = key=value | a positional value
 *     PART+PART+...             a chain (schedules)
 *     PART|PART|...             a layer list (models: net:in=1x28x28|conv:32,5|...)
 *
 * A parser declares what each NAME accepts as a table of ds__spec_key (name,
 * type, range, default, help, where the value is stored) and hands the
 * split text to ds__spec_apply; the engine owns every message about the
 * grammar (unknown key, key given twice, empty value, value out of range),
 * so the four parsers word them alike. ds__spec_format writes the canonical
 * text (every key, shortest exact numbers) that parses back to the same
 * values. Private to the library (Redis's config table and SQLite's pragma
 * table are the models). */
#ifndef DESCENT_SPEC_H
#define DESCENT_SPEC_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

/* Longest spec text and most items of one NAME[:...] part. */
#define DS__SPEC_MAX_TEXT  1024
#define DS__SPEC_MAX_ITEMS 24

typedef enum ds__spec_type {
    DS__SPEC_DOUBLE, /* double in [min, max] */
    DS__SPEC_WHOLE,  /* double holding a whole number in [min, max] */
    DS__SPEC_INT,    /* int64_t in [min, max] */
    DS__SPEC_BOOL,   /* int, 0 or 1 */
    DS__SPEC_ENUM,   /* int, the index of one of `words` */
    DS__SPEC_STRING, /* const char *, pointing into the ds__spec text */
    DS__SPEC_CUSTOM  /* parse/format/check callbacks */
} ds__spec_type;

/* ds__spec_key.open: which ends of [min, max] are excluded. */
enum { DS__SPEC_MIN_OPEN = 1, DS__SPEC_MAX_OPEN = 2 };

typedef struct ds__spec_key ds__spec_key;

/* A text under construction: len counts what the full text needs, as
 * snprintf does, so a short (or NULL) buffer still reports the length. */
typedef struct ds__spec_out {
    char *buf;
    size_t size, len;
} ds__spec_out;

struct ds__spec_key {
    const char *name;
    ds__spec_type type;
    size_t offset;            /* of the value in the caller's struct */
    double min, max;          /* DOUBLE, WHOLE, INT; max = HUGE_VAL: no upper bound */
    int open;                 /* DS__SPEC_MIN_OPEN | DS__SPEC_MAX_OPEN */
    int required;             /* the spec must give it */
    double def;               /* written by ds__spec_defaults (numbers, BOOL, ENUM index) */
    const char *const *words; /* ENUM: the accepted words, NULL-terminated */
    const char *help;
    /* CUSTOM: read text into the struct, write it back, check a stored value. */
    ds_status (*parse)(const char *ctx, const ds__spec_key *k, char *text, void *target);
    void (*format)(ds__spec_out *o, const void *target);
    ds_status (*check)(const char *ctx, const ds__spec_key *k, const void *target);
    int pos; /* > 0: the pos-th value without a key sets this key ("conv:32,5"
                is "conv:units=32,k=5"); 0: key=value only */
};

/* One split spec: the name and its items, cut in place in a private copy. */
typedef struct ds__spec_item {
    char *text;
    char *eq; /* the first '=' in text, or NULL */
} ds__spec_item;

typedef struct ds__spec {
    char text[DS__SPEC_MAX_TEXT];
    const char *name;
    int colon;  /* a ':' followed the name */
    int nitems; /* > DS__SPEC_MAX_ITEMS when items were dropped */
    ds__spec_item items[DS__SPEC_MAX_ITEMS];
} ds__spec;

/* Splits len bytes of text as NAME[:ITEM,...]. Fails (DS_ERR_PARSE, naming
 * `what`, e.g. "optimizer spec") only when the text is too long: everything
 * else is reported by ds__spec_apply once the caller knows the name. */
ds_status ds__spec_split(const char *text, size_t len, const char *what, ds__spec *out);

/* Splits text at every sep ('+' in a chain, '|' in a layer list) into at
 * most max parts (start, length); returns the number of parts, max + 1
 * when there are more. */
int ds__spec_chain(const char *text, char sep, const char **start, size_t *len, int max);

/* Writes every key's default into target. */
void ds__spec_defaults(const ds__spec_key *keys, void *target);

/* Stores the items of s into target through the table keys (terminated by
 * a key with a NULL name); ctx starts every message ("adam", "data spec
 * 'blobs:n=0'"). Positional items go to pos (at most max_pos; with
 * max_pos == 0 one is "expected key=value"), their count to *npos. Checks
 * each value's range and that every required key was given. */
ds_status ds__spec_apply(const char *ctx, const ds__spec_key *keys, ds__spec *s, void *target,
                         char **pos, int max_pos, int *npos);

/* Checks every stored value of target against its key's type and range
 * (for structs filled by hand). */
ds_status ds__spec_check(const char *ctx, const ds__spec_key *keys, const void *target);

/* Appends "name:key=value,..." with every key of the table, in its order. */
void ds__spec_format(ds__spec_out *o, const char *name, const ds__spec_key *keys,
                     const void *target);

/* Fails with status and "unknown WHAT 'name' (accepted: a, b, c)", the
 * accepted names read from a table of n entries stride bytes apart, the
 * first name at `first` (e.g. &table[0].name, n, sizeof table[0]). */
ds_status ds__spec_unknown_name(ds_status status, const char *what, const char *name,
                                const char *const *first, size_t n, size_t stride);

/* Appends text to o (snprintf semantics). */
void ds__spec_put(ds__spec_out *o, const char *fmt, ...) DS__PRINTF(2, 3);

/* Appends the shortest text that reads back as exactly v, without the '+'
 * of an exponent ('+' joins the parts of a chain). */
void ds__spec_put_number(ds__spec_out *o, double v);

/* Appends the table's key names, ", "-separated ("none" for an empty table). */
void ds__spec_put_keys(ds__spec_out *o, const ds__spec_key *keys);

#endif
