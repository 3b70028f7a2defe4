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
    const char *const *names;     /* NULL with 0 classes */
};

/* One block for a prep of `inputs` features (fill and offset 0, scale 1)
 * with copies of `classes` names; NULL on failure (DS_ERR_NOMEM set). */
ds_prep *ds__prep_new(size_t inputs, ds_norm norm, const char *const *names, int32_t classes);

#endif
