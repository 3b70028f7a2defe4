/* exp_curves.c - the report's experiments that are curves rather than
 * paths (lectures.md sections 8 and 9): learning-rate schedules (Ng's
 * alpha0 / (1 + decay * epoch), 0.95^epoch, CS7015's step, exponential and
 * 1/t decays), Sutskever et al. 2013's momentum schedule, and Ng's
 * exponentially weighted averages of daily temperatures with and without
 * bias correction. */
#include "report/report_internal.h"

#include "descent/ewma.h"
#include "descent/rng.h"
#include "descent/schedule.h"

#include <math.h>
#include <stdio.h>

/* ---- 8. schedules ---- */

#define NSCHED       5
#define SCHED_EPOCHS 31
#define ALPHA0       0.2 /* Ng's example */

static ds_status parse_schedules(ds_schedule *s, const char **names)
{
    char exp95[64];
    /* 0.95^t = e^(-k t) with k = -ln 0.95 */
    snprintf(exp95, sizeof exp95, "exp:k=%.17g", -log(0.95));
    const char *specs[NSCHED] = {"inv:k=1", exp95, "step:every=5,factor=0.5", "exp:k=0.1",
                                 "invsqrt"};
    static const char *const labels[NSCHED] = {"1/(1+t) (Ng, decay 1)", "0.95^t (Ng)",
                                               "halve every 5 (CS7015)", "e^(-0.1 t) (CS7015)",
                                               "1/sqrt(1+t) (Ng)"};
    for (int i = 0; i < NSCHED; i++) {
        if (ds_schedule_parse(specs[i], &s[i]) != DS_OK) return DS_ERR_INVALID;
        names[i] = labels[i];
    }
    return DS_OK;
}

static void schedule_table(app_report *r, const ds_schedule *s, const char **names)
{
    app_fig_open(r, "schedule-table", "ng-lr1", ds_schedule_lr(&s[0], ALPHA0, 1), "ng-lr2",
                 ds_schedule_lr(&s[0], ALPHA0, 2), "ng-lr3", ds_schedule_lr(&s[0], ALPHA0, 3),
                 "ng-lr4", ds_schedule_lr(&s[0], ALPHA0, 4), (char *)NULL);
    ds_strbuf_puts(r->out, "<table><tr><th>epoch</th>");
    for (int i = 0; i < NSCHED; i++) {
        ds_strbuf_puts(r->out, "<th>");
        ds_strbuf_put_escaped(r->out, names[i]);
        ds_strbuf_puts(r->out, "</th>");
    }
    ds_strbuf_puts(r->out, "</tr>\n");
    for (int t = 0; t <= 10; t++) {
        ds_strbuf_printf(r->out, "<tr><td>%d</td>", t);
        for (int i = 0; i < NSCHED; i++)
            ds_strbuf_printf(r->out, "<td>%.4f</td>", ds_schedule_lr(&s[i], ALPHA0, t));
        ds_strbuf_puts(r->out, "</tr>\n");
    }
    ds_strbuf_puts(r->out, "</table>\n");
    app_fig_close(r,
                  "alpha0 = %g. Ng's alpha = alpha0 / (1 + decay_rate * epoch_num) with decay "
                  "1 gives %.3f, %.3f, %.3f, %.3f for epochs 1 to 4.",
                  ALPHA0, ds_schedule_lr(&s[0], ALPHA0, 1), ds_schedule_lr(&s[0], ALPHA0, 2),
                  ds_schedule_lr(&s[0], ALPHA0, 3), ds_schedule_lr(&s[0], ALPHA0, 4));
}

static ds_status schedule_curves(app_report *r, const ds_schedule *s, const char **names)
{
    double y[NSCHED][SCHED_EPOCHS];
    ds_plot_series ser[NSCHED];
    for (int i = 0; i < NSCHED; i++) {
        for (int t = 0; t < SCHED_EPOCHS; t++)
            y[i][t] = ds_schedule_lr(&s[i], ALPHA0, t);
        ser[i] = (ds_plot_series){names[i], NULL, NULL, y[i], SCHED_EPOCHS, 1, NULL};
    }
    ds_plot_opts o = app_fig_opts(r, "Learning rate per epoch, alpha0 = 0.2", 720, 360);
    o.xlabel = "epoch", o.ylabel = "learning rate";
    app_fig_open(r, "schedule-curves", "step-lr10", y[2][10], "exp-lr30", y[3][30], (char *)NULL);
    ds_status st = ds_plot_lines(r->out, ser, NSCHED, &o);
    app_fig_close(r,
                  "The step decay is a staircase (%.3f from epoch 10); 1/t decays fastest "
                  "early, e^(-0.1 t) catches up later (%.4f at epoch 30).",
                  y[2][10], y[3][30]);
    return st;
}

