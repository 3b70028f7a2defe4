/* fn2d_internal.h - what the functions built at run time share: the eval
 * of a noisy function (noise.c), by which ds_fn2d_free (expr.c) knows it
 * owns the block. */
#ifndef DS_FN2D_INTERNAL_H
#define DS_FN2D_INTERNAL_H

#include "descent/functions.h"

double ds__fn2d_noisy_eval(const ds_fn2d *f, double x, double y, double *grad);

#endif
