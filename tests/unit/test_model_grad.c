/* test_model_grad.c - gradient checks of every layer type and loss.
 *
 * genann-style central differences, done carefully: the test carries its
 * own plain double-precision forward pass (obviously correct loops over
 * rows, layers and outputs, written from the formulas in doc/models.md),
 * checks that it agrees with the model's loss, and differentiates it
 * numerically (eps = 1e-6, in double) at the model's parameters. The
 * model's analytic float gradient must match every component, and must not
 * be all zero in any layer (a zero gradient passes any difference check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "descent/model.h"
#include "descent/rng.h"
#include "test_act.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 7
#define FEAT 5

/* Loss of one row from its outputs a[0..c-1]. */
static double ref_row_loss(const double *a, size_t c, const ds_batch *b, size_t i, ds_loss loss)
{
    if (loss == DS_LOSS_XENT) {
        double s = 0;
        for (size_t j = 0; j < c; j++)
            s += exp(a[j]);
        return log(s) - a[b->labels[i]];
    }
    double s = 0;
    for (size_t j = 0; j < c; j++) {
        double t = b->targets ? b->targets[i * c + j]
                   : c == 1   ? b->labels[i]
                              : (double)(j == (size_t)b->labels[i]);
        s += (a[j] - t) * (a[j] - t);
    }
    return s;
}

/* The cost (loss + L2) of the model's structure at parameters theta. */
static double ref_cost(ds_model *m, const double *theta, const ds_batch *b)
{
    const ds_model_params *p = ds_model_get_params(m);
    int L = ds_model_layer_count(m);
    const float *base = ds_model_param_data(m);
    double total = 0, buf[2][64];
    for (size_t i = 0; i < b->n; i++) {
        const double *in = NULL;
        for (int l = 1; l <= L; l++) {
            size_t ni = ds_model_size(m, l - 1), no = ds_model_size(m, l);
            const double *w = theta + (ds_model_weight(m, l) - base);
            const double *bias = theta + (ds_model_bias(m, l) - base);
            int kind = l < L ? (int)p->act : ds_model_is_neuron(m) ? DS_ACT_SIGMOID : -1;
            double *out = buf[l & 1];
            for (size_t j = 0; j < no; j++) {
                double z = bias[j];
                for (size_t k = 0; k < ni; k++)
                    z += w[j * ni + k] * (l == 1 ? (double)b->x[i * ni + k] : in[k]);
                out[j] = ref_act(z, kind);
            }
            in = out;
        }
        total += ref_row_loss(in, ds_model_outputs(m), b, i, p->loss);
    }
    double c = (double)ds_model_outputs(m), n = (double)b->n;
    total *= p->loss == DS_LOSS_XENT ? 1 / n : p->loss == DS_LOSS_MSE ? 1 / (n * c) : 0.5;
    double ss = 0;
    for (size_t k = 0; k < ds_model_weight_count(m); k++)
        ss += theta[k] * theta[k];
    return total + p->l2 / (2 * n) * ss;
}

typedef struct gcase {
    const char *spec;
    ds_activation act;
    ds_loss loss;
    int use_targets;
} gcase;

/* Random data, random parameters (biases too, so their gradients matter). */
static void fill(ds_model *m, float *x, int32_t *labels, float *targets, ds_rng *r)
{
    size_t c = ds_model_outputs(m);
    for (size_t i = 0; i < ROWS * FEAT; i++)
        x[i] = (float)ds_rng_normal(r);
    for (size_t i = 0; i < ROWS; i++)
        labels[i] = (int32_t)ds_rng_below(r, c > 1 ? c : 2);
    for (size_t i = 0; i < ROWS * c; i++)
        targets[i] = (float)ds_rng_uniform(r);
    float *th = ds_model_param_data(m);
    for (size_t k = 0; k < ds_model_param_count(m); k++)
        th[k] = (float)(0.7 * ds_rng_normal(r));
}

