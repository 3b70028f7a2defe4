/* bench.c - the measurements behind `descent bench` (see bench.h): the
 * STREAM triad yardstick, timed optimizer steps, and the backend's sgemm on the
 * shapes of an MLP training step. Each function allocates what it times,
 * first-touches it with the loop's own thread schedule (so pages land where
 * the threads that use them run), and reports the best of several runs, as
 * STREAM does: the best run is the one least disturbed by the rest of the
 * machine. */
#define _POSIX_C_SOURCE 200809L
#include "bench/bench.h"

#include <omp.h>
#ifdef DS_BENCH_ONEDNN
#include <dnnl.h>
#else
#include <cblas.h>
#endif
#include <stdlib.h>
#include <time.h>

double app_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int app_bench_threads(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
}

/* Fills n floats with small values of both signs in [-0.5, 0.5), with the
 * static schedule the timed loops use (first touch). */
static void fill(float *a, size_t n, float scale, int nt)
{
#pragma omp parallel for simd schedule(static) num_threads(nt)
    for (size_t i = 0; i < n; i++)
        a[i] = scale * ((float)(i % 1024) / 1024.0f - 0.5f);
}

static void triad(float *restrict a, const float *restrict b, const float *restrict c, float s,
                  size_t n, int nt)
{
#pragma omp parallel for simd schedule(static) num_threads(nt)
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] + s * c[i];
}

ds_status app_bench_triad(size_t n, int threads, int reps, double *bytes_per_s)
{
    const int nt = app_bench_threads(threads);
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    if (!a || !b || !c || n == 0 || reps < 1) {
        free(a), free(b), free(c);
        return n && reps >= 1 ? ds_set_error(DS_ERR_NOMEM,
                                             "out of memory allocating %zu bytes for triad arrays",
                                             (size_t)(3 * n * sizeof *a))
                              : ds_set_error(DS_ERR_INVALID, "triad needs n >= 1 and reps >= 1");
    }
    fill(a, n, 0.0f, nt), fill(b, n, 1.0f, nt), fill(c, n, 2.0f, nt);
    double best = 1e300;
    for (int r = 0; r < reps; r++) {
        double t0 = app_bench_now();
        triad(a, b, c, 3.0f, n, nt);
        double dt = app_bench_now() - t0;
        best = dt < best ? dt : best;
    }
    free(a), free(b), free(c);
    *bytes_per_s = 3.0 * sizeof(float) * (double)n / best;
    return DS_OK;
}

/* The objective for rules that call one: the gradient stays what the
 * benchmark wrote, so only the optimizer's own work is timed. */
static ds_status keep_gradient(void *ctx, int need_grad, double *loss)
{
    (void)ctx, (void)need_grad;
    *loss = 0.0;
    return DS_OK;
}

static ds_status timed_steps(ds_optim *opt, int fn, int reps, double *seconds)
{
    double best = 1e300, loss;
    for (int r = 0; r <= reps; r++) { /* r == 0: warm-up, untimed */
        double t0 = app_bench_now();
        ds_status s = fn ? ds_optim_step_fn(opt, keep_gradient, NULL, &loss) : ds_optim_step(opt);
        double dt = app_bench_now() - t0;
        if (s != DS_OK) return s;
        if (r > 0 && dt < best) best = dt;
    }
    *seconds = best;
    return DS_OK;
}

ds_status app_bench_optim(const ds_opt_params *p, size_t n, int threads, int reps, double *seconds)
{
    const int nt = app_bench_threads(threads);
    if (n == 0 || reps < 1) return ds_set_error(DS_ERR_INVALID, "bench needs n >= 1 and reps >= 1");
    float *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
    if (!x || !g) {
        free(x), free(g);
        return ds_set_error(DS_ERR_NOMEM,
                            "out of memory allocating %zu bytes for benchmark parameters",
                            (size_t)(2 * n * sizeof *x));
    }
    fill(x, n, 0.1f, nt), fill(g, n, 0.01f, nt);
    ds_param_group grp = {.x = x, .g = g, .n = n, .params = NULL};
    ds_optim *opt = ds_optim_init(p, &grp, 1);
    ds_status s = opt ? DS_OK : DS_ERR_NOMEM;
    if (opt) {
        ds_optim_set_threads(opt, nt);
        s = ds_optim_step(opt); /* rules that need the objective say so here */
        int fn = s == DS_ERR_UNSUPPORTED;
        s = timed_steps(opt, fn, reps, seconds);
    }
    ds_optim_free(opt);
    free(x), free(g);
    return s;
}

/* Rows x cols floats, filled; NULL on failure. */
static float *matrix(size_t rows, size_t cols)
{
    float *a = malloc(rows * cols * sizeof *a);
    if (a) fill(a, rows * cols, 0.1f, 1);
    return a;
}

/* Row-major C = op(A) op(B) on the library's backend: oneDNN's own sgemm
 * (on OpenMP's thread count) or OpenBLAS's. */
static void sgemm(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b,
                  int ldb, float *c, int ldc)
{
#ifdef DS_BENCH_ONEDNN
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
#else
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
                k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
#endif
}

/* One step's products: as src/models/backprop.c does them. */
static void mlp_gemms(const ds_model *m, int r, float *a, float *w, float *dz, float *out)
{
    for (int l = 1; l <= ds_model_layer_count(m); l++) {
        int ni = (int)ds_model_size(m, l - 1), no = (int)ds_model_size(m, l);
        sgemm(0, 1, r, no, ni, a, ni, w, ni, out, no);
        sgemm(1, 0, no, ni, r, dz, no, a, ni, out, ni);
        if (l > 1) sgemm(0, 0, r, ni, no, dz, no, w, ni, out, ni);
    }
}

ds_status app_bench_mlp_gemms(const ds_model *m, size_t rows, int reps, double *seconds)
{
    size_t wide = 0;
    for (int l = 0; l <= ds_model_layer_count(m); l++)
        wide = ds_model_size(m, l) > wide ? ds_model_size(m, l) : wide;
    size_t big = rows > wide ? rows : wide;
    /* Every operand fits in wide x big floats; real shapes index into them. */
    float *a = matrix(big, wide), *w = matrix(wide, wide), *dz = matrix(big, wide);
    float *out = matrix(big, wide);
    ds_status s =
        a && w && dz && out
            ? DS_OK
            : ds_set_error(DS_ERR_NOMEM, "out of memory allocating %zu bytes for gemm operands",
                           (size_t)(4 * big * wide * 4));
    double best = 1e300;
    int saved = omp_get_max_threads();
    omp_set_num_threads(ds_model_threads(m)); /* oneDNN's sgemm runs on OpenMP's */
    for (int r = 0; s == DS_OK && r <= reps; r++) {
        double t0 = app_bench_now();
        mlp_gemms(m, (int)rows, a, w, dz, out);
        double dt = app_bench_now() - t0;
        if (r > 0 && dt < best) best = dt;
    }
    omp_set_num_threads(saved);
    free(a), free(w), free(dz), free(out);
    if (s == DS_OK) *seconds = best;
    return s;
}
