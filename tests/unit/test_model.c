/* test_model.c - the model handle: the lectures' sigmoid neuron against its
 * hand formulas and guess-work table, softmax regression by hand, seeded
 * initialisation and its variance, the parameter layout, threads, chunked
 * batches, descriptions and the errors of specs, options and batches.
 * (Gradient checks of every layer and loss: test_model_grad.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "descent/model.h"
#include "descent/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

/* CS7015's toy data: (x, y) = (0.5, 0.2), (2.5, 0.9). */
static const float toy_x[2] = {0.5f, 2.5f}, toy_y[2] = {0.2f, 0.9f};
static const ds_batch toy = {.x = toy_x, .targets = toy_y, .n = 2, .features = 1, .outputs = 1};

static ds_model *toy_neuron(void)
{
    ds_model_params p = ds_model_default_params();
    assert_int_equal(ds_init_parse("const:-2", &p), DS_OK);
    ds_model *m = ds_model_init("neuron", 1, &p);
    assert_non_null(m);
    return m;
}

static void test_neuron_hand_formulas(void **state)
{
    (void)state;
    ds_model *m = toy_neuron();
    assert_int_equal(ds_model_get_params(m)->loss, DS_LOSS_SSE);
    double loss, L = 0, gw = 0, gb = 0;
    assert_int_equal(ds_model_forward_backward(m, &toy, &loss), DS_OK);
    for (int i = 0; i < 2; i++) {
        double f = sigmoid(-2.0 * toy_x[i] - 2.0), y = toy_y[i];
        L += 0.5 * (f - y) * (f - y);
        gw += (f - y) * f * (1 - f) * toy_x[i];
        gb += (f - y) * f * (1 - f);
    }
    assert_true(fabs(loss - L) < 1e-6 * L);
    assert_true(fabs(ds_model_weight_grad(m, 1)[0] - gw) < 1e-5 * fabs(gw));
    assert_true(fabs(ds_model_bias_grad(m, 1)[0] - gb) < 1e-5 * fabs(gb));
    ds_model_free(m);
}

/* CS7015's "guess work" table (w, b) -> L, to 4 decimals. Three rows of the
 * slide print a value the slide's own formula does not give (computed
 * independently in double: 0.073114, 0.021672, 0.002892, where the slide
 * prints 0.0730, 0.0214, 0.0028); for those the test asserts the formula's
 * rounding and that the slide's figure is within 4e-4 of it. */
static void test_neuron_guess_table(void **state)
{
    (void)state;
    static const double table[][4] = {/* w, b, L rounded to 4 decimals, the slide's L */
                                      {0.50, 0.00, 0.0731, 0.0730},  {-0.10, 0.00, 0.1481, 0.1481},
                                      {0.94, -0.94, 0.0217, 0.0214}, {1.42, -1.73, 0.0029, 0.0028},
                                      {1.65, -2.08, 0.0003, 0.0003}, {1.78, -2.27, 0.0000, 0.0000}};
    ds_model *m = toy_neuron();
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        ds_model_weight(m, 1)[0] = (float)table[i][0];
        ds_model_bias(m, 1)[0] = (float)table[i][1];
        double loss;
        assert_int_equal(ds_model_evaluate(m, &toy, &loss, NULL), DS_OK);
        assert_true(fabs(round(loss * 1e4) / 1e4 - table[i][2]) < 1e-9);
        assert_true(fabs(loss - table[i][3]) < 4e-4);
    }
    ds_model_free(m);
}

/* mlp:2-3 with W = [[1,0],[0,1],[1,1]], b = [0,0,-3] at x = (1,2): logits
 * (1, 2, 0), probabilities e^z / (e^0 + e^1 + e^2). */
