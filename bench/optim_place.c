/* optim_place.c - every update rule's step time, with the placement of the
 * arrays in memory taken out of the comparison. bench/vs-revision.sh builds
 * this one program against two revisions of libdescent (public API only).
 *
 * Why: a step streams x, g and the rule's state block together, and when
 * two of those streams sit at the same offset within a 4 KiB page a load
 * can wait on an unrelated store (4K aliasing). Which rules meet this
 * depends on where malloc put x and g and where the library put its state
 * block, not on the code. So this program times each rule at PLACES
 * placements of x and g (their offsets within a page move independently,
 * in steps of 256 bytes), which spans the offsets relative to the state
 * block whatever the library does, and reports the median over placements
 * of the best of REPS steps. Measured here: the placements of one rule
 * differ by at most 5%; what moves identical code by 1.5x from one process
 * to the next, past the caches, is where its pages land (BENCHMARKS.md,
 * issue 16), which is why vs-revision.sh compares in-cache sizes.
 *
 *   optim_place PARAMS THREADS REPS PLACES   prints "rule ms" per rule */
#define _POSIX_C_SOURCE 200809L
#include <descent/optim.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static ds_status keep_gradient(void *ctx, int need_grad, double *loss)
{
    (void)ctx, (void)need_grad;
    *loss = 0.0;
    return DS_OK;
}

/* Best of reps steps (after one untimed step) of rule p on x, g; < 0 on error. */
static double best_step(const ds_opt_params *p, float *x, float *g, size_t n, int threads, int reps)
{
    ds_param_group grp = {.x = x, .g = g, .n = n, .params = NULL};
    ds_optim *opt = ds_optim_init(p, &grp, 1);
    if (!opt) return -1.0;
    ds_optim_set_threads(opt, threads);
    double loss, best = 1e300;
    ds_status s = ds_optim_step(opt);
    int fn = s == DS_ERR_UNSUPPORTED; /* rules that need the objective say so */
    for (int r = 0; r < reps && (s == DS_OK || fn); r++) {
        double t0 = now();
        s = fn ? ds_optim_step_fn(opt, keep_gradient, NULL, &loss) : ds_optim_step(opt);
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    ds_optim_free(opt);
    return s == DS_OK ? best : -1.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: optim_place PARAMS THREADS REPS PLACES\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10);
    int threads = atoi(argv[2]), reps = atoi(argv[3]), places = atoi(argv[4]);
    if (n == 0 || threads < 1 || reps < 1 || places < 1 || places > 16) {
        fprintf(stderr, "optim_place: PARAMS, THREADS, REPS >= 1 and 1 <= PLACES <= 16\n");
        return 2;
    }
    const size_t page = 4096, bytes = n * sizeof(float) + page;
    char *xb = aligned_alloc(page, bytes), *gb = aligned_alloc(page, bytes);
    double ms[16];
    for (int t = 0; xb && gb && t < DS_OPT_COUNT; t++) {
        ds_opt_params p = ds_opt_default_params((ds_opt_type)t);
        for (int k = 0; k < places; k++) {
            /* x and g move through the page in different orders. */
            float *x = (float *)(xb + 256 * (size_t)k),
                  *g = (float *)(gb + 256 * (size_t)((5 * k + 3) % 16));
            for (size_t i = 0; i < n; i++) {
                x[i] = 0.1f * ((float)(i % 1024) / 1024.0f - 0.5f);
                g[i] = 0.01f * ((float)(i % 1024) / 1024.0f - 0.5f);
            }
            ms[k] = 1e3 * best_step(&p, x, g, n, threads, reps);
            if (ms[k] < 0) {
                fprintf(stderr, "optim_place: %s failed\n", ds_opt_name(p.type));
                return 1;
            }
        }
        qsort(ms, (size_t)places, sizeof ms[0], cmp_double);
        printf("%s %.4f\n", ds_opt_name(p.type),
               places % 2 ? ms[places / 2] : 0.5 * (ms[places / 2 - 1] + ms[places / 2]));
    }
    if (!xb || !gb) fprintf(stderr, "optim_place: out of memory\n");
    free(xb), free(gb);
    return xb && gb ? 0 : 1;
}
