/* descent/rng.h - the one random number generator of descent.
 *
 * xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/), seeded
 * through splitmix64. Every random choice (initial weights, shuffles,
 * generated data sets) draws from a ds_rng, so a seed reproduces a run bit
 * for bit, and the state is four integers a checkpoint can store. */
#ifndef DESCENT_RNG_H
#define DESCENT_RNG_H

#include "descent/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ds_rng {
    uint64_t s[4];
} ds_rng;

/* A generator seeded from `seed` (any value, 0 included). */
DS_API ds_rng ds_rng_seed(uint64_t seed);

/* Next 64 random bits. */
DS_API uint64_t ds_rng_next(ds_rng *r);

/* Uniform double in [0, 1) with 53 random bits. */
DS_API double ds_rng_uniform(ds_rng *r);

/* Uniform integer in [0, bound) without modulo bias (bound > 0). */
DS_API uint64_t ds_rng_below(ds_rng *r, uint64_t bound);

/* Standard normal variate (Box-Muller; one value per call, no cache, so the
 * state alone determines the sequence). */
DS_API double ds_rng_normal(ds_rng *r);

/* Fisher-Yates shuffle of idx[0..n-1]. */
DS_API void ds_rng_shuffle(ds_rng *r, uint32_t *idx, size_t n);

#ifdef __cplusplus
}
#endif
#endif