static void test_softmax_by_hand(void **state)
{
    (void)state;
    ds_model *m = ds_model_init("mlp:2-3", 2, NULL);
    assert_non_null(m);
    const float w[6] = {1, 0, 0, 1, 1, 1}, bias[3] = {0, 0, -3}, x[2] = {1, 2};
    memcpy(ds_model_weight(m, 1), w, sizeof w);
    memcpy(ds_model_bias(m, 1), bias, sizeof bias);
    float prob[3];
    assert_int_equal(ds_model_predict(m, x, 1, prob), DS_OK);
    double z[3] = {1, 2, 0}, s = exp(0.0) + exp(1.0) + exp(2.0);
    for (int j = 0; j < 3; j++)
        assert_true(fabs(prob[j] - exp(z[j]) / s) < 1e-6);
    int32_t y = 0;
    ds_batch b = {.x = x, .labels = &y, .n = 1, .features = 2};
    double loss, acc;
    assert_int_equal(ds_model_evaluate(m, &b, &loss, &acc), DS_OK);
    assert_true(fabs(loss - (log(s) - 1)) < 1e-6);
    assert_true(acc == 0.0); /* argmax is class 1 */
    ds_model_free(m);
}

/* Zero weights give uniform logits: loss log(C) and db = mean(1/C - onehot). */
static void test_uniform_logits(void **state)
{
    (void)state;
    ds_model_params p = ds_model_default_params();
    p.init = DS_INIT_ZEROS;
    ds_model *m = ds_model_init("mlp:4-10", 4, &p);
    assert_non_null(m);
    float x[12] = {1, -2, 3, 0.5f, 2, 2, -1, 0, 0, 1, 1, 1};
    int32_t y[3] = {3, 3, 7};
    ds_batch b = {.x = x, .labels = y, .n = 3, .features = 4};
    double loss;
    assert_int_equal(ds_model_forward_backward(m, &b, &loss), DS_OK);
    assert_true(fabs(loss - log(10.0)) < 1e-6);
    const float *gb = ds_model_bias_grad(m, 1);
    for (int j = 0; j < 10; j++) {
        double want = 0.1 - ((j == 3) * 2.0 + (j == 7)) / 3.0;
        assert_true(fabs(gb[j] - want) < 1e-6);
    }
    ds_model_free(m);
}

/* The products' clock counts 2 m k n per product: a forward-backward pass
 * of mlp:4-8-3 on 5 rows runs the forward and weight-gradient products of
 * both layers and the input gradient of the second (as
 * ds_model_step_flops counts per row), an evaluation the forwards only. */
static void test_product_clock(void **state)
{
    (void)state;
    ds_model *m = ds_model_init("mlp:4-8-3", 0, NULL);
    assert_non_null(m);
    double flops = -1;
    assert_true(ds_model_product_seconds(m, &flops) == 0.0 && flops == 0.0);
    float x[20] = {0};
    int32_t y[5] = {0, 1, 2, 0, 1};
    ds_batch b = {.x = x, .labels = y, .n = 5, .features = 4};
    assert_int_equal(ds_model_forward_backward(m, &b, NULL), DS_OK);
    double secs = ds_model_product_seconds(m, &flops);
    assert_true(flops == 5 * ds_model_step_flops(m) && flops == 5 * (4 * 4 * 8 + 6 * 8 * 3));
    assert_true(secs > 0);
    assert_int_equal(ds_model_evaluate(m, &b, NULL, NULL), DS_OK);
    assert_true(ds_model_product_seconds(m, &flops) >= secs);
    assert_true(flops == 5 * (272 + 2 * 4 * 8 + 2 * 8 * 3));
    ds_model_free(m);
}

static ds_model *seeded(const char *spec, ds_activation act, uint64_t seed)
{
    ds_model_params p = ds_model_default_params();
    p.act = act;
    p.seed = seed;
    ds_model *m = ds_model_init(spec, 0, &p);
    assert_non_null(m);
    return m;
}

static void test_seed(void **state)
{
    (void)state;
    ds_model *a = seeded("mlp:20-30-10", DS_ACT_RELU, 5),
             *b = seeded("mlp:20-30-10", DS_ACT_RELU, 5);
    ds_model *c = seeded("mlp:20-30-10", DS_ACT_RELU, 6);
    size_t n = ds_model_param_count(a) * sizeof(float);
    assert_memory_equal(ds_model_param_data(a), ds_model_param_data(b), n);
    assert_memory_not_equal(ds_model_param_data(a), ds_model_param_data(c), n);
    ds_model_params p = ds_model_default_params();
    p.seed = 5;
    assert_int_equal(ds_model_reinit(c, &p), DS_OK);
    assert_memory_equal(ds_model_param_data(a), ds_model_param_data(c), n);
    ds_model_free(a);
    ds_model_free(b);
    ds_model_free(c);
}

