/* test_net_grad.c - gradient checks of every layer of a network spec
 * (conv with same, valid and numeric padding and strides, max and average
 * pooling with and without overlap, batch norm after conv and dense,
 * dropout, the activations, dense), as test_model_grad.c does for the mlp:
 * the test carries its own plain double-precision forward pass written from
 * the formulas (layers.c's header), checks that it agrees with the model's
 * loss, and differentiates it by central differences (eps = 1e-6, in
 * double) at the model's parameters. Dropout's mask is the one the model
 * drew (read from its workspace after the pass, the pass counter reset
 * before it). The float analytic gradient must match within 1e-3 relative
 * (+1e-5 absolute: float rounding of sums of a few hundred terms), and be
 * non-zero in every parameter block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "descent/model.h"
#include "descent/rng.h"
#include "models/net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 5

static double ref_act(double z, int kind)
{
    return kind == DS_ACT_RELU      ? (z > 0 ? z : 0)
           : kind == DS_ACT_SIGMOID ? 1 / (1 + exp(-z))
                                    : tanh(z);
}

static double at(const double *x, const size_t s[3], size_t i, size_t c, long y, long xx)
{
    if (y < 0 || xx < 0 || (size_t)y >= s[1] || (size_t)xx >= s[2]) return 0;
    return x[((i * s[0] + c) * s[1] + (size_t)y) * s[2] + (size_t)xx];
}

static void ref_conv(const ds__layer *ly, const double *th, const double *x, double *y, size_t r)
{
    const size_t *in = ly->in, *o = ly->out, k = ly->k;
    for (size_t i = 0; i < r; i++)
        for (size_t u = 0; u < o[0]; u++)
            for (size_t oy = 0; oy < o[1]; oy++)
                for (size_t ox = 0; ox < o[2]; ox++) {
                    double z = th[ly->boff + u];
                    for (size_t c = 0; c < in[0]; c++)
                        for (size_t a = 0; a < k; a++)
                            for (size_t b = 0; b < k; b++)
                                z += th[ly->woff + ((u * in[0] + c) * k + a) * k + b] *
                                     at(x, in, i, c, (long)(oy * ly->stride + a) - (long)ly->pad,
                                        (long)(ox * ly->stride + b) - (long)ly->pad);
                    y[((i * o[0] + u) * o[1] + oy) * o[2] + ox] = z;
                }
}

static void ref_pool(const ds__layer *ly, const double *x, double *y, size_t r)
{
    const size_t *o = ly->out, k = ly->k;
    for (size_t i = 0; i < r; i++)
        for (size_t c = 0; c < o[0]; c++)
            for (size_t oy = 0; oy < o[1]; oy++)
                for (size_t ox = 0; ox < o[2]; ox++) {
                    double mx = -INFINITY, s = 0;
                    for (size_t a = 0; a < k; a++)
                        for (size_t b = 0; b < k; b++) {
                            double v = at(x, ly->in, i, c, (long)(oy * ly->stride + a),
                                          (long)(ox * ly->stride + b));
                            mx = fmax(mx, v), s += v;
                        }
                    y[((i * o[0] + c) * o[1] + oy) * o[2] + ox] =
                        ly->kind == DS__L_MAXPOOL ? mx : s / (double)(k * k);
                }
}

static void ref_bn(const ds__layer *ly, const double *th, const double *x, double *y, size_t r)
{
    size_t C = ly->in[0], S = ly->in[1] * ly->in[2];
    for (size_t c = 0; c < C; c++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < S; j++)
                mean += x[(i * C + c) * S + j] / (double)(r * S);
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < S; j++)
                var += pow(x[(i * C + c) * S + j] - mean, 2) / (double)(r * S);
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < S; j++) {
                size_t q = (i * C + c) * S + j;
                y[q] = th[ly->boff + c] * (x[q] - mean) / sqrt(var + 1e-5) + th[ly->boff + C + c];
            }
    }
}

static void ref_layer(ds_model *m, int l, const double *th, const double *x, double *y, size_t r)
{
    const ds__layer *ly = &m->net->layers[l - 1];
    size_t ni = ly->in[0] * ly->in[1] * ly->in[2], no = ly->out[0] * ly->out[1] * ly->out[2];
    switch (ly->kind) {
    case DS__L_DENSE:
        for (size_t i = 0; i < r; i++)
            for (size_t u = 0; u < no; u++) {
                double z = th[ly->boff + u];
                for (size_t f = 0; f < ni; f++)
                    z += th[ly->woff + u * ni + f] * x[i * ni + f];
                y[i * no + u] = z;
            }
        break;
    case DS__L_CONV:
        ref_conv(ly, th, x, y, r);
        break;
    case DS__L_MAXPOOL:
    case DS__L_AVGPOOL:
        ref_pool(ly, x, y, r);
        break;
    case DS__L_ACT:
        for (size_t q = 0; q < r * ni; q++)
            y[q] = ref_act(x[q], ly->act);
        break;
    case DS__L_DROPOUT:
        for (size_t q = 0; q < r * ni; q++)
            y[q] = x[q] * m->net->aux[l][q];
        break;
    default:
        ref_bn(ly, th, x, y, r);
    }
}

/* Cost (mean cross-entropy or mse, + L2 on the weights) at parameters th. */
static double ref_cost(ds_model *m, const double *th, const ds_batch *b)
{
    size_t r = b->n, n0 = ds_model_inputs(m), c = ds_model_outputs(m);
    double *cur = malloc(r * n0 * sizeof *cur);
    for (size_t q = 0; q < r * n0; q++)
        cur[q] = b->x[q];
    for (int l = 1; l <= ds_model_layer_count(m); l++) {
        double *next = malloc(r * ds_model_size(m, l) * sizeof *next);
        ref_layer(m, l, th, cur, next, r);
        free(cur);
        cur = next;
    }
    double total = 0, ss = 0;
    for (size_t i = 0; i < r; i++) {
        const double *z = cur + i * c;
        double s = 0;
        for (size_t j = 0; j < c; j++)
            s += b->targets ? pow(z[j] - b->targets[i * c + j], 2) / (double)c : exp(z[j]);
        total += b->targets ? s : log(s) - z[b->labels[i]];
    }
    free(cur);
    for (size_t k = 0; k < ds_model_weight_count(m); k++)
        ss += th[k] * th[k];
    return total / (double)r + ds_model_get_params(m)->l2 / (2.0 * (double)r) * ss;
}