#define MOM_STEPS 30000 /* gamma_max 0.99 is reached at t = 12250, 0.995 at 24750 */
#define MOM_EVERY 25    /* plotted every 25 updates: the steps are 250 apart */
#define MOM_N     (MOM_STEPS / MOM_EVERY + 1)

static ds_status momentum_schedule(app_report *r)
{
    static const double gmax[] = {0.999, 0.995, 0.99, 0.9};
    static const char *const names[] = {"gamma_max 0.999", "gamma_max 0.995", "gamma_max 0.99",
                                        "gamma_max 0.9"};
    /* The curves agree until each meets its cap, so a solid later curve would
     * hide the earlier ones (0.999 under 0.99): later ones are dashed, ever
     * shorter, so every colour shows through where they coincide. */
    static const char *const dash[] = {NULL, "12 6", "6 6", "2 4"};
    double t[MOM_N], y[4][MOM_N];
    ds_plot_series ser[4];
    for (int k = 0; k < MOM_N; k++)
        t[k] = (double)k * MOM_EVERY;
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < MOM_N; k++)
            y[i][k] = ds_momentum_at(gmax[i], DS_MOMENTUM_SUTSKEVER, k * MOM_EVERY);
        ser[i] = (ds_plot_series){names[i], NULL, t, y[i], MOM_N, 1, dash[i]};
    }
    ds_plot_opts o = app_fig_opts(r, "Sutskever et al. (2013) momentum schedule", 720, 320);
    o.xlabel = "update t", o.ylabel = "momentum gamma_t";
    double g250 = y[0][250 / MOM_EVERY], g500 = y[0][500 / MOM_EVERY];
    double g99 = y[2][MOM_N - 1], g999 = y[0][MOM_N - 1];
    app_fig_open(r, "momentum-schedule", "g0", y[0][0], "g250", g250, "g500", g500, "g99-end", g99,
                 "g999-end", g999, (char *)NULL);
    ds_status st = ds_plot_lines(r->out, ser, 4, &o);
    app_fig_close(r,
                  "gamma_t = min(1 - 2^(-1 - log2(floor(t/250) + 1)), gamma_max) = min(1 - "
                  "1/(2 (floor(t/250) + 1)), gamma_max): %.3f at first, %.3f from t = 250, "
                  "%.3f from 500, ever closer to 1 until it meets gamma_max (0.99: %.4f at t = "
                  "%d; 0.999 is still at %.4f).",
                  y[0][0], g250, g500, g99, MOM_STEPS, g999);
    return st;
}

ds_status app_exp_schedules(app_report *r)
{
    ds_schedule s[NSCHED];
    const char *names[NSCHED];
    ds_status st = parse_schedules(s, names);
    if (st != DS_OK) return st;
    schedule_table(r, s, names);
    if ((st = schedule_curves(r, s, names)) != DS_OK) return st;
    return momentum_schedule(r);
}

/* ---- 9. exponentially weighted averages ---- */

#define DAYS      365
#define NBETA     3
#define EARLY_DAY 5
#define MAX_LAG   60

/* The seasonal curve of a year in degrees Fahrenheit, as Ng's London plot. */
static double season(int t)
{
    return 55 - 20 * cos(2 * M_PI * (t + 1 - 15) / DAYS);
}

/* A year of daily temperatures: the seasonal curve plus N(0, 5^2) noise. */
static void temperatures(double *theta)
{
    ds_rng g = ds_rng_seed(2013);
    for (int t = 0; t < DAYS; t++)
        theta[t] = season(t) + 5 * ds_rng_normal(&g);
}

/* The delay (days) by which v follows the seasonal curve: the shift s that
 * minimises the mean squared gap between v(t) and season(t - s), measured
 * after the first 100 days (past the start-up bias). */
