/* test_optim_cases.h - what the optimizer rule tests share: options that
 * exercise every feature of every rule, and a small separable objective over
 * two groups (5 + 3 elements) whose gradient changes with the step. Include
 * after <cmocka.h>. */
#ifndef DS_TEST_OPTIM_CASES_H
#define DS_TEST_OPTIM_CASES_H

#include "descent/optim.h"

#include <string.h>

/* Options exercising every feature of every rule. */
static const char *const specs[] = {
    "sgd:lr=0.1",
    "sgd:lr=0.1,momentum=0.9,dampening=0.1,weight_decay=0.01",
    "sgd:lr=0.1,momentum=0.9,nesterov=1",
    "sgd:lr=0.1,momentum=0.9,momentum_schedule=sutskever",
    "nag:lr=0.1,momentum=0.9",
    "nag:lr=0.1,momentum=0.9,momentum_schedule=sutskever",
    "adagrad:lr=0.1,lr_decay=0.1,initial_accumulator_value=0.1,weight_decay=0.01,eps=0.01",
    "adagrad:lr=0.1,eps=0.1,eps_inside=1",
    "rmsprop:lr=0.01,alpha=0.9,weight_decay=0.01,eps=0.01",
    "rmsprop:lr=0.01,alpha=0.9,centered=1",
    "rmsprop:lr=0.01,alpha=0.9,momentum=0.5,centered=1",
    "rmsprop:lr=0.01,alpha=0.9,momentum=0.5,eps=0.1,eps_inside=1",
    "rmsprop_nesterov:lr=0.05,alpha=0.9,momentum=0.5",
    "adam:lr=0.1,weight_decay=0.01,eps=0.01",
    "adam:lr=0.1,amsgrad=1",
    "adam:lr=0.1,eps=0.1,eps_inside=1",
    "adamw:lr=0.1,weight_decay=0.1",
    "adamw:lr=0.1,amsgrad=1",
    "adamax:lr=0.1,weight_decay=0.01",
    "nadam:lr=0.1,weight_decay=0.01",
    "radam:lr=0.1,weight_decay=0.01",
    "adadelta:lr=1,rho=0.9,weight_decay=0.01",
    "lion:lr=0.1,weight_decay=0.1",
    "linesearch:lrs=0.1/0.5/1",
};
#define NSPECS (sizeof specs / sizeof specs[0])

/* ---- the objective: f_k(x) = sum 0.5 a_i x_i^2 + b_i (1 + k/2) x_i --------
 * separable, over both groups (5 + 3 elements), changing with the step k so
 * the gradients vary; element 3 has a zero gradient throughout. */
#define N0 5
#define N1 3
#define NT (N0 + N1)
static const double A[NT] = {1, 2, 0.5, 3, 0, 1.5, 0.25, 4};
static const double B[NT] = {0.1, -0.2, 0.3, 0, 0.05, -0.4, 0.2, 0.1};
static const double X0[NT] = {0.5, -1.0, 2.0, 0.0, -0.3, 1.2, -0.7, 0.4};

static inline double grad_at(int i, double x, int k)
{
    return A[i] * x + B[i] * (1 + 0.5 * k);
}

static inline double loss_at(const double *x, int k)
{
    double l = 0;
    for (int i = 0; i < NT; i++)
        l += 0.5 * A[i] * x[i] * x[i] + B[i] * (1 + 0.5 * k) * x[i];
    return l;
}

typedef struct lib_run {
    float x[NT], g[NT];
    int k;
} lib_run;

static inline ds_status lib_objective(void *ctx, int need_grad, double *loss)
{
    lib_run *r = ctx;
    double xd[NT];
    for (int i = 0; i < NT; i++)
        xd[i] = r->x[i];
    *loss = loss_at(xd, r->k);
    if (need_grad)
        for (int i = 0; i < NT; i++)
            r->g[i] = (float)grad_at(i, xd[i], r->k);
    return DS_OK;
}

#endif
