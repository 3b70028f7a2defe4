/* exp_surfaces.c - the report's experiments on fixed 2-D functions
 * (lectures.md sections 2, 3, 10, 11 and 12): CS7015's toy neuron with its
 * guess-work table, GD's plateau, momentum and NAG (CS7015 lecture 5), d2l's
 * quadratic 0.1 x1^2 + 2 x2^2 (Dive into Deep Learning, 12.6 Momentum) and
 * CS7015's line search. */
#include "report/report_internal.h"

#include <math.h>

#define START_W (-2.0) /* CS7015's start, w = b = -2 */
#define START_B (-2.0)

static const ds_fn2d *neuron(void)
{
    return ds_fn2d_find("neuron");
}

/* CS7015's "guess work" table: (w, b) and the loss the lecture prints. */
static const double guesses[][3] = {
    {0.50, 0.00, 0.0730},  {-0.10, 0.00, 0.1481}, {0.94, -0.94, 0.0214},
    {1.42, -1.73, 0.0028}, {1.65, -2.08, 0.0003}, {1.78, -2.27, 0.0000},
};
#define NGUESS ((int)(sizeof guesses / sizeof guesses[0]))

/* descent's loss at guess i. */
static double guess_loss(int i)
{
    const ds_fn2d *f = neuron();
    return f->eval(f, guesses[i][0], guesses[i][1], NULL);
}

static double guess_table(app_report *r)
{
    double maxdiff = 0;
    for (int i = 0; i < NGUESS; i++)
        maxdiff = fmax(maxdiff, fabs(guess_loss(i) - guesses[i][2]));
    app_fig_open(r, "guess-table", "max-diff", maxdiff, "first-loss", guess_loss(0), "last-loss",
                 guess_loss(NGUESS - 1), (char *)NULL);
    ds_strbuf_puts(r->out, "<table><tr><th>w</th><th>b</th><th>L (lecture)</th><th>L (descent)</th>"
                           "</tr>\n");
    for (int i = 0; i < NGUESS; i++)
        ds_strbuf_printf(r->out, "<tr><td>%.2f</td><td>%.2f</td><td>%.4f</td><td>%.6f</td></tr>\n",
                         guesses[i][0], guesses[i][1], guesses[i][2], guess_loss(i));
    ds_strbuf_puts(r->out, "</table>\n");
    return maxdiff;
}

/* Share of a 61 x 61 grid over the window where |grad L| < 0.01: the plateaus. */
static double flat_share(const ds_fn2d *f)
{
    int flat = 0, n = 61;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double g[2], x = f->window[0] + (f->window[1] - f->window[0]) * i / (n - 1);
            double y = f->window[2] + (f->window[3] - f->window[2]) * j / (n - 1);
            f->eval(f, x, y, g);
            flat += hypot(g[0], g[1]) < 0.01;
        }
    return (double)flat / (n * n);
}

ds_status app_exp_guess(app_report *r)
{
    double maxdiff = guess_table(r);
    int lowered = 0;
    for (int i = 1; i < NGUESS; i++)
        lowered += guess_loss(i) < guess_loss(i - 1);
    app_fig_close(r,
                  "%d of the %d changes of guess lower the loss, from %.4f to %.6f in the end; "
                  "descent's loss at the "
                  "lecture's rounded (w, b) agrees with the lecture's 4-decimal values to "
                  "within %.1e.",
                  lowered, NGUESS - 1, guess_loss(0), guess_loss(NGUESS - 1), maxdiff);
    const ds_fn2d *f = neuron();
    double flat = flat_share(f);
    ds_plot_series path = {"guesses", NULL, &guesses[0][0], &guesses[0][1], NGUESS, 3, NULL};
    const char *titles[2] = {"Error surface L(w, b)", "Contours of L(w, b) and the guesses"};
    for (int v = 0; v < 2; v++) {
        ds_plot_opts o = app_fig_opts(r, titles[v], 720, 460);
        o.view = v ? DS_PLOT_CONTOUR : DS_PLOT_SURFACE;
        o.xlabel = "w";
        o.ylabel = "b";
        app_fig_open(r, v ? "guess-contours" : "guess-surface", "flat-share", flat, (char *)NULL);
        ds_status st = ds_plot_map(r->out, f, &path, v ? 1 : 0, &o);
        if (st != DS_OK) return st;
        app_fig_close(r,
                      v ? "Contours crowd where the surface is steep; the guesses (hollow circle "
                          "first) walk down the valley towards the star, the minimum."
                        : "The surface over w, b in (-6, 6): a valley and wide flat plateaus; "
                          "|grad L| < 0.01 on %.0f%% of this window, where gradient steps are "
                          "tiny.",
                      100 * flat);
    }
    return DS_OK;
}

