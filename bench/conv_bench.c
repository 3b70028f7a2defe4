/* conv_bench.c - the convolutions of --model 2c2d (batch 64) through the
 * compute layer (src/models/compute.h), as training runs them: forward
 * (bias fused) and backward (weights, bias and, past the first layer, the
 * input gradient), in fp32 and in bf16 where the backend and CPU offer it.
 * Prints one JSON object per shape, direction and precision: the best of
 * --reps calls after a warm-up call, and its GFLOP/s (2 C K K per output
 * value forward, twice that backward, without the first layer's input
 * gradient). bench/conv.sh runs it with oneDNN's verbose log to set these
 * against oneDNN's convolution primitives alone. Private: links the
 * static library. Usage: conv_bench [REPS] */
#include "core/internal.h"
#include "models/compute.h"
#include "models/model_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *buffer(size_t n)
{
    float *a = malloc((n ? n : 1) * sizeof *a);
    for (size_t i = 0; a && i < n; i++)
        a[i] = (float)((i * 7919u) % 2003u) / 1001.5f - 1.0f;
    return a;
}

/* Best seconds of reps calls of one direction (0 forward, 1 backward). */
static double best(ds__compute *c, const ds__conv *cv, int dir, int first, int reps, float *buf[8])
{
    double top = 1e30;
    for (int r = 0; r <= reps; r++) {
        double t0 = now();
        ds_status st = dir == 0
                           ? ds__compute_conv_forward(c, cv, buf[0], buf[1], buf[2], buf[3],
                                                      DS__ACT_IDENTITY, buf[7])
                           : ds__compute_conv_backward(c, cv, buf[0], buf[1], buf[3], buf[4],
                                                       buf[5], first ? NULL : buf[6], 0, buf[7]);
        if (st != DS_OK) return -1.0;
        if (r > 0 && now() - t0 < top) top = now() - t0; /* r == 0: warm-up */
    }
    return top;
}

/* A 5x5 convolution with same padding of 64 samples of c x hw x hw. */
static ds__conv same5(size_t c, size_t hw, size_t o)
{
    return (ds__conv){.n = 64,
                      .c = c,
                      .h = hw,
                      .w = hw,
                      .o = o,
                      .k = 5,
                      .stride = 1,
                      .pad = 2,
                      .oh = hw,
                      .ow = hw};
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 20;
    ds__conv convs[2] = {same5(1, 28, 32), same5(32, 14, 64)};
    ds__compute *c = ds__compute_new(1);
    if (!c) return 1;
    for (int prec = 0; prec < 2; prec++) {
        if (ds__compute_set_precision(c, prec ? DS__PREC_BF16 : DS__PREC_FP32) != DS_OK) continue;
        for (int i = 0; i < 2; i++) {
            const ds__conv *cv = &convs[i];
            size_t nx = cv->n * cv->c * cv->h * cv->w, nw = cv->o * cv->c * cv->k * cv->k;
            size_t ny = cv->n * cv->o * cv->oh * cv->ow;
            float *buf[8] = {
                buffer(nx), buffer(nw),    buffer(cv->o), buffer(ny),
                buffer(nw), buffer(cv->o), buffer(nx),    buffer(ds__compute_conv_work(cv))};
            double flops = 2.0 * (double)ny * (double)(cv->c * cv->k * cv->k);
            for (int dir = 0; dir < 2; dir++) {
                double s = best(c, cv, dir, i == 0, reps, buf);
                double f = dir == 0 ? flops : (i == 0 ? 1.0 : 2.0) * flops;
                printf("{\"conv\": %d, \"shape\": \"%zux%zux%zux%zu k%zu o%zu\", \"dir\": \"%s\", "
                       "\"precision\": \"%s\", \"backend\": \"%s\", \"seconds\": %.6g, "
                       "\"gflops\": %.2f}\n",
                       i + 1, cv->n, cv->c, cv->h, cv->w, cv->k, cv->o,
                       dir ? "backward" : "forward", prec ? "bf16" : "fp32", ds__compute_backend(),
                       s, s > 0 ? f / s * 1e-9 : 0.0);
                fflush(stdout);
            }
            for (int b = 0; b < 8; b++)
                free(buf[b]);
        }
    }
    ds__compute_free(c);
    return 0;
}
