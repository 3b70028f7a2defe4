/* neuron_optim.c - the lectures' sigmoid neuron (CS7015 lecture 5) trained
 * with hand-written gradients through the optimizer API only: no model, no
 * data set, no training loop from the library, just ds_optim over a
 * two-float parameter array, as a user with their own model would do.
 *
 *   f(x) = 1 / (1 + e^-(w x + b)),  L = 1/2 sum_i (f(x_i) - y_i)^2
 *   grad_w = sum_i (f - y) f (1 - f) x_i,  grad_b = the same without x_i
 *   on (0.5, 0.2), (2.5, 0.9) from w = b = -2.
 *
 * usage: neuron_optim [OPT_SPEC [EPOCHS]]   (default: sgd:lr=1 1000, the
 * lecture's run, which ends near w = 1.78, b = -2.27)
 * Prints "w W b B loss L steps N" and exits 0, or 1 on a bad argument. */
#include "descent/optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const float X[2] = {0.5f, 2.5f}, Y[2] = {0.2f, 0.9f};

/* The parameters theta = (w, b) and their gradient, as the optimizer sees them. */
typedef struct neuron {
    float theta[2], grad[2];
} neuron;

/* The objective callback: the lecture's loss and, if asked, its gradient,
 * at the parameters currently in theta (the look-ahead point for nag). */
static ds_status objective(void *ctx, int need_grad, double *loss)
{
    neuron *n = ctx;
    double w = n->theta[0], b = n->theta[1], l = 0, gw = 0, gb = 0;
    for (int i = 0; i < 2; i++) {
        double f = 1 / (1 + exp(-(w * X[i] + b))), d = (f - Y[i]) * f * (1 - f);
        l += 0.5 * (f - Y[i]) * (f - Y[i]);
        gw += d * X[i];
        gb += d;
    }
    if (need_grad) n->grad[0] = (float)gw, n->grad[1] = (float)gb;
    *loss = l;
    return DS_OK;
}

int main(int argc, char **argv)
{
    const char *spec = argc > 1 ? argv[1] : "sgd:lr=1";
    long epochs = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
    ds_opt_params p;
    if (ds_opt_parse(spec, &p) != DS_OK || epochs < 1) {
        fprintf(stderr, "neuron_optim: %s\n", epochs < 1 ? "EPOCHS must be >= 1" : ds_last_error());
        return 1;
    }
    neuron n = {{-2.0f, -2.0f}, {0, 0}};
    ds_param_group g = {n.theta, n.grad, 2, NULL};
    ds_optim *opt = ds_optim_init(&p, &g, 1);
    if (!opt) {
        fprintf(stderr, "neuron_optim: %s\n", ds_last_error());
        return 1;
    }
    double loss = 0;
    for (long e = 0; e < epochs; e++) { /* batch GD: one step per epoch */
        if (ds_optim_step_fn(opt, objective, &n, NULL) != DS_OK) {
            fprintf(stderr, "neuron_optim: %s\n", ds_last_error());
            ds_optim_free(opt);
            return 1;
        }
    }
    objective(&n, 0, &loss);
    printf("w %.6f b %.6f loss %.3g steps %lld\n", n.theta[0], n.theta[1], loss,
           (long long)ds_optim_steps(opt, 0));
    ds_optim_free(opt);
    return 0;
}