ds_status app_exp_plateau(app_report *r)
{
    const char *spec[] = {"sgd:lr=1"}, *name[] = {"GD, eta = 1"};
    app_race race;
    ds_status st = app_race_run(&race, neuron(), 1, spec, name, START_W, START_B, 1000);
    if (st != DS_OK) return st;
    double l0 = app_race_loss(&race, 0, 0), lend = app_race_loss(&race, 0, 1000);
    long half = app_race_first_below(&race, 0, l0 / 2),
         milli = app_race_first_below(&race, 0, 1e-3);
    const double *p10 = app_race_row(&race, 0, 10);
    ds_plot_opts o = app_fig_opts(r, "GD from w = b = -2, eta = 1, 1000 steps", 720, 460);
    o.xlabel = "w", o.ylabel = "b";
    app_fig_open(r, "plateau-path", "l0", l0, "final", lend, "half-step", (double)half,
                 "milli-step", (double)milli, (char *)NULL);
    if ((st = app_race_map(r, neuron(), &race, 0, 1, &o)) == DS_OK) {
        app_fig_close(r,
                      "The path starts on the plateau: after 10 steps it has only reached "
                      "(%.3f, %.3f), then it turns down the valley and slows again near the "
                      "minimum.",
                      p10[0], p10[1]);
        o = app_fig_opts(r, "Loss per step", 720, 300);
        app_fig_open(r, "plateau-loss", "l0", l0, "final", lend, (char *)NULL);
        st = app_race_losses(r, &race, 0, 1, &o);
        char w1[32], w2[32];
        app_fig_close(r,
                      "L starts at %.4f and first halves at %s (the plateau), then falls "
                      "below 0.001 at %s; after 1000 steps L = %.2e.",
                      l0, app_when(half, w1, sizeof w1), app_when(milli, w2, sizeof w2), lend);
    }
    app_race_free(&race);
    return st;
}

/* How far path i goes past the minimum in w: max_t w_t - w*. */
static double overshoot(const app_race *race, int i)
{
    double wmax = -INFINITY;
    for (long t = 0; t < race->nrows[i]; t++)
        wmax = fmax(wmax, race->rows[i][3 * t]);
    return wmax - neuron()->minima[0][0];
}

ds_status app_exp_momentum(app_report *r)
{
    const char *spec[] = {"sgd:lr=0.3", "sgd:lr=0.3,momentum=0.9", "nag:lr=0.3,momentum=0.9"};
    const char *name[] = {"GD", "momentum", "NAG"};
    app_race race;
    ds_status st = app_race_run(&race, neuron(), 3, spec, name, START_W, START_B, 100);
    if (st != DS_OK) return st;
    double err[3], over[3];
    for (int i = 0; i < 3; i++)
        err[i] = app_race_loss(&race, i, 100), over[i] = overshoot(&race, i);
    static const char *const titles[] = {"Momentum (red) against GD (black), eta = 0.3",
                                         "NAG (blue) against momentum (red)"};
    for (int k = 0; k < 2 && st == DS_OK; k++) {
        ds_plot_opts o = app_fig_opts(r, titles[k], 720, 460);
        o.xlabel = "w", o.ylabel = "b";
        app_fig_open(r, k ? "nag-vs-momentum" : "momentum-vs-gd", "gd-error", err[0],
                     "momentum-error", err[1], "nag-error", err[2], "momentum-overshoot", over[1],
                     "nag-overshoot", over[2], (char *)NULL);
        st = app_race_map(r, neuron(), &race, k, 2, &o);
        if (k == 0)
            app_fig_close(r,
                          "After 100 iterations momentum's error is %.2e while GD is still on "
                          "the plateau at %.3f: momentum gathers speed on the gentle slope, "
                          "overshoots the minimum by %.2f in w and makes a u-turn.",
                          err[1], err[0], over[1]);
        else
            app_fig_close(r,
                          "NAG takes the gradient at the look-ahead point and turns back "
                          "sooner: it overshoots the minimum by %.2f in w against momentum's "
                          "%.2f; error after 100 iterations %.2e (momentum %.2e).",
                          over[2], over[1], err[2], err[1]);
    }
    if (st == DS_OK) {
        ds_plot_opts o = app_fig_opts(r, "Loss per iteration", 720, 300);
        app_fig_open(r, "momentum-loss", "gd-error", err[0], "momentum-error", err[1], "nag-error",
                     err[2], (char *)NULL);
        st = app_race_losses(r, &race, 0, 3, &o);
        app_fig_close(r, "Error after 100 iterations: GD %.3g, momentum %.3g, NAG %.3g.", err[0],
                      err[1], err[2]);
    }
    app_race_free(&race);
    return st;
}