/* Sample variance of layer 1's weights within 5% of the rule's; mean ~ 0. */
static void check_variance(ds_activation act, double want)
{
    ds_model *m = seeded("mlp:1000-1000-10", act, 11);
    const float *w = ds_model_weight(m, 1);
    size_t n = 1000 * 1000;
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i], ss += (double)w[i] * w[i];
    double mean = s / n, var = ss / n - mean * mean;
    assert_true(fabs(var - want) < 0.05 * want);
    assert_true(fabs(mean) < 5 * sqrt(want / n));
    for (size_t j = 0; j < 1000; j++)
        assert_true(ds_model_bias(m, 1)[j] == 0.0f);
    ds_model_free(m);
}

static void test_init_variance(void **state)
{
    (void)state;
    check_variance(DS_ACT_RELU, 2.0 / 1000);          /* He: 2 / fan_in */
    check_variance(DS_ACT_TANH, 2.0 / (1000 + 1000)); /* Xavier: 2 / (in + out) */
    check_variance(DS_ACT_SIGMOID, 2.0 / (1000 + 1000));
}

static void test_init_constants(void **state)
{
    (void)state;
    ds_model_params p = ds_model_default_params();
    assert_int_equal(ds_init_parse("const:-2", &p), DS_OK);
    ds_model *m = ds_model_init("mlp:3-4-2", 0, &p);
    assert_non_null(m);
    for (size_t i = 0; i < ds_model_param_count(m); i++)
        assert_true(ds_model_param_data(m)[i] == -2.0f);
    ds_model_free(m);
}

/* [W1 W2 W3 | b1 b2 b3], the two groups covering it exactly once. */
static void test_layout(void **state)
{
    (void)state;
    ds_model *m = ds_model_init("mlp:7-5-4-3", 0, NULL);
    assert_non_null(m);
    float *th = ds_model_param_data(m), *g = ds_model_grad_data(m);
    size_t sizes[4] = {7, 5, 4, 3}, w = 0, b = 0;
    for (int l = 1; l <= 3; l++)
        w += sizes[l] * sizes[l - 1], b += sizes[l];
    assert_int_equal(ds_model_weight_count(m), w);
    assert_int_equal(ds_model_param_count(m), w + b);
    size_t off = 0;
    for (int l = 1; l <= 3; l++) {
        assert_ptr_equal(ds_model_weight(m, l), th + off);
        assert_ptr_equal(ds_model_weight_grad(m, l), g + off);
        off += sizes[l] * sizes[l - 1];
    }
    for (int l = 1; l <= 3; l++) {
        assert_ptr_equal(ds_model_bias(m, l), th + off);
        assert_ptr_equal(ds_model_bias_grad(m, l), g + off);
        off += sizes[l];
    }
    assert_null(ds_model_weight(m, 0));
    assert_null(ds_model_bias(m, 4));
    ds_param_group gr[DS_MODEL_GROUPS];
    ds_model_param_groups(m, gr);
    assert_ptr_equal(gr[0].x, th);
    assert_ptr_equal(gr[0].g, g);
    assert_int_equal(gr[0].n, w);
    assert_ptr_equal(gr[1].x, th + w);
    assert_ptr_equal(gr[1].g, g + w);
    assert_int_equal(gr[1].n, b);
    assert_null(gr[0].params);
    ds_model_free(m);
}

/* A batch of random rows for mlp:64-128-10 (big enough for the parallel loops). */
static void random_batch(float *x, int32_t *y, size_t n, size_t f, uint64_t seed)
{
    ds_rng r = ds_rng_seed(seed);
    for (size_t i = 0; i < n * f; i++)
        x[i] = (float)ds_rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        y[i] = (int32_t)ds_rng_below(&r, 10);
}

