/* prep_state.c - the preprocessing (descent/prep.h) to and from its
 * checkpoint records "prep.*", so eval, predict and export apply what
 * training learned. A file without the records reads as the identity. */
#include "data/prep_internal.h"
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ds_status ds_prep_put(const ds_prep *p, ds_ckpt *c)
{
    if (p->inputs == 0) return DS_OK; /* the identity: no records */
    ds_status s = ds_ckpt_put_text(c, "prep.norm", ds_norm_name(p->norm));
    if (s == DS_OK) s = ds_ckpt_put(c, "prep.fill", DS_CKPT_F32, p->fill, p->inputs);
    if (s == DS_OK) s = ds_ckpt_put(c, "prep.offset", DS_CKPT_F32, p->offset, p->inputs);
    if (s == DS_OK) s = ds_ckpt_put(c, "prep.scale", DS_CKPT_F32, p->scale, p->inputs);
    if (s != DS_OK || p->classes == 0) return s;
    size_t len = 0;
    for (int32_t k = 0; k < p->classes; k++)
        len += strlen(p->names[k]) + 1;
    char *text = malloc(len), *at = text;
    if (!text) return ds__nomem("class names", len);
    for (int32_t k = 0; k < p->classes; k++) {
        size_t l = strlen(p->names[k]);
        memcpy(at, p->names[k], l);
        at[l] = k + 1 < p->classes ? '\n' : '\0';
        at += l + 1;
    }
    s = ds_ckpt_put_text(c, "prep.classes", text);
    free(text);
    return s;
}

/* Splits "a\nb\nc" in place into names; the count, or -1 for an empty name. */
static int32_t split_names(char *text, const char **names, int32_t max)
{
    int32_t k = 0;
    for (char *at = text; k < max; k++) {
        char *nl = strchr(at, '\n');
        if (nl) *nl = '\0';
        if (!*at) return -1;
        names[k] = at;
        if (!nl) return k + 1;
        at = nl + 1;
    }
    return -1;
}

/* The class names of "prep.classes" into a new prep of `inputs` features. */
static ds_status new_with_names(const ds_ckpt *c, size_t inputs, ds_norm norm, ds_prep **out)
{
    size_t len = 0;
    const char *text = ds_ckpt_find(c, "prep.classes", DS_CKPT_TEXT, &len);
    if (!text) return (*out = ds__prep_new(inputs, norm, NULL, 0)) ? DS_OK : DS_ERR_NOMEM;
    int32_t max = 1;
    for (size_t i = 0; i < len; i++)
        max += text[i] == '\n';
    char *copy = malloc(len + 1);
    const char **names = malloc((size_t)max * sizeof *names);
    ds_status s = copy && names ? DS_OK : ds__nomem("class names", len + 1);
    int32_t n = s == DS_OK ? split_names(memcpy(copy, text, len + 1), names, max) : 0;
    if (s == DS_OK && n < 1)
        s = ds__fail(DS_ERR_FORMAT, "checkpoint record prep.classes has an empty class name");
    if (s == DS_OK && !(*out = ds__prep_new(inputs, norm, names, n))) s = DS_ERR_NOMEM;
    free(copy);
    free(names);
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
    if (!norm) return (*out = ds__prep_new(0, DS_NORM_NONE, NULL, 0)) ? DS_OK : DS_ERR_NOMEM;
    ds_norm n;
    size_t inputs = 0;
    if (ds_norm_parse(norm, &n) != DS_OK)
        return ds__fail(DS_ERR_FORMAT,
                        "checkpoint record prep.norm '%.40s' is not none, "
                        "standard or minmax",
                        norm);
    if (!ds_ckpt_find(c, "prep.fill", DS_CKPT_F32, &inputs))
        return ds__fail(DS_ERR_FORMAT, "checkpoint has prep.norm but no prep.fill record");
    ds_status s = new_with_names(c, inputs, n, out);
    if (s == DS_OK) s = get_arrays(c, *out);
    if (s != DS_OK) {
        ds_prep_free(*out);
        *out = NULL;
    }
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
