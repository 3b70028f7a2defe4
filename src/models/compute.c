/* compute.c - what both backends of compute.h share: the products' clock,
 * and the bias gradients of a product and of a convolution's channels. A
 * product's is a column sum over the rows in double (a float32 sum over a
 * full batch of 60,000 rows leaves noise near 1e-7 where the exact value
 * is 0, which Adam turns into whole lr steps), parallel over blocks of
 * DS__COLS columns, each summed over the rows in order by one thread, so
 * the result does not depend on the thread count. */
#include "core/internal.h"
#include "models/compute.h"

/* Columns per block: one 64-byte line of floats. */
#define DS__COLS 16

void ds__compute_bias_grad(const float *dy, float *db, size_t m, size_t n, int flags, int threads)
{
    size_t nblk = (n + DS__COLS - 1) / DS__COLS;
#pragma omp parallel for num_threads(threads) schedule(static) if (m * n >= DS__PAR_MIN)
    for (size_t blk = 0; blk < nblk; blk++) {
        size_t j0 = blk * DS__COLS, w = n - j0 < DS__COLS ? n - j0 : DS__COLS;
        double sum[DS__COLS] = {0};
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < w; j++)
                sum[j] += dy[i * n + j0 + j];
        for (size_t j = 0; j < w; j++)
            db[j0 + j] = (float)((flags & DS__COMPUTE_ACC ? db[j0 + j] : 0.0) + sum[j]);
    }
}

/* A sample's positions of one channel summed in float (vectorized, fixed
 * order), the samples in double. */
DS__CLONES_WIDE void ds__compute_chan_grad(const float *dy, float *db, size_t n, size_t o, size_t p,
                                           int flags, int threads)
{
#pragma omp parallel for num_threads(threads) schedule(static) if (n * o * p >= DS__PAR_MIN)
    for (size_t c = 0; c < o; c++) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            const float *row = dy + (i * o + c) * p;
            float part = 0.0f;
#pragma omp simd reduction(+ : part)
            for (size_t j = 0; j < p; j++)
                part += row[j];
            sum += part;
        }
        db[c] = (float)((flags & DS__COMPUTE_ACC ? db[c] : 0.0) + sum);
    }
}

void ds__compute_count(ds__compute_clock *clk, double t0, size_t m, size_t k, size_t n)
{
    clk->seconds += ds__now() - t0;
    clk->flops += 2.0 * (double)m * (double)k * (double)n;
}