static void run_threads(ds_model *m, int t, const ds_batch *b, float *grad, double *loss)
{
    ds_model_set_threads(m, t);
    assert_int_equal(ds_model_threads(m), t);
    assert_int_equal(ds_model_forward_backward(m, b, loss), DS_OK);
    memcpy(grad, ds_model_grad_data(m), ds_model_param_count(m) * sizeof(float));
}

static void test_threads(void **state)
{
    (void)state;
    enum { N = 256, F = 64 };
    ds_model_params p = ds_model_default_params();
    p.l2 = 0.01;
    ds_model *m = ds_model_init("mlp:64-128-10", F, &p);
    assert_non_null(m);
    static float x[N * F];
    int32_t y[N];
    random_batch(x, y, N, F, 3);
    ds_batch b = {.x = x, .labels = y, .n = N, .features = F};
    size_t n = ds_model_param_count(m);
    float *g1 = malloc(n * sizeof *g1), *g2 = malloc(n * sizeof *g2), *g3 = malloc(n * sizeof *g3);
    double l1, l2, l3;
    run_threads(m, 1, &b, g1, &l1);
    run_threads(m, 2, &b, g2, &l2);
    run_threads(m, 2, &b, g3, &l3);
    assert_true(fabs(l1 - l2) <= 1e-6 * fabs(l1));
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(g1[i] - g2[i]) <= 1e-4 * fabs(g1[i]) + 1e-7);
    assert_true(l2 == l3);
    assert_memory_equal(g2, g3, n * sizeof *g2);
    free(g1);
    free(g2);
    free(g3);
    ds_model_free(m);
}

/* Batches larger than the workspace run in chunks: same loss, accuracy and
 * gradient up to float summation order. */
static void test_chunks(void **state)
{
    (void)state;
    enum { N = 13, F = 64 };
    ds_model *m = ds_model_init("mlp:64-16-10", F, NULL);
    assert_non_null(m);
    float x[N * F];
    int32_t y[N];
    random_batch(x, y, N, F, 4);
    ds_batch b = {.x = x, .labels = y, .n = N, .features = F};
    size_t n = ds_model_param_count(m);
    double la, lb, aa, ab;
    float *ga = malloc(n * sizeof *ga), pa[N * 10], pb[N * 10];
    assert_int_equal(ds_model_evaluate(m, &b, &la, &aa), DS_OK);
    assert_int_equal(ds_model_predict(m, x, N, pa), DS_OK);
    assert_int_equal(ds_model_forward_backward(m, &b, NULL), DS_OK);
    memcpy(ga, ds_model_grad_data(m), n * sizeof *ga);
    assert_int_equal(ds_model_reserve(m, 5), DS_OK);
    assert_int_equal(ds_model_reserved(m), 5);
    assert_int_equal(ds_model_evaluate(m, &b, &lb, &ab), DS_OK);
    assert_int_equal(ds_model_predict(m, x, N, pb), DS_OK);
    assert_true(fabs(la - lb) < 1e-6 * la && aa == ab);
    for (size_t i = 0; i < N * 10; i++)
        assert_true(fabs(pa[i] - pb[i]) <= 1e-5 * pa[i] + 1e-7);
    assert_int_equal(ds_model_forward_backward(m, &b, NULL), DS_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(ga[i] - ds_model_grad_data(m)[i]) <= 1e-5 * fabs(ga[i]) + 1e-7);
    free(ga);
    ds_model_free(m);
}

static void test_objective_fn(void **state)
{
    (void)state;
    ds_model *m = toy_neuron();
    ds_model_objective o = {.model = m, .batch = &toy};
    double a, b;
    assert_int_equal(ds_model_objective_fn(&o, 0, &a), DS_OK);
    memset(ds_model_grad_data(m), 0, 2 * sizeof(float));
    assert_int_equal(ds_model_objective_fn(&o, 1, &b), DS_OK);
    assert_true(a == b && ds_model_grad_data(m)[0] != 0.0f);
    ds_model_free(m);
}