ds_status app_exp_quadratic(app_report *r)
{
    const char *spec[] = {"sgd:lr=0.4", "sgd:lr=0.6", "sgd:lr=0.6,momentum=0.5",
                          "sgd:lr=0.6,momentum=0.25"};
    const char *name[] = {"GD eta 0.4", "GD eta 0.6", "momentum beta 0.5", "momentum beta 0.25"};
    app_race race;
    const ds_fn2d *f = ds_fn2d_find("quadratic");
    ds_status st = app_race_run(&race, f, 4, spec, name, -5, -2, 20);
    if (st != DS_OK) return st;
    double fin[4], x1[4], x2[4];
    for (int i = 0; i < 4; i++) {
        const double *row = app_race_row(&race, i, 20);
        fin[i] = app_race_loss(&race, i, 20), x1[i] = row[0], x2[i] = row[1];
    }
    for (int k = 0; k < 2 && st == DS_OK; k++) {
        ds_plot_opts o =
            app_fig_opts(r, k ? "Momentum, eta = 0.6" : "GD, eta 0.4 and 0.6", 720, 400);
        o.has_window = 1;
        o.window[0] = -5.5, o.window[1] = 1.5, o.window[2] = -3, o.window[3] = 3;
        o.xlabel = "x1", o.ylabel = "x2";
        app_fig_open(r, k ? "quadratic-momentum" : "quadratic-gd", "gd04-final", fin[0],
                     "gd06-final", fin[1], "mom05-final", fin[2], "mom025-final", fin[3], "gd06-x2",
                     x2[1], (char *)NULL);
        st = app_race_map(r, f, &race, 2 * k, 2, &o);
        if (k == 0)
            app_fig_close(r,
                          "After 20 steps: with eta = 0.4, x2 has converged but x1 is still at "
                          "%.3f (f = %.3g); with eta = 0.6 > 2/4 the x2 direction diverges: "
                          "|x2| = %.3g, f = %.3g.",
                          x1[0], fin[0], fabs(x2[1]), fin[1]);
        else
            app_fig_close(r,
                          "The same eta = 0.6 with momentum: beta = 0.5 converges (f = %.3g "
                          "after 20 steps, x1 = %.3f), beta = 0.25 only barely (f = %.3g).",
                          fin[2], x1[2], fin[3]);
    }
    app_race_free(&race);
    return st;
}

ds_status app_exp_linesearch(app_report *r)
{
    const char *spec[] = {"sgd:lr=1", "linesearch"}, *name[] = {"GD, eta = 1", "line search"};
    app_race race;
    ds_status st = app_race_run(&race, neuron(), 2, spec, name, START_W, START_B, 100);
    if (st != DS_OK) return st;
    double gd = app_race_loss(&race, 0, 100), ls = app_race_loss(&race, 1, 100);
    double l0 = app_race_loss(&race, 0, 0);
    long ls_half = app_race_first_below(&race, 1, l0 / 2),
         gd_half = app_race_first_below(&race, 0, l0 / 2);
    long ls_milli = app_race_first_below(&race, 1, 1e-3),
         gd_milli = app_race_first_below(&race, 0, 1e-3);
    char w[4][32];
    ds_plot_opts o = app_fig_opts(r, "Line search and GD from w = b = -2", 720, 460);
    o.xlabel = "w", o.ylabel = "b";
    app_fig_open(r, "linesearch-path", "gd-half-step", (double)gd_half, "ls-half-step",
                 (double)ls_half, (char *)NULL);
    st = app_race_map(r, neuron(), &race, 0, 2, &o);
    app_fig_close(r,
                  "Line search takes the largest step that still lowers the loss, so it leaves "
                  "the plateau (loss below half its start) at %s; GD at %s.",
                  app_when(ls_half, w[0], sizeof w[0]), app_when(gd_half, w[1], sizeof w[1]));
    if (st == DS_OK) {
        o = app_fig_opts(r, "Loss per step", 720, 300);
        app_fig_open(r, "linesearch-loss", "gd-final", gd, "ls-final", ls, "gd-milli-step",
                     (double)gd_milli, "ls-milli-step", (double)ls_milli, (char *)NULL);
        st = app_race_losses(r, &race, 0, 2, &o);
        app_fig_close(r,
                      "After 100 steps: GD %.2e, line search %.2e. Line search is below 0.001 "
                      "at %s (GD: %s within 100 steps), but each of its steps evaluates the "
                      "loss at %d candidate rates.",
                      gd, ls, app_when(ls_milli, w[2], sizeof w[2]),
                      app_when(gd_milli, w[3], sizeof w[3]), race.opt[1].linesearch.n);
    }
    app_race_free(&race);
    return st;
}