/* Every layer's weight and bias gradient has a non-zero entry. */
static void assert_nonzero_layers(ds_model *m)
{
    for (int l = 1; l <= ds_model_layer_count(m); l++) {
        size_t no = ds_model_size(m, l), nw = no * ds_model_size(m, l - 1);
        double gw = 0, gb = 0;
        for (size_t k = 0; k < nw; k++)
            gw = fmax(gw, fabs(ds_model_weight_grad(m, l)[k]));
        for (size_t k = 0; k < no; k++)
            gb = fmax(gb, fabs(ds_model_bias_grad(m, l)[k]));
        assert_true(gw > 1e-4);
        assert_true(gb > 1e-4);
    }
}

static void check_case(const gcase *gc, size_t reserve)
{
    ds_model_params p = ds_model_default_params();
    p.act = gc->act;
    p.loss = gc->loss;
    p.l2 = 0.3;
    ds_model *m = ds_model_init(gc->spec, FEAT, &p);
    assert_non_null(m);
    assert_int_equal(ds_model_reserve(m, reserve), DS_OK);
    float x[ROWS * FEAT], targets[ROWS * 8];
    int32_t labels[ROWS];
    ds_rng r = ds_rng_seed(7);
    fill(m, x, labels, targets, &r);
    ds_batch b = {.x = x, .n = ROWS, .features = FEAT, .labels = labels};
    if (gc->use_targets) {
        b.labels = NULL;
        b.targets = targets;
        b.outputs = ds_model_outputs(m);
    }
    double loss;
    assert_int_equal(ds_model_forward_backward(m, &b, &loss), DS_OK);
    assert_nonzero_layers(m);

    size_t n = ds_model_param_count(m);
    double *th = malloc(n * sizeof *th);
    assert_non_null(th);
    for (size_t k = 0; k < n; k++)
        th[k] = ds_model_param_data(m)[k];
    double ref = ref_cost(m, th, &b);
    assert_true(fabs(loss - ref) <= 1e-5 * fabs(ref) + 1e-6);
    const double eps = 1e-6;
    for (size_t k = 0; k < n; k++) {
        double keep = th[k];
        th[k] = keep + eps;
        double up = ref_cost(m, th, &b);
        th[k] = keep - eps;
        double down = ref_cost(m, th, &b);
        th[k] = keep;
        double num = (up - down) / (2 * eps), ana = ds_model_grad_data(m)[k];
        if (fabs(num - ana) > 1e-3 * fmax(fabs(num), fabs(ana)) + 1e-5)
            fail_msg("%s param %zu: analytic %.8g numerical %.8g", gc->spec, k, ana, num);
    }
    free(th);
    ds_model_free(m);
}

static const gcase cases[] = {
    {"mlp:5-4-3", DS_ACT_RELU, DS_LOSS_XENT, 0},   {"mlp:5-4-3", DS_ACT_SIGMOID, DS_LOSS_XENT, 0},
    {"mlp:5-4-3", DS_ACT_TANH, DS_LOSS_XENT, 0},   {"mlp:5-3", DS_ACT_RELU, DS_LOSS_XENT, 0},
    {"mlp:5-6-4-3", DS_ACT_TANH, DS_LOSS_MSE, 1},  {"mlp:5-4-3", DS_ACT_RELU, DS_LOSS_SSE, 1},
    {"mlp:5-4-3", DS_ACT_SIGMOID, DS_LOSS_MSE, 0}, {"mlp:5-4-1", DS_ACT_TANH, DS_LOSS_SSE, 0},
    {"neuron", DS_ACT_RELU, DS_LOSS_SSE, 1},       {"neuron", DS_ACT_RELU, DS_LOSS_MSE, 0},
};

static void test_gradients(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], 256);
}

/* A batch larger than the workspace is done in chunks whose gradients add
 * up: the check must hold just the same. */
static void test_gradients_chunked(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_gradients_chunked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
