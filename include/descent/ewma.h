/* descent/ewma.h - exponentially weighted moving averages (Ng, lecture 8).
 *
 *   v_0 = 0;  v_t = beta v_{t-1} + (1 - beta) theta_t;  corrected: v_t / (1 - beta^t)
 *
 * The scalar form serves plots and reports (smoothed loss curves, the
 * temperature example); the array form keeps an average of a model's weights
 * (train --ema) in one fused pass. */
#ifndef DESCENT_EWMA_H
#define DESCENT_EWMA_H

#include "descent/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_ewma {
    double beta;   /* in [0, 1) */
    double value;  /* v_t, uncorrected */
    double beta_t; /* beta^t, for the bias correction */
    int64_t t;     /* number of updates */
} ds_ewma;

/* A fresh average (v_0 = 0, t = 0). */
DS_API ds_ewma ds_ewma_init(double beta);

/* Adds theta_t and returns the uncorrected v_t. */
DS_API double ds_ewma_update(ds_ewma *e, double theta);

/* v_t (uncorrected) and v_t / (1 - beta^t) (0 before the first update). */
DS_API double ds_ewma_value(const ds_ewma *e);
DS_API double ds_ewma_corrected(const ds_ewma *e);

/* avg[i] = beta * avg[i] + (1 - beta) * x[i] for i < n. */
DS_API void ds_ewma_update_array(float *avg, const float *x, size_t n, double beta);

/* out[i] = avg[i] / (1 - beta^t): the bias-corrected average after t updates
 * (out may equal avg; t = 0 copies avg). */
DS_API void ds_ewma_correct_array(float *out, const float *avg, size_t n, double beta, int64_t t);

#ifdef __cplusplus
}
#endif
#endif