/* Every layer with parameters has a non-zero gradient in each block (but
 * a bias just before batch norm, whose gradient is 0). */
static void assert_nonzero_blocks(ds_model *m)
{
    const float *g = ds_model_grad_data(m);
    for (int i = 0; i < m->net->n; i++) {
        const ds__layer *ly = &m->net->layers[i];
        double gw = 0, gb = 0;
        for (size_t k = 0; k < ly->nw; k++)
            gw = fmax(gw, fabs(g[ly->woff + k]));
        for (size_t k = 0; k < ly->nb; k++)
            gb = fmax(gb, fabs(g[ly->boff + k]));
        if (ly->nw) assert_true(gw > 1e-5);
        /* batch norm subtracts the mean: the bias before it has no effect */
        int before_norm = i + 1 < m->net->n && ly[1].kind == DS__L_BATCHNORM;
        if (ly->nb && !before_norm) assert_true(gb > 1e-5);
    }
}

static double pass(ds_model *m, const ds_batch *b)
{
    double loss;
    ds_model_set_passes(m, 3);
    assert_int_equal(ds_model_forward_backward(m, b, &loss), DS_OK);
    return loss;
}

static void check_spec(const char *spec, int targets)
{
    ds_model_params p = ds_model_default_params();
    p.loss = targets ? DS_LOSS_MSE : DS_LOSS_XENT;
    p.l2 = 0.2;
    p.seed = 5;
    ds_model *m = ds_model_init(spec, 0, &p);
    if (!m) fail_msg("%s: %s", spec, ds_last_error());
    size_t f = ds_model_inputs(m), c = ds_model_outputs(m), n = ds_model_param_count(m);
    float *x = malloc(ROWS * f * sizeof *x), *t = malloc(ROWS * c * sizeof *t);
    int32_t labels[ROWS];
    ds_rng r = ds_rng_seed(11);
    for (size_t q = 0; q < ROWS * f; q++)
        x[q] = (float)ds_rng_normal(&r);
    for (size_t q = 0; q < ROWS * c; q++)
        t[q] = (float)ds_rng_uniform(&r);
    for (size_t i = 0; i < ROWS; i++)
        labels[i] = (int32_t)ds_rng_below(&r, c);
    float *th = ds_model_param_data(m);
    for (size_t k = 0; k < n; k++)
        th[k] = (float)(th[k] + 0.3 * ds_rng_normal(&r));
    ds_batch b = {.x = x,
                  .n = ROWS,
                  .features = f,
                  .labels = targets ? NULL : labels,
                  .targets = targets ? t : NULL,
                  .outputs = targets ? c : 0};
    double loss = pass(m, &b), *d = calloc(n, sizeof *d);
    assert_nonzero_blocks(m);
    for (size_t k = 0; k < n; k++)
        d[k] = th[k];
    double ref = ref_cost(m, d, &b);
    if (fabs(loss - ref) > 1e-5 * fabs(ref) + 1e-6)
        fail_msg("%s: loss %.9g, reference %.9g", spec, loss, ref);
    for (size_t k = 0; k < n; k++) {
        const double eps = 1e-6, keep = d[k];
        d[k] = keep + eps;
        double up = ref_cost(m, d, &b);
        d[k] = keep - eps;
        double down = ref_cost(m, d, &b), num = (up - down) / (2 * eps);
        double ana = ds_model_grad_data(m)[k];
        d[k] = keep;
        if (fabs(num - ana) > 1e-3 * fmax(fabs(num), fabs(ana)) + 1e-5)
            fail_msg("%s param %zu: analytic %.8g numerical %.8g", spec, k, ana, num);
    }
    free(d);
    free(x);
    free(t);
    ds_model_free(m);
}

static void test_conv_pool(void **state)
{
    (void)state;
    check_spec("net:in=2x6x6|conv:3,3,same|tanh|maxpool:2|dense:4", 0);
    check_spec("net:in=2x7x7|conv:3,3,valid,stride=2|sigmoid|avgpool:2|dense:3", 0);
    check_spec("net:in=2x7x7|conv:2,3,1,stride=2|relu|avgpool:3,stride=1|dense:3", 1);
    check_spec("net:in=1x8x8|conv:2,5,2|tanh|maxpool:3,stride=2|conv:3,1|tanh|dense:3", 0);
}

static void test_batchnorm(void **state)
{
    (void)state;
    check_spec("net:in=2x6x6|conv:3,3,same|batchnorm|tanh|maxpool:2|dense:5|batchnorm|tanh|dense:3",
               0);
    check_spec("net:in=7|dense:6|batchnorm|sigmoid|dense:2", 1);
}

static void test_dropout(void **state)
{
    (void)state;
    check_spec("net:in=2x6x6|conv:2,3|tanh|dropout:0.3|dense:6|relu|dropout:0.5|dense:3", 0);
    check_spec("net:in=9|dropout:0.2|dense:4|tanh|dense:3", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_pool),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_dropout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