static int lag(const double *v)
{
    int best = 0;
    double best_err = INFINITY;
    for (int s = 0; s <= MAX_LAG; s++) {
        double err = 0;
        for (int t = 100; t < DAYS; t++)
            err += (v[t] - season(t - s)) * (v[t] - season(t - s));
        if (err < best_err) best_err = err, best = s;
    }
    return best;
}

static ds_status ewma_year(app_report *r, const double *theta, double v[NBETA][DAYS])
{
    static const double beta[NBETA] = {0.5, 0.9, 0.98};
    static const char *const names[NBETA] = {"beta 0.5 (~2 days)", "beta 0.9 (~10 days)",
                                             "beta 0.98 (~50 days)"};
    static const char *const colors[NBETA] = {"#ff7f0e", "#d62728", "#2ca02c"};
    ds_plot_series ser[NBETA + 1] = {{"daily temperature", "#b0b0b0", NULL, theta, DAYS, 1, NULL}};
    double lags[NBETA];
    for (int i = 0; i < NBETA; i++) {
        ds_ewma e = ds_ewma_init(beta[i]);
        for (int t = 0; t < DAYS; t++)
            v[i][t] = ds_ewma_update(&e, theta[t]);
        lags[i] = lag(v[i]);
        ser[i + 1] = (ds_plot_series){names[i], colors[i], NULL, v[i], DAYS, 1, NULL};
    }
    ds_plot_opts o = app_fig_opts(r, "A year of daily temperatures and their EWMAs", 720, 380);
    o.xlabel = "day", o.ylabel = "temperature (F)";
    app_fig_open(r, "ewma-year", "lag-05", lags[0], "lag-09", lags[1], "lag-098", lags[2],
                 "start-098", v[2][0], "day1", theta[0], (char *)NULL);
    ds_status st = ds_plot_lines(r->out, ser, NBETA + 1, &o);
    app_fig_close(r,
                  "beta averages about 1/(1 - beta) days. beta = 0.5 follows the noise; 0.98 "
                  "is smooth but late: it trails the seasonal curve by %.0f days (0.9: %.0f, "
                  "0.5: %.0f). Without bias correction the 0.98 curve starts at %.1f on a "
                  "%.1f F day.",
                  lags[2], lags[1], lags[0], v[2][0], theta[0]);
    return st;
}

static ds_status ewma_correction(app_report *r, const double *theta, const double *v98)
{
    double corr[DAYS];
    ds_ewma e = ds_ewma_init(0.98);
    double mean = 0;
    for (int t = 0; t < DAYS; t++) {
        ds_ewma_update(&e, theta[t]);
        corr[t] = ds_ewma_corrected(&e);
        if (t < EARLY_DAY) mean += theta[t] / EARLY_DAY;
    }
    ds_plot_series ser[3] = {{"daily temperature", "#b0b0b0", NULL, theta, 60, 1, NULL},
                             {"beta 0.98, uncorrected", "#2ca02c", NULL, v98, 60, 1, NULL},
                             {"beta 0.98, corrected", "#9467bd", NULL, corr, 60, 1, NULL}};
    ds_plot_opts o = app_fig_opts(r, "The first 60 days: bias correction", 720, 340);
    o.xlabel = "day", o.ylabel = "temperature (F)";
    app_fig_open(r, "ewma-correction", "day5-mean", mean, "day5-uncorrected", v98[EARLY_DAY - 1],
                 "day5-corrected", corr[EARLY_DAY - 1], (char *)NULL);
    ds_status st = ds_plot_lines(r->out, ser, 3, &o);
    app_fig_close(r,
                  "v_0 = 0 drags the early average down: on day %d the uncorrected average is "
                  "%.2f though the first %d days average %.2f; v_t / (1 - 0.98^t) gives %.2f.",
                  EARLY_DAY, v98[EARLY_DAY - 1], EARLY_DAY, mean, corr[EARLY_DAY - 1]);
    return st;
}

ds_status app_exp_ewma(app_report *r)
{
    double theta[DAYS], v[NBETA][DAYS];
    temperatures(theta);
    ds_status st = ewma_year(r, theta, v);
    return st == DS_OK ? ewma_correction(r, theta, v[2]) : st;
}
