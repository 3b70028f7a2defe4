/* descent/schedule.h - learning-rate schedules and their chains.
 *
 * A schedule gives the learning rate of update t (t = 0, 1, 2, ...) from a
 * base rate lr0, following the lectures (Ng, CS7015) and
 * torch.optim.lr_scheduler 1.13:
 *   step:every=S,factor=F   lr0 * F^floor(t/S)                 (StepLR)
 *   exp:k=K                 lr0 * e^(-K t)                     (CS7015)
 *   inv:k=K                 lr0 / (1 + K t)                    (Ng, CS7015 1/t decay)
 *   invsqrt                 lr0 / sqrt(1 + t)                  (Ng)
 *   cosine:period=T,min=M   M + (lr0 - M)(1 + cos(pi t / T))/2 (CosineAnnealingLR, eta_min = M)
 *   warmup:steps=W          lr0 * (t + 1) / W for t < W, then lr0
 *   constant                lr0
 * Chains "A+B+...": each element runs for its length (warmup: W steps,
 * cosine: T steps), then the next starts with t counted from 0; the last
 * element runs on. Only warmup and cosine have a length, so only they may
 * stand before a '+'. */
#ifndef DESCENT_SCHEDULE_H
#define DESCENT_SCHEDULE_H

#include "descent/export.h"

#include "descent/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ds_sched_kind {
    DS_SCHED_CONSTANT,
    DS_SCHED_STEP,
    DS_SCHED_EXP,
    DS_SCHED_INV,
    DS_SCHED_INVSQRT,
    DS_SCHED_COSINE,
    DS_SCHED_WARMUP
} ds_sched_kind;

typedef struct ds_sched_part {
    ds_sched_kind kind;
    double every;  /* step: S (> 0, whole) */
    double factor; /* step: F (> 0) */
    double k;      /* exp, inv: K (>= 0) */
    double period; /* cosine: T (> 0) */
    double min;    /* cosine: M, an absolute rate (>= 0) */
    int64_t steps; /* warmup: W (> 0) */
} ds_sched_part;

#define DS_SCHED_MAX_PARTS 8

/* A plain value: copy it freely; no handle to free. */
typedef struct ds_schedule {
    int nparts; /* 0 means constant */
    ds_sched_part parts[DS_SCHED_MAX_PARTS];
} ds_schedule;

/* The constant schedule. */
DS_API ds_schedule ds_schedule_constant(void);

/* Parses a spec as above; "" or NULL gives the constant schedule. On failure
 * *out is unchanged and the message names the part, key or value. */
DS_API ds_status ds_schedule_parse(const char *spec, ds_schedule *out);

/* Learning rate of update t for base rate lr0 (t < 0 is treated as 0). */
DS_API double ds_schedule_lr(const ds_schedule *s, double lr0, int64_t t);

/* Canonical text of the schedule (parses back to the same value); returns
 * the length the full text needs, as snprintf does. */
DS_API int ds_schedule_format(const ds_schedule *s, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