static void expect_bad_spec(const char *spec, size_t inputs, const char *needle)
{
    ds_clear_error();
    assert_null(ds_model_init(spec, inputs, NULL));
    if (!strstr(ds_last_error(), needle))
        fail_msg("spec '%s': message '%s' lacks '%s'", spec, ds_last_error(), needle);
}

static void test_bad_specs(void **state)
{
    (void)state;
    expect_bad_spec("mlp:784", 0, "'mlp:784' needs an input and an output size");
    expect_bad_spec("mlp:784--10", 0, "size 2 is empty");
    expect_bad_spec("mlp:0-10", 0, "size 1 is 0");
    expect_bad_spec("mlp:a-10", 0, "size 1 'a' is not an integer");
    expect_bad_spec("mlp:10-", 0, "size 2 is empty");
    expect_bad_spec("mlpx:1-2", 0, "unknown model 'mlpx'");
    expect_bad_spec("", 0, "unknown model");
    expect_bad_spec("mlp:99999999999999999999-10", 0, "size 1 '99999999999999999999' is not");
    expect_bad_spec("mlp:3000000000-10", 0, "size 1 is 3000000000 (accepted: 1 to 2147483647)");
    expect_bad_spec("mlp:2147483647-2147483647-2147483647-2147483647-2147483647", 0, "overflows");
    expect_bad_spec("mlp:5-10", 6, "has 5 inputs but the data has 6");
    expect_bad_spec("neuron", 0, "neuron needs its input count");
    expect_bad_spec("neuronx", 3, "unknown model 'neuronx'");
    expect_bad_spec("mlp:4-1", 0, "loss 'xent' needs at least 2 outputs");
    ds_model_params p = ds_model_default_params();
    p.l2 = -1;
    ds_clear_error();
    assert_null(ds_model_init("mlp:4-2", 0, &p));
    assert_non_null(strstr(ds_last_error(), "l2 must be"));
}

static void test_option_parsers(void **state)
{
    (void)state;
    ds_activation a = DS_ACT_RELU;
    assert_int_equal(ds_act_parse("relux", &a), DS_ERR_INVALID);
    assert_string_equal(ds_last_error(),
                        "unknown activation 'relux' (accepted: relu, sigmoid, tanh)");
    assert_int_equal(a, DS_ACT_RELU);
    assert_int_equal(ds_act_parse("tanh", &a), DS_OK);
    assert_int_equal(a, DS_ACT_TANH);
    ds_loss l = DS_LOSS_AUTO;
    assert_int_equal(ds_loss_parse("auto", &l), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "accepted: xent"));
    assert_int_equal(ds_loss_parse("cross-entropy", &l), DS_OK);
    assert_int_equal(l, DS_LOSS_XENT);
    assert_int_equal(ds_loss_parse("sse", &l), DS_OK);
    assert_int_equal(l, DS_LOSS_SSE);
    ds_model_params p = ds_model_default_params();
    assert_int_equal(ds_init_parse("const:abc", &p), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "'abc' is not a finite number"));
    assert_int_equal(ds_init_parse("const:", &p), DS_ERR_INVALID);
    assert_int_equal(ds_init_parse("uniform", &p), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "unknown init 'uniform'"));
    assert_int_equal(p.init, DS_INIT_DEFAULT);
    assert_int_equal(ds_init_parse("xavier", &p), DS_OK);
    assert_int_equal(p.init, DS_INIT_XAVIER);
    assert_int_equal(ds_init_parse("const:0.25", &p), DS_OK);
    assert_true(p.init == DS_INIT_CONST && p.init_value == 0.25);
    assert_string_equal(ds_act_name(DS_ACT_SIGMOID), "sigmoid");
    assert_null(ds_loss_name(DS_LOSS_COUNT));
}

