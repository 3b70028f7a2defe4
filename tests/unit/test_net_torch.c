/* test_net_torch.c - layer networks against PyTorch 1.13: every case of
 * <DS_TEST_DATA>/train/torch_cnn.txt (written by tools/torch_cnn.py: a
 * CNN with conv, relu, max or average pooling, dense, and a variant with
 * BatchNorm2d and BatchNorm1d, from the same initial parameters and data,
 * trained by sgd with momentum and by adam) must give the same loss at every
 * step and the same evaluation loss after the last (running statistics;
 * the file leaves it out where it is ill-conditioned, see the script), and
 * the same evaluation loss from torch's trained weights read from its
 * state_dict in safetensors.
 *
 * Tolerance 1e-5 relative: both sides compute in float32 with sums in
 * different orders (im2col + sgemm against oneDNN's direct convolution; the
 * loss and batch statistics in double here, in float there), so each step
 * differs by a few float roundings (~1e-7 relative) and eight steps grow
 * that to at most ~1e-6 (measured: 1.6e-7; the test prints its worst). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "descent/model.h"
#include "descent/optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 8192

typedef struct tcase {
    char spec[256], opt[64];
    float x[MAXV], params[MAXV];
    int32_t labels[64];
    double losses[16], eval;
    size_t nx, nparams, nlabels, nlosses, neval;
} tcase;

/* "NAME N v1 ... vN" into doubles; the name must be `name`. */
static size_t read_values(FILE *f, const char *name, double *v, size_t max)
{
    char word[32];
    size_t n;
    if (fscanf(f, "%31s %zu", word, &n) != 2 || strcmp(word, name) != 0 || n > max)
        fail_msg("torch_cnn.txt: expected '%s' with at most %zu values", name, max);
    for (size_t i = 0; i < n; i++)
        if (fscanf(f, "%lf", &v[i]) != 1) fail_msg("torch_cnn.txt: short '%s'", name);
    return n;
}

static int read_case(FILE *f, tcase *c)
{
    static double v[MAXV];
    if (fscanf(f, " case %255s %63s", c->spec, c->opt) != 2) return 0;
    c->nx = read_values(f, "x", v, MAXV);
    for (size_t i = 0; i < c->nx; i++)
        c->x[i] = (float)v[i];
    c->nlabels = read_values(f, "labels", v, 64);
    for (size_t i = 0; i < c->nlabels; i++)
        c->labels[i] = (int32_t)v[i];
    c->nparams = read_values(f, "params", v, MAXV);
    for (size_t i = 0; i < c->nparams; i++)
        c->params[i] = (float)v[i];
    c->nlosses = read_values(f, "losses", c->losses, 16);
    c->neval = read_values(f, "eval", &c->eval, 1);
    return 1;
}

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-12);
}

static double run_case(tcase *c)
{
    ds_model *m = ds_model_init(c->spec, c->nx / c->nlabels, NULL);
    if (!m) fail_msg("%s: %s", c->spec, ds_last_error());
    assert_int_equal(ds_model_param_count(m), c->nparams);
    memcpy(ds_model_param_data(m), c->params, c->nparams * sizeof(float));
    ds_opt_params op;
    assert_int_equal(ds_opt_parse(c->opt, &op), DS_OK);
    ds_param_group g = {
        .x = ds_model_param_data(m), .g = ds_model_grad_data(m), .n = ds_model_param_count(m)};
    ds_optim *opt = ds_optim_init(&op, &g, 1);
    assert_non_null(opt);
    ds_batch b = {.x = c->x, .n = c->nlabels, .features = c->nx / c->nlabels, .labels = c->labels};
    double worst = 0, loss;
    for (size_t s = 0; s < c->nlosses; s++) {
        assert_int_equal(ds_model_forward_backward(m, &b, &loss), DS_OK);
        assert_int_equal(ds_optim_step(opt), DS_OK);
        worst = fmax(worst, rel(loss, c->losses[s]));
        if (rel(loss, c->losses[s]) > 1e-5)
            fail_msg("%s %s step %zu: loss %.9g, torch %.9g", c->spec, c->opt, s + 1, loss,
                     c->losses[s]);
    }
    assert_int_equal(ds_model_evaluate(m, &b, &loss, NULL), DS_OK);
    if (c->neval && rel(loss, c->eval) > 1e-5)
        fail_msg("%s %s: evaluation loss %.9g, torch %.9g", c->spec, c->opt, loss, c->eval);
    ds_optim_free(opt);
    ds_model_free(m);
    return c->neval ? fmax(worst, rel(loss, c->eval)) : worst;
}

/* torch's trained state_dict of case k, read by --init-from's reader,
 * gives torch's evaluation loss (names, layouts, running statistics). */
static void check_torch_weights(const tcase *c, const char *data, int k)
{
    char path[1024];
    double loss;
    snprintf(path, sizeof path, "%s/train/torch_cnn_%d.safetensors", data, k);
    ds_model *m = ds_model_init(c->spec, 0, NULL);
    assert_non_null(m);
    if (ds_model_load_safetensors(m, path) != DS_OK) fail_msg("%s", ds_last_error());
    ds_batch b = {.x = c->x, .n = c->nlabels, .features = c->nx / c->nlabels, .labels = c->labels};
    assert_int_equal(ds_model_evaluate(m, &b, &loss, NULL), DS_OK);
    if (rel(loss, c->eval) > 1e-5)
        fail_msg("%s: loss %.9g with torch's weights, torch %.9g", path, loss, c->eval);
    ds_model_free(m);
}

static void test_torch_cases(void **state)
{
    (void)state;
    const char *data = getenv("DS_TEST_DATA");
    char path[1024];
    if (!data) fail_msg("DS_TEST_DATA is not set (run through ctest)");
    snprintf(path, sizeof path, "%s/train/torch_cnn.txt", data);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    static tcase c;
    int n = 0;
    double worst = 0;
    while (read_case(f, &c)) {
        worst = fmax(worst, run_case(&c));
        if (c.neval) check_torch_weights(&c, data, n);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 6);
    printf("# %d cases, worst relative difference %.3g\n", n, worst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_torch_cases)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
