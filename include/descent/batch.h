/* descent/batch.h - a mini-batch as models consume it and data sets produce it.
 * A view: it owns nothing; the arrays belong to the data set or loader that
 * filled it. Kept in its own header so models and data do not depend on each
 * other. */
#ifndef DESCENT_BATCH_H
#define DESCENT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_batch {
    const float *x;        /* n rows of `features` floats, row-major */
    const int32_t *labels; /* n class indices (classification), or NULL */
    const float *targets;  /* n rows of `outputs` floats (regression), or NULL */
    size_t n;              /* examples in the batch */
    size_t features;       /* floats per row of x */
    size_t outputs;        /* floats per row of targets (0 with labels) */
} ds_batch;

#ifdef __cplusplus
}
#endif
#endif
