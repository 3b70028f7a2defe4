/* race.c - the report's shared machinery for paths on surfaces: several
 * optimizers from one start on one 2-D function (lectures.md section 12:
 * "trajectories of several optimizers on the contour map, colour-coded"),
 * their maps and loss curves, and the sigmoid neuron's loss over a data set
 * as a 2-D function so data-driven runs are drawn on their own surface. */
#include "report/report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void app_race_free(app_race *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->rows[i]);
    memset(r, 0, sizeof *r);
}

static ds_status race_one(app_race *r, int i, const ds_fn2d *f, const char *spec, const char *name,
                          double x0, double y0)
{
    if (ds_opt_parse(spec, &r->opt[i]) != DS_OK) return DS_ERR_INVALID;
    r->rows[i] = malloc(sizeof(double) * 3 * (size_t)(r->steps + 1));
    if (!r->rows[i])
        return ds_set_error(DS_ERR_NOMEM, "out of memory allocating %zu bytes for race path",
                            (size_t)(sizeof(double) * 3 * (size_t)(r->steps + 1)));
    ds_status st = ds_fn2d_trace(f, &r->opt[i], NULL, x0, y0, r->steps, r->rows[i], &r->nrows[i]);
    if (st != DS_OK && st != DS_ERR_NONFINITE) return st;
    if (st == DS_OK) r->nrows[i] = r->steps + 1;
    r->path[i] =
        (ds_plot_series){name, NULL, r->rows[i], r->rows[i] + 1, (size_t)r->nrows[i], 3, NULL};
    r->loss[i] = (ds_plot_series){name, NULL, NULL, r->rows[i] + 2, (size_t)r->nrows[i], 3, NULL};
    return DS_OK;
}

ds_status app_race_run(app_race *r, const ds_fn2d *f, int n, const char *const *specs,
                       const char *const *names, double x0, double y0, long steps)
{
    memset(r, 0, sizeof *r);
    if (n < 1 || n > APP_RACE_MAX) return ds_set_error(DS_ERR_INVALID, "race of %d optimizers", n);
    r->steps = steps;
    for (int i = 0; i < n; i++) {
        r->n = i + 1;
        ds_status st = race_one(r, i, f, specs[i], names[i], x0, y0);
        if (st != DS_OK) {
            app_race_free(r);
            return st;
        }
    }
    ds_plot_opt_colors(r->opt, n, r->color);
    for (int i = 0; i < n; i++)
        r->path[i].color = r->loss[i].color = r->color[i];
    return DS_OK;
}

const double *app_race_row(const app_race *r, int i, long t)
{
    long last = r->nrows[i] - 1;
    return r->rows[i] + 3 * (t < last ? t : last);
}

double app_race_loss(const app_race *r, int i, long t)
{
    return t < r->nrows[i] ? r->rows[i][3 * t + 2] : INFINITY;
}

long app_race_first_below(const app_race *r, int i, double level)
{
    for (long t = 0; t < r->nrows[i]; t++)
        if (r->rows[i][3 * t + 2] < level) return t;
    return -1;
}

ds_status app_race_map(app_report *r, const ds_fn2d *f, const app_race *race, int first, int n,
                       const ds_plot_opts *o)
{
    return ds_plot_map(r->out, f, race->path + first, n, o);
}

ds_status app_race_losses(app_report *r, const app_race *race, int first, int n,
                          const ds_plot_opts *o)
{
    ds_plot_opts lo = *o;
    lo.yscale = DS_PLOT_AUTO;
    if (!lo.xlabel) lo.xlabel = "step";
    if (!lo.ylabel) lo.ylabel = "loss";
    return ds_plot_lines(r->out, race->loss + first, n, &lo);
}

/* ---- the neuron over a data set ---- */

/* 1/2 sum (f - y)^2 and its gradient, as functions.c's toy neuron but over
 * the data set fn->ctx; in double so contours are smooth. */
static double neuron_eval(const ds_fn2d *fn, double w, double b, double *grad)
{
    ds_dataset *d = (ds_dataset *)fn->ctx;
    const float *xs = ds_dataset_x(d), *ys = ds_dataset_targets(d);
    size_t n = ds_dataset_rows(d);
    double loss = 0, gw = 0, gb = 0;
    for (size_t i = 0; i < n; i++) {
        double x = xs[i], f = 1 / (1 + exp(-(w * x + b))), e = f - ys[i];
        loss += 0.5 * e * e;
        gw += e * f * (1 - f) * x;
        gb += e * f * (1 - f);
    }
    if (grad) grad[0] = gw, grad[1] = gb;
    return loss;
}

ds_fn2d app_neuron_fn(const ds_dataset *d, const double window[4], const double *minimum)
{
    ds_fn2d fn = {.name = "neuron on data", .eval = neuron_eval, .ctx = d};
    memcpy(fn.window, window, sizeof fn.window);
    if (minimum) {
        fn.n_minima = 1;
        fn.minima[0][0] = minimum[0];
        fn.minima[0][1] = minimum[1];
    }
    return fn;
}