static void check_roundtrip(const char *spec, size_t inputs, ds_activation act, ds_loss loss,
                            const char *want)
{
    ds_model_params p = ds_model_default_params();
    p.act = act;
    p.loss = loss;
    ds_model *m = ds_model_init(spec, inputs, &p);
    assert_non_null(m);
    char d[128], d2[128];
    assert_int_equal(ds_model_describe(m, d, sizeof d), (int)strlen(want));
    assert_string_equal(d, want);
    ds_model *c = ds_model_init_desc(d, NULL); /* default act/loss: the description decides */
    assert_non_null(c);
    ds_model_describe(c, d2, sizeof d2);
    assert_string_equal(d, d2);
    assert_int_equal(ds_model_param_count(m), ds_model_param_count(c));
    ds_model_free(m);
    ds_model_free(c);
}

/* Layer lists: every message names the layer and, for shapes, both sizes. */
static void test_bad_nets(void **state)
{
    (void)state;
    expect_bad_spec("net:in=1x8x8|maxpool:2|maxpool:5", 0,
                    "layer 2: a 5x5 window is larger than its input 1x4x4 (padding 0)");
    expect_bad_spec("net|conv:4,3|dense:2", 784, "give the image shape with in=CxHxW");
    expect_bad_spec("net:in=1x28x28|dense:10", 100,
                    "takes 1x28x28 = 784 inputs but the data has 100");
    expect_bad_spec("net:in=1x8x8|conv:4,3,samey|dense:2", 0,
                    "layer 1 'conv:4,3,samey': pad must be same, valid or a whole number");
    expect_bad_spec("net:in=1x8x8|conv:4,4,same|dense:2", 0,
                    "'same' needs an odd kernel and stride 1");
    expect_bad_spec("net:in=1x8x8|conv:4|dense:2", 0, "layer 1 'conv:4': missing k");
    expect_bad_spec("net:in=1x8x8|conv:4,3,kernel=2|dense:2", 0, "unknown key 'kernel'");
    expect_bad_spec("net:in=1x8x8|pool:2|dense:2", 0, "layer 1 'pool:2': unknown layer");
    expect_bad_spec("net:in=1x8x8||dense:2", 0, "layer 1 is empty");
    expect_bad_spec("net:in=1x8x8|dropout:1|dense:2", 0, "rate must be in [0, 1)");
    expect_bad_spec("net:in=8x8|dense:2", 0, "in must be CxHxW or N");
    expect_bad_spec("net:in=1x8x8", 0, "needs 1 to 64 layers");
    expect_bad_spec("net|dense:3", 0, "give the input shape (in=CxHxW)");
    expect_bad_spec("net:in=4|dense:1", 0, "loss 'xent' needs at least 2 outputs");
    expect_bad_spec("net:in=2000000000|dense:2000000000", 0, "layer 1 is too large");
    expect_bad_spec("net:in=60000x100x100|conv:2000000000,4096,4096", 0, "layer 1 is too large");
}

/* A layer list describes itself canonically and builds back the same
 * layout; 2c2d has DeepOBS's 3,274,634 parameters and 5.25 GFLOP per batch
 * of 64 (the 5.2). */
static void test_net_descriptions(void **state)
{
    (void)state;
    char d[512];
    ds_model *m =
        ds_model_init("net:in=1x8x8|conv:units=4,k=3,pad=1,stride=2|relu|maxpool:2,stride=1|"
                      "dropout:0.25|batchnorm|dense:3",
                      0, NULL);
    assert_non_null(m);
    ds_model_describe(m, d, sizeof d);
    assert_string_equal(d, "net:in=1x8x8|conv:4,3,1,stride=2|relu|maxpool:2,stride=1|dropout:0.25|"
                           "batchnorm|dense:3 loss=xent");
    ds_model *back = ds_model_init_desc(d, NULL);
    assert_non_null(back);
    assert_int_equal(ds_model_param_count(back), ds_model_param_count(m));
    assert_int_equal(ds_model_state_count(back), 8);
    size_t n;
    assert_int_equal(ds_model_desc_params(d, &n), DS_OK);
    assert_int_equal(n, ds_model_param_count(m));
    ds_model_free(m);
    ds_model_free(back);
    m = ds_model_init("2c2d", 784, NULL);
    assert_non_null(m);
    assert_int_equal(ds_model_param_count(m), 3274634);
    assert_int_equal(ds_model_outputs(m), 10);
    /* 4 x 627200 (conv 1: no input gradient) + 6 x (10035200 + 3211264 + 10240) */
    assert_true(ds_model_step_flops(m) == 82049024.0);
    /* per row: every layer's output (86,730 floats) and the pool indices
     * (9,408), two buffers of the widest (25,088), 2 for the row loss; on
     * OpenBLAS conv 2's im2col rows and its positions x channels copy
     * (196 x (800 + 64)); oneDNN's primitives keep their own buffers */
    size_t conv = strcmp(ds_backend_name(), "openblas") == 0 ? 196 * (800 + 64) : 0;
    assert_int_equal(ds_model_row_bytes(m), 4 * (86730 + 9408 + 2 * 25088 + conv + 2));
    ds_model_free(m);
}

