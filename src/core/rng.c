/* rng.c - xoshiro256** with splitmix64 seeding (https://prng.di.unimi.it/).
 * Written from the published algorithm; the constants are the authors'. */
#include "descent/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

ds_rng ds_rng_seed(uint64_t seed)
{
    ds_rng r;
    for (int i = 0; i < 4; i++) r.s[i] = splitmix64(&seed);
    return r;
}

uint64_t ds_rng_next(ds_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ds_rng_uniform(ds_rng *r)
{
    return (double)(ds_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t ds_rng_below(ds_rng *r, uint64_t bound)
{
    /* Rejection of the incomplete top range: unbiased for any bound. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t v;
    do v = ds_rng_next(r);
    while (v >= limit);
    return v % bound;
}

double ds_rng_normal(ds_rng *r)
{
    double u1 = 1.0 - ds_rng_uniform(r); /* (0, 1]: log is finite */
    double u2 = ds_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

void ds_rng_shuffle(ds_rng *r, uint32_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ds_rng_below(r, i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
