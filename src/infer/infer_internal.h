/* infer_internal.h - what the exporters of src/infer read from a loaded
 * model. Private: not installed. */
#ifndef DS_INFER_INTERNAL_H
#define DS_INFER_INTERNAL_H

#include "descent/infer.h"

/* The model inside (read-only). */
const ds_model *ds__infer_model(const ds_infer *inf);

#endif