static void test_descriptions(void **state)
{
    (void)state;
    check_roundtrip("mlp:4-8-3", 0, DS_ACT_TANH, DS_LOSS_MSE, "mlp:4-8-3 act=tanh loss=mse");
    check_roundtrip("mlp:4-3", 0, DS_ACT_TANH, DS_LOSS_AUTO, "mlp:4-3 loss=xent");
    check_roundtrip("neuron", 2, DS_ACT_RELU, DS_LOSS_AUTO, "neuron:2 loss=sse");
    ds_model *m = ds_model_init("mlp:784-256-10", 0, NULL);
    char small[8];
    int need = ds_model_describe(m, small, sizeof small);
    assert_int_equal(need, (int)strlen("mlp:784-256-10 act=relu loss=xent"));
    assert_string_equal(small, "mlp:784");
    assert_int_equal(ds_model_describe(m, NULL, 0), need);
    ds_model_free(m);
    assert_null(ds_model_init_desc("mlp:4-3 colour=red", NULL));
    assert_non_null(strstr(ds_last_error(), "unknown item 'colour=red'"));
    assert_null(ds_model_init_desc("mlp:4-3 act=relux", NULL));
    assert_non_null(strstr(ds_last_error(), "'relux'"));
}

static void test_bad_batches(void **state)
{
    (void)state;
    ds_model *m = ds_model_init("mlp:2-3", 0, NULL);
    float x[4] = {1, 2, 3, 4};
    int32_t y[2] = {0, 3};
    ds_batch b = {.x = x, .labels = y, .n = 2, .features = 3};
    assert_int_equal(ds_model_forward_backward(m, &b, NULL), DS_ERR_MISMATCH);
    b.features = 2;
    float *g = ds_model_grad_data(m);
    g[0] = 42.0f;
    assert_int_equal(ds_model_forward_backward(m, &b, NULL), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "label 3 of row 1"));
    assert_true(g[0] == 42.0f); /* nothing written */
    b.labels = NULL;
    assert_int_equal(ds_model_evaluate(m, &b, NULL, NULL), DS_ERR_INVALID);
    y[1] = 2;
    b.labels = y;
    x[0] = NAN;
    double loss;
    assert_int_equal(ds_model_forward_backward(m, &b, &loss), DS_ERR_NONFINITE);
    assert_true(isnan(loss));
    b.n = 0;
    assert_int_equal(ds_model_evaluate(m, &b, NULL, NULL), DS_ERR_INVALID);
    assert_int_equal(ds_model_reserve(m, 0), DS_ERR_INVALID);
    assert_int_equal(ds_model_set_l2(m, -0.5), DS_ERR_INVALID);
    ds_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_neuron_hand_formulas),
        cmocka_unit_test(test_neuron_guess_table),
        cmocka_unit_test(test_softmax_by_hand),
        cmocka_unit_test(test_uniform_logits),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_init_variance),
        cmocka_unit_test(test_init_constants),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_chunks),
        cmocka_unit_test(test_objective_fn),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_option_parsers),
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_product_clock),
        cmocka_unit_test(test_bad_nets),
        cmocka_unit_test(test_net_descriptions),
        cmocka_unit_test(test_bad_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
