/* prep_state.c - the preprocessing (descent/prep.h) to and from its
 * checkpoint records "prep.*", so eval, predict and export apply what
 * training learned. A file without the records reads as the identity.
 * Name lists (classes, CSV columns) are one text record each, the names
 * joined by '\n' (a CSV field never holds a line end). */
#include "data/prep_internal.h"
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Record `name`: the n names joined by '\n'. */
static ds_status put_lines(ds_ckpt *c, const char *name, char *const *names, size_t n)
{
    size_t len = 1;
    for (size_t k = 0; k < n; k++)
        len += strlen(names[k]) + 1;
    char *text = malloc(len), *at = text;
    if (!text) return ds__nomem("names", len);
    for (size_t k = 0; k < n; k++)
        at += sprintf(at, "%s%s", k ? "\n" : "", names[k]);
    ds_status s = ds_ckpt_put_text(c, name, text);
    free(text);
    return s;
}

ds_status ds_prep_put(const ds_prep *p, ds_ckpt *c)
{
    if (p->inputs == 0) return DS_OK; /* the identity: no records */
    ds_status s = ds_ckpt_put_text(c, "prep.norm", ds_norm_name(p->norm));
    if (s == DS_OK) s = ds_ckpt_put(c, "prep.fill", DS_CKPT_F32, p->fill, p->inputs);
    if (s == DS_OK) s = ds_ckpt_put(c, "prep.offset", DS_CKPT_F32, p->offset, p->inputs);
    if (s == DS_OK) s = ds_ckpt_put(c, "prep.scale", DS_CKPT_F32, p->scale, p->inputs);
    if (s == DS_OK && p->classes) s = put_lines(c, "prep.classes", p->names, (size_t)p->classes);
    if (s == DS_OK && p->ncolumns) s = put_lines(c, "prep.columns", p->columns, p->ncolumns);
    if (s == DS_OK && p->ncolumns)
        s = ds_ckpt_put_i64(c, "prep.label_column", (int64_t)p->label_column);
    return s;
}

/* The names of text record `rec` (a copy split at '\n') into *names (a
 * malloc'd array into *copy), their count into *n; 0 names if absent.
 * Empty names are refused unless allowed (a CSV header may have one). */
static ds_status get_lines(const ds_ckpt *c, const char *rec, int empty_ok, char **copy,
                           const char ***names, size_t *n)
{
    size_t len = 0;
    const char *text = ds_ckpt_find(c, rec, DS_CKPT_TEXT, &len);
    *copy = NULL, *names = NULL, *n = 0;
    if (!text) return DS_OK;
    size_t max = 1;
    for (size_t i = 0; i < len; i++)
        max += text[i] == '\n';
    *copy = malloc(len + 1);
    *names = malloc(max * sizeof **names);
    if (!*copy || !*names) return ds__nomem("names", len + max * sizeof(char *));
    char *at = memcpy(*copy, text, len + 1);
    for (*n = 0; *n < max; ++*n) {
        char *nl = strchr(at, '\n');
        if (nl) *nl = '\0';
        if (!*at && !empty_ok)
            return ds__fail(DS_ERR_FORMAT, "checkpoint record %s has an empty name", rec);
        (*names)[*n] = at;
        at = nl ? nl + 1 : at;
    }
    return DS_OK;
}

/* Class names and CSV columns into p. */
static ds_status get_names(const ds_ckpt *c, ds_prep *p)
{
    char *copy[2];
    const char **names[2];
    size_t n[2];
    int64_t label = 0;
    ds_status s = get_lines(c, "prep.classes", 0, &copy[0], &names[0], &n[0]);
    ds_status t = get_lines(c, "prep.columns", 1, &copy[1], &names[1], &n[1]);
    if (s == DS_OK) s = t;
    if (s == DS_OK && n[1]) s = ds_ckpt_get_i64(c, "prep.label_column", &label);
    int bad_columns = n[1] && (label < 0 || (uint64_t)label >= n[1] || n[1] - 1 != p->inputs);
    if (s == DS_OK && (n[0] > INT32_MAX || bad_columns))
        s = ds__fail(DS_ERR_FORMAT,
                     "checkpoint prep records: %zu classes, %zu columns with the "
                     "label at %lld, for %zu features",
                     n[0], n[1], (long long)label, p->inputs);
    if (s == DS_OK) s = ds__prep_set_names(p, names[0], (int32_t)n[0]);
    if (s == DS_OK) s = ds__prep_set_columns(p, names[1], n[1], (size_t)label);
    for (int i = 0; i < 2; i++)
        free(copy[i]), free(names[i]);
    return s;
}

/* The three arrays: each must have the same count. */
static ds_status get_arrays(const ds_ckpt *c, ds_prep *p)
{
    static const char *const rec[3] = {"prep.fill", "prep.offset", "prep.scale"};
    float *dst[3] = {p->fill, p->offset, p->scale};
    ds_status s = DS_OK;
    for (int i = 0; s == DS_OK && i < 3; i++)
        s = ds_ckpt_get(c, rec[i], DS_CKPT_F32, dst[i], p->inputs);
    if (s == DS_OK) return s;
    char why[512]; /* a copy: the message is the argument */
    snprintf(why, sizeof why, "%s", ds_last_error());
    return ds__fail(DS_ERR_FORMAT, "checkpoint prep records: %s", why);
}

ds_status ds_prep_from_checkpoint(const ds_ckpt *c, ds_prep **out)
{
    *out = NULL;
    const char *norm = ds_ckpt_find(c, "prep.norm", DS_CKPT_TEXT, NULL);
    if (!norm) return (*out = ds__prep_new(0, DS_NORM_NONE)) ? DS_OK : DS_ERR_NOMEM;
    ds_norm n;
    size_t inputs = 0;
    if (ds_norm_parse(norm, &n) != DS_OK)
        return ds__fail(DS_ERR_FORMAT,
                        "checkpoint record prep.norm '%.40s' is not none, standard or minmax",
                        norm);
    if (!ds_ckpt_find(c, "prep.fill", DS_CKPT_F32, &inputs) || inputs == 0)
        return ds__fail(DS_ERR_FORMAT, "checkpoint has prep.norm but no prep.fill values");
    ds_prep *p = ds__prep_new(inputs, n);
    ds_status s = p ? get_arrays(c, p) : DS_ERR_NOMEM;
    if (s == DS_OK) s = get_names(c, p);
    if (s != DS_OK)
        ds_prep_free(p);
    else
        *out = p;
    return s;
}

ds_status ds_prep_load(const char *path, ds_prep **out)
{
    ds_ckpt *c;
    *out = NULL;
    ds_status s = ds_ckpt_load(path, &c);
    if (s != DS_OK) return s;
    s = ds_prep_from_checkpoint(c, out);
    ds_ckpt_free(c);
    return s;
}
