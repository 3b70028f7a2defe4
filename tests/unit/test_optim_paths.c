/* test_optim_paths.c - the threaded and vectorized paths of every rule
 * against its plain path, bit for bit: 1 thread against 2, and one large
 * group against the same elements as one-element groups (where the
 * kernel's loop never reaches its vector body). test_optim_oracle.c checks
 * the plain path against the formulas. */
#include "descent/optim.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include "test_optim_cases.h"

/* ---- threading: 1 thread vs 2, bit for bit ----------------------------- */

#define BIG 100000

typedef struct big_run {
    float *x, *g;
    int k;
    size_t n; /* elements */
    int skip; /* the step whose gradient holds a NaN; -1: none */
} big_run;

static ds_status big_objective(void *ctx, int need_grad, double *loss)
{
    big_run *r = ctx;
    double l = 0;
    for (size_t i = 0; i < r->n; i++) {
        double a = 0.5 + (double)(i % 7), b = (double)(i % 5) - 2;
        l += 0.5 * a * r->x[i] * r->x[i] + b * r->x[i];
        if (need_grad) r->g[i] = (float)(a * r->x[i] + b * (1 + 0.3 * r->k));
    }
    if (need_grad && r->k == r->skip) r->g[r->n / 2] = NAN;
    *loss = l;
    return DS_OK;
}

static void run_threads(const ds_opt_params *p, int threads, float *x, float *g, float **state,
                        size_t *nstate)
{
    big_run r = {.x = x, .g = g, .n = BIG, .skip = -1};
    for (size_t i = 0; i < BIG; i++)
        x[i] = (float)sin((double)i);
    ds_param_group grp = {x, g, BIG, NULL};
    ds_optim *opt = ds_optim_init(p, &grp, 1);
    assert_non_null(opt);
    ds_optim_set_threads(opt, threads);
    for (r.k = 0; r.k < 3; r.k++)
        assert_int_equal(ds_optim_step_fn(opt, big_objective, &r, NULL), DS_OK);
    *nstate = 0;
    for (size_t e = 0; e < ds_optim_state_count(opt); e++) {
        const ds_state_info *in = ds_optim_state_info(opt, e);
        if (in->type != DS_STATE_F32) continue;
        state[*nstate] = malloc(BIG * sizeof(float));
        assert_int_equal(ds_optim_state_get(opt, in->name, DS_STATE_F32, state[*nstate], BIG),
                         DS_OK);
        (*nstate)++;
    }
    ds_optim_free(opt);
}

static void test_threads_bitwise(void **state)
{
    (void)state;
    float *x1 = malloc(BIG * 4), *x2 = malloc(BIG * 4), *g = malloc(BIG * 4);
    for (size_t s = 0; s < NSPECS; s++) {
        ds_opt_params p;
        assert_int_equal(ds_opt_parse(specs[s], &p), DS_OK);
        p.clip_norm = 50; /* the clip's reduction must not depend on threads either */
        float *s1[4], *s2[4];
        size_t n1, n2;
        run_threads(&p, 1, x1, g, s1, &n1);
        run_threads(&p, 2, x2, g, s2, &n2);
        assert_int_equal(n1, n2);
        if (memcmp(x1, x2, BIG * 4)) fail_msg("%s: x differs between 1 and 2 threads", specs[s]);
        for (size_t b = 0; b < n1; b++) {
            if (memcmp(s1[b], s2[b], BIG * 4))
                fail_msg("%s: state %zu differs between 1 and 2 threads", specs[s], b);
            free(s1[b]), free(s2[b]);
        }
    }
    free(x1), free(x2), free(g);
}

/* ---- one group against one-element groups, bit for bit ----------------- */

#define WIDE   1000 /* group 0: the kernels' vector bodies run */
#define NARROW 37   /* group 1: half the lr, frozen at step 1 */
#define ALL    (WIDE + NARROW)
#define SKIP   2 /* the step whose gradient holds a NaN */

/* Five steps over ALL elements, as two groups (WIDE, NARROW) or as ALL
 * one-element groups; the NaN at step SKIP stops that step (clip_norm's
 * finiteness check) and changes nothing. Writes x, then each float state
 * buffer, ALL floats each, to out; returns how many arrays. */
static size_t run_split(const ds_opt_params *p, int singles, float *x, float *g, float *out)
{
    ds_opt_params p1 = *p;
    p1.lr *= 0.5;
    const int ng = singles ? ALL : 2;
    ds_param_group *grp = calloc((size_t)ng, sizeof *grp);
    size_t *lo = calloc((size_t)ng, sizeof *lo);
    for (int i = 0; i < ng; i++) {
        lo[i] = singles ? (size_t)i : i ? WIDE : 0;
        size_t n = singles ? 1 : i ? NARROW : WIDE;
        grp[i] = (ds_param_group){x + lo[i], g + lo[i], n, lo[i] >= WIDE ? &p1 : NULL};
    }
    for (size_t i = 0; i < ALL; i++)
        x[i] = (float)sin((double)i);
    ds_optim *opt = ds_optim_init(p, grp, ng);
    assert_non_null(opt);
    big_run r = {.x = x, .g = g, .n = ALL, .skip = SKIP};
    for (r.k = 0; r.k < 5; r.k++) {
        for (int i = 0; i < ng; i++)
            if (lo[i] >= WIDE) ds_optim_set_frozen(opt, i, r.k == 1);
        assert_int_equal(ds_optim_step_fn(opt, big_objective, &r, NULL),
                         r.k == SKIP ? DS_ERR_NONFINITE : DS_OK);
    }
    for (int i = 0; i < ng; i++)
        assert_int_equal(ds_optim_steps(opt, i), lo[i] >= WIDE ? 3 : 4);
    memcpy(out, x, ALL * sizeof *x);
    size_t arrays = 1;
    int last = -1;
    for (size_t e = 0; e < ds_optim_state_count(opt); e++) {
        const ds_state_info *in = ds_optim_state_info(opt, e);
        const int gi = atoi(in->name + 1); /* "g<i>.<buffer>" */
        if (in->type != DS_STATE_F32) continue;
        arrays = gi == last ? arrays + 1 : 1, last = gi;
        assert_int_equal(
            ds_optim_state_get(opt, in->name, DS_STATE_F32, out + arrays * ALL + lo[gi], in->count),
            DS_OK);
    }
    ds_optim_free(opt);
    free(grp), free(lo);
    return arrays;
}

static void test_groups_of_one_bitwise(void **state)
{
    (void)state;
    float *x = malloc(ALL * 4), *g = malloc(ALL * 4);
    float *one = malloc(4 * ALL * 4), *each = malloc(4 * ALL * 4);
    for (size_t s = 0; s < NSPECS; s++) {
        ds_opt_params p;
        assert_int_equal(ds_opt_parse(specs[s], &p), DS_OK);
        p.clip_norm = 1e30; /* never scales, but refuses a NaN gradient */
        const size_t n1 = run_split(&p, 0, x, g, one), n2 = run_split(&p, 1, x, g, each);
        assert_int_equal(n1, n2);
        for (size_t a = 0; a < n1; a++)
            if (memcmp(one + a * ALL, each + a * ALL, ALL * 4))
                fail_msg("%s: %s differs between one group and one-element groups", specs[s],
                         a ? "a state buffer" : "x");
    }
    free(x), free(g), free(one), free(each);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_bitwise),
        cmocka_unit_test(test_groups_of_one_bitwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
