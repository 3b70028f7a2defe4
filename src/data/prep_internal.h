/* prep_internal.h - the layout of a ds_prep (descent/prep.h), shared by
 * src/data/prep.c (fit, apply) and src/train/prep_state.c (checkpoint
 * records). Private: not installed. */
#ifndef DESCENT_PREP_INTERNAL_H
#define DESCENT_PREP_INTERNAL_H

#include "descent/prep.h"

struct ds_prep {
    size_t inputs; /* 0: the identity */
    ds_norm norm;
    float *fill, *offset, *scale; /* inputs floats each, in the same block */
    int32_t classes;              /* names; 0 when the labels were numbers */
    char **names;                 /* NULL with 0 classes (ds__names_copy block) */
    size_t ncolumns;              /* the training CSV file's columns, else 0 */
    char **columns;               /* their names (ds__names_copy block) or NULL */
    size_t label_column;          /* the label's index in columns */
};

/* A prep of `inputs` features (fill and offset 0, scale 1), no names;
 * NULL on failure (DS_ERR_NOMEM set). */
ds_prep *ds__prep_new(size_t inputs, ds_norm norm);

/* Copies of the class names and of the CSV columns; DS_ERR_NOMEM. */
ds_status ds__prep_set_names(ds_prep *p, const char *const *names, int32_t classes);
ds_status ds__prep_set_columns(ds_prep *p, const char *const *columns, size_t n, size_t label);

#endif
