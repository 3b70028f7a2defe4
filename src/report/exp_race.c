/* exp_race.c - the report's experiment 11: the optimizers racing on Beale's
 * function and on a saddle (the animations the NPTEL deck cites, after Alec
 * Radford's), drawn with SMIL so they play without script; and Reddi, Kale
 * and Kumar 2018's online counterexample on which Adam converges to the
 * wrong end while AMSGrad does not. */
#include "report/report_internal.h"

#include <math.h>
#include <stdlib.h>

ds_status app_reddi_run(const ds_opt_params *p, double x0, long steps, double *xs, double *x_out)
{
    float x = (float)x0, g = 0;
    ds_param_group grp = {&x, &g, 1, NULL};
    ds_optim *opt = ds_optim_init(p, &grp, 1);
    if (!opt) return DS_ERR_INVALID;
    ds_status st = DS_OK;
    for (long t = 1; t <= steps && st == DS_OK; t++) {
        g = t % 3 == 1 ? 1010.0f : -10.0f; /* d/dx of f_t */
        st = ds_optim_step(opt);
        x = x > 1 ? 1 : x < -1 ? -1 : x; /* projection onto the feasible set [-1, 1] */
        if (xs) xs[t - 1] = x;
    }
    ds_optim_free(opt);
    if (x_out) *x_out = x;
    return st;
}

/* ---- racing on surfaces ---- */

static const char *const race_specs[] = {
    "sgd:lr=0.002",   "sgd:lr=0.002,momentum=0.9", "nag:lr=0.002,momentum=0.9",
    "adagrad:lr=0.3", "rmsprop:lr=0.01",           "adam:lr=0.05"};
static const char *const race_names[] = {"GD", "momentum", "NAG", "Adagrad", "RMSProp", "Adam"};
#define NRACE 6

/* First step at which `test` holds for path i, or -1. */
static long first_step(const app_race *race, int i, int (*test)(const double *row))
{
    for (long t = 0; t < race->nrows[i]; t++)
        if (test(race->rows[i] + 3 * t)) return t;
    return -1;
}

static int near_beale_min(const double *row)
{
    return row[2] < 1e-3;
}

static int escaped_saddle(const double *row)
{
    return fabs(row[1]) > 1;
}

/* One race: the function, where and how long, and what counts as arriving. */
typedef struct race_setup {
    const char *fn, *label, *name, *what;
    double start[2];
    double window[4]; /* all zero: the function's own */
    long steps;
    int (*test)(const double *row);
} race_setup;

static const race_setup races[] = {
    {.fn = "beale",
     .label = "Beale's function",
     .name = "race-beale",
     .what = "First step with f < 0.001",
     .start = {1, 1.5},
     .window = {-0.5, 4, -1.5, 2},
     .steps = 1500,
     .test = near_beale_min},
    {.fn = "saddle",
     .label = "The saddle x^2 - y^2",
     .name = "race-saddle",
     .what = "First step with |y| > 1",
     .start = {1, 1e-3},
     .steps = 400,
     .test = escaped_saddle},
};

/* One animated race; the caption lists, per optimizer, the first step `test` held. */
static ds_status race_figure(app_report *r, const race_setup *rs)
{
    const ds_fn2d *f = ds_fn2d_find(rs->fn);
    app_race race;
    ds_status st = app_race_run(&race, f, NRACE, race_specs, race_names, rs->start[0], rs->start[1],
                                rs->steps);
    if (st != DS_OK) return st;
    /* NAG's path often runs on momentum's (on the saddle they overlap from
     * the start): dashed, the blue drawn on top lets the red show through. */
    race.path[2].dash = "6 7";
    long hit[NRACE];
    for (int i = 0; i < NRACE; i++)
        hit[i] = first_step(&race, i, rs->test);
    ds_plot_opts o = app_fig_opts(r, rs->label, 720, 480);
    o.has_window = rs->window[1] > rs->window[0];
    for (int k = 0; k < 4; k++)
        o.window[k] = rs->window[k];
    o.animate = 1, o.anim_seconds = 10;
    app_fig_open(r, rs->name, "gd-hit", (double)hit[0], "momentum-hit", (double)hit[1], "nag-hit",
                 (double)hit[2], "adagrad-hit", (double)hit[3], "rmsprop-hit", (double)hit[4],
                 "adam-hit", (double)hit[5], (char *)NULL);
    st = app_race_map(r, f, &race, 0, NRACE, &o);
    char list[512];
    size_t len = 0;
    for (int i = 0; i < NRACE && len < sizeof list; i++) {
        const char *sep = i ? ", " : "";
        len += (size_t)(hit[i] < 0 ? snprintf(list + len, sizeof list - len, "%s%s never", sep,
                                              race_names[i])
                                   : snprintf(list + len, sizeof list - len, "%s%s %ld", sep,
                                              race_names[i], hit[i]));
    }
    app_fig_close(r, "%s from (%g, %g), %ld steps (animated: the markers move in step). %s: %s.",
                  rs->label, rs->start[0], rs->start[1], rs->steps, rs->what, list);
    app_explore_link(r, rs->fn, rs->start[0], rs->start[1], rs->steps, race_specs, NRACE);
    app_race_free(&race);
    return st;
}

