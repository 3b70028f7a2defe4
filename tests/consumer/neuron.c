/* neuron.c - a program outside the descent source tree that uses the
 * installed library the way a user would: the lectures' sigmoid neuron
 * (CS7015), written by hand with its own gradients, trained through the
 * optimizer API of <descent/optim.h> alone.
 *
 *   f(x) = sigmoid(w x + b),  loss = 1/2 sum_i (f(x_i) - y_i)^2
 *   over (0.5, 0.2), (2.5, 0.9), starting at w = b = -2.
 *
 * Exits 0 when Adam (lr 0.05) brings the loss under 1e-4, 1 when it does not,
 * 2 when the library reports an error. tools/check-install.sh builds it with
 * pkg-config and with find_package(descent) against a staged install and
 * against the Debian package. */
#include <descent/optim.h>
#include <descent/version.h>

#include <math.h>
#include <stdio.h>

#define TARGET_LOSS 1e-4
#define MAX_STEPS   5000

static const double xs[2] = {0.5, 2.5}, ys[2] = {0.2, 0.9};

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* Loss at theta = (w, b); writes its gradient into grad[0..1]. */
static double loss_and_grad(const float *theta, float *grad)
{
    double loss = 0, gw = 0, gb = 0;
    for (int i = 0; i < 2; i++) {
        double f = sigmoid(theta[0] * xs[i] + theta[1]);
        double d = (f - ys[i]) * f * (1 - f); /* dloss/dz for this example */
        loss += 0.5 * (f - ys[i]) * (f - ys[i]);
        gw += d * xs[i];
        gb += d;
    }
    grad[0] = (float)gw;
    grad[1] = (float)gb;
    return loss;
}

int main(void)
{
    float theta[2] = {-2.0f, -2.0f}, grad[2];
    ds_opt_params p = ds_opt_default_params(DS_OPT_ADAM);
    p.lr = 0.05;
    ds_param_group group = {.x = theta, .g = grad, .n = 2, .params = NULL};
    ds_optim *opt = ds_optim_init(&p, &group, 1);
    if (!opt) {
        fprintf(stderr, "neuron: ds_optim_init: %s\n", ds_last_error());
        return 2;
    }
    double loss = loss_and_grad(theta, grad);
    long step = 0;
    while (loss >= TARGET_LOSS && step < MAX_STEPS) {
        ds_status st = ds_optim_step(opt);
        if (st != DS_OK) {
            fprintf(stderr, "neuron: ds_optim_step: %s: %s\n", ds_status_str(st), ds_last_error());
            ds_optim_free(opt);
            return 2;
        }
        loss = loss_and_grad(theta, grad);
        step++;
    }
    printf("descent %s: adam reached loss %.3g after %ld steps (w = %.4f, b = %.4f)\n",
           DS_VERSION_STRING, loss, step, theta[0], theta[1]);
    int steps_agree = ds_optim_steps(opt, 0) == step;
    ds_optim_free(opt);
    if (!steps_agree) {
        fprintf(stderr, "neuron: the optimizer counted a different number of steps\n");
        return 1;
    }
    return loss < TARGET_LOSS ? 0 : 1;
}
