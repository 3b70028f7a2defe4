/* csv_labels.c - the CSV reader's class labels (descent/data.h,
 * ds_csv_load): whole numbers are the class indices themselves; names
 * ("cat", "dog") become indices in their sorted (strcmp) order, kept with
 * the data set so a model can print them back; a test or evaluation file
 * maps its labels through the training names, and a name the model never
 * saw is refused with its place. */
#include "data/data_internal.h"
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ds_status ds__csv_check_options(const char *path, const ds_csv_options *o)
{
    char d = o->delimiter;
    int names_ok = o->class_names ? o->nclass_names >= 1 : o->nclass_names == 0;
    for (int32_t k = 0; names_ok && k < o->nclass_names; k++)
        names_ok = o->class_names[k] && o->class_names[k][0] && !strchr(o->class_names[k], '\n');
    if (o->classes >= 0 && (o->task == DS_CSV_CLASSIFY || o->task == DS_CSV_REGRESS) &&
        (unsigned)o->header <= DS_CSV_HEADER_NO && (unsigned)o->missing <= DS_CSV_MISSING_DROP &&
        (d == 0 || d == ',' || d == ';' || d == '\t') && names_ok)
        return DS_OK;
    return ds__fail(DS_ERR_INVALID,
                    "%s: CSV options: classes must be >= 0, task classify or regress, header "
                    "auto, yes or no, delimiter 0 (detect), ',', ';' or tab, missing refuse, "
                    "mean or drop, and class names non-empty one-line texts",
                    path);
}

/* A class name and its index, sorted by name for bsearch. */
typedef struct named {
    const char *name;
    int32_t k;
} named;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

static ds_status unknown_label(const char *path, const ds__csv_label *l, const named *t, int32_t n)
{
    char list[512] = "";
    for (int32_t k = 0, used = 0; k < n && used < 480; k++)
        used +=
            snprintf(list + used, sizeof list - (size_t)used, "%s'%s'", k ? ", " : "", t[k].name);
    return ds__fail(DS_ERR_FORMAT,
                    "%s:%zu:%zu: label \"%.40s\" is not one of the model's classes (%s)", path,
                    l->line, l->col, l->text, list);
}

/* Labels through the n names of `names` (any order). */
static ds_status map_names(const char *path, const char *const *names, int32_t n,
                           const ds__csv_label *lab, ds_dataset *d)
{
    named *t = malloc((size_t)n * sizeof *t);
    if (!t) return ds__nomem("class names", (size_t)n * sizeof *t);
    for (int32_t k = 0; k < n; k++)
        t[k] = (named){names[k], k};
    qsort(t, (size_t)n, sizeof *t, by_name);
    ds_status s = DS_OK;
    for (size_t i = 0; s == DS_OK && i < d->n; i++) {
        named key = {lab[i].text, 0}, *hit = bsearch(&key, t, (size_t)n, sizeof *t, by_name);
        if (hit)
            d->labels[i] = hit->k;
        else
            s = unknown_label(path, &lab[i], t, n);
    }
    free(t);
    d->classes = n;
    return s == DS_OK ? ds__dataset_set_names(d, names, n) : s;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names: the distinct label texts, sorted, are the classes. */
static ds_status own_names(const char *path, const ds_csv_options *o, const ds__csv_label *lab,
                           ds_dataset *d)
{
    const char **all = malloc(d->n * sizeof *all);
    if (!all) return ds__nomem("class names", d->n * sizeof *all);
    for (size_t i = 0; i < d->n; i++)
        all[i] = lab[i].text;
    qsort(all, d->n, sizeof *all, by_text);
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (n == 0 || strcmp(all[n - 1], all[i]) != 0) all[n++] = all[i];
    ds_status s = DS_OK;
    if (o->classes > 0 && n > (size_t)o->classes)
        s = ds__fail(DS_ERR_FORMAT, "%s: the labels name %zu classes, classes=%d allows %d", path,
                     n, (int)o->classes, (int)o->classes);
    else if (n > (size_t)INT32_MAX / 2)
        s = ds__fail(DS_ERR_FORMAT, "%s: %zu distinct labels: too many classes", path, n);
    if (s == DS_OK) s = map_names(path, all, (int32_t)n, lab, d);
    free(all);
    return s;
}

/* Every label a whole number in [0, classes): the class index itself. */
static ds_status numbers(const char *path, const ds_csv_options *o, const ds__csv_label *lab,
                         ds_dataset *d)
{
    int32_t lim = o->classes > 0 ? o->classes : INT32_MAX;
    d->classes = o->classes > 0 ? o->classes : 1;
    for (size_t i = 0; i < d->n; i++) {
        double v;
        ds_parse_double(lab[i].text, &v);
        if (!(v >= 0 && v < lim && v == floor(v)))
            return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: %s: \"%.40s\"", path, lab[i].line,
                            lab[i].col,
                            o->classes > 0 ? "label must be a whole number in [0, classes)"
                                           : "label must be a whole number >= 0 (task=regress "
                                             "for numeric targets)",
                            lab[i].text);
        d->labels[i] = (int32_t)v;
        if (d->labels[i] >= d->classes) d->classes = d->labels[i] + 1;
    }
    return DS_OK;
}

ds_status ds__csv_labels(const char *path, const ds_csv_options *o, const ds__csv_label *lab,
                         ds_dataset *d)
{
    if (o->class_names) return map_names(path, o->class_names, o->nclass_names, lab, d);
    for (size_t i = 0; i < d->n; i++) {
        double v;
        if (ds_parse_double(lab[i].text, &v) != 0) return own_names(path, o, lab, d);
    }
    return numbers(path, o, lab, d);
}