/* ---- Reddi et al.'s counterexample ---- */

#define REDDI_STEPS 3000
#define REDDI_LR    0.01

/* Adam and AMSGrad in the paper's setting, and Adam with its usual defaults. */
static void reddi_params(ds_opt_params p[3], double beta2)
{
    p[0] = ds_opt_default_params(DS_OPT_ADAM);
    p[0].lr = REDDI_LR, p[0].adam.beta1 = 0, p[0].adam.beta2 = beta2;
    p[1] = p[0];
    p[1].adam.amsgrad = 1;
    p[2] = ds_opt_default_params(DS_OPT_ADAM); /* beta1 0.9, beta2 0.999 */
    p[2].lr = REDDI_LR;
}

static ds_status reddi_figure(app_report *r)
{
    /* The paper's Theorem 1 setting: beta1 = 0 and beta2 = 1 / (1 + C^2), C
     * the ratio of the large gradient to the small (here 1010 / 10 = 101):
     * the rare large gradient is forgotten before it can weigh. */
    double beta2 = 1.0 / (1.0 + 101.0 * 101.0), fin[3];
    ds_opt_params p[3];
    reddi_params(p, beta2);
    double *xs = malloc(sizeof(double) * 3 * REDDI_STEPS);
    if (!xs)
        return ds_set_error(DS_ERR_NOMEM, "out of memory allocating %zu bytes for reddi",
                            (size_t)(sizeof(double) * 3 * REDDI_STEPS));
    ds_status st = DS_OK;
    for (int i = 0; i < 3 && st == DS_OK; i++)
        st = app_reddi_run(&p[i], 0, REDDI_STEPS, xs + i * REDDI_STEPS, &fin[i]);
    if (st == DS_OK) {
        ds_plot_series s[3] = {
            {"Adam (beta1 0, beta2 1/(1+101^2))", "#d62728", NULL, xs, REDDI_STEPS, 1, NULL},
            {"AMSGrad (same betas)", "#1f77b4", NULL, xs + REDDI_STEPS, REDDI_STEPS, 1, NULL},
            {"Adam (beta1 0.9, beta2 0.999)", "#ff7f0e", NULL, xs + 2 * REDDI_STEPS, REDDI_STEPS, 1,
             NULL}};
        ds_plot_opts o =
            app_fig_opts(r, "f_t(x) = 1010x if t mod 3 = 1, else -10x, x in [-1, 1]", 720, 320);
        o.xlabel = "step t", o.ylabel = "x";
        app_fig_open(r, "reddi", "adam-final", fin[0], "amsgrad-final", fin[1],
                     "adam-default-final", fin[2], "beta2", beta2, (char *)NULL);
        st = ds_plot_lines(r->out, s, 3, &o);
        app_fig_close(r,
                      "The sum over each period is 990x, so the optimum is x = -1. With the "
                      "paper's beta1 = 0, beta2 = 1/(1 + 101^2) = %.2e and lr %g from x = 0, "
                      "Adam ends at x = %.3f after %d steps: each large gradient is forgotten "
                      "within its period, so the two small ones win. AMSGrad keeps the largest "
                      "second moment and ends at x = %.3f. With the usual beta1 = 0.9, beta2 = "
                      "0.999 Adam ends at x = %.3f on this short period.",
                      beta2, REDDI_LR, fin[0], REDDI_STEPS, fin[1], fin[2]);
    }
    free(xs);
    return st;
}

ds_status app_exp_race(app_report *r)
{
    for (size_t i = 0; i < sizeof races / sizeof races[0]; i++) {
        ds_status st = race_figure(r, &races[i]);
        if (st != DS_OK) return st;
    }
    return reddi_figure(r);
}
