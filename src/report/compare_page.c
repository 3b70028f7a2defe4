/* compare_page.c - `descent compare`'s page (compare.h): the lecture
 * report's style and figure writer (report_internal.h), one section per
 * problem with its learning curves (mean over seeds, thin dashed lines at
 * the lowest and highest seed), learning-rate sensitivity (the grid's
 * validation loss against the rate), the final metric and the epochs to
 * the target; then the performance profiles over all problems. Numbers of
 * each figure are also its data-* attributes, as in the report. */
#include "report/compare.h"
#include "report/report_internal.h"

#include "descent/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Colours of the optimizers in the lectures' convention (plot.h). */
static void opt_colors(const app_cmp_study *s, const char **colors)
{
    ds_opt_params p[APP_CMP_MAX_OPTS];
    for (int o = 0; o < s->nopt; o++)
        if (ds_opt_parse(s->opt[o], &p[o]) != DS_OK) p[o] = ds_opt_default_params(DS_OPT_ADAM);
    ds_plot_opt_colors(p, s->nopt, colors);
}

/* Mean curve per optimizer, with its seeds' lowest and highest as thin
 * dashed lines in the same colour (nameless: one legend entry each). */
static ds_status curves(app_report *r, const app_cmp_study *s, int p, const char **colors)
{
    ds_plot_series ser[3 * APP_CMP_MAX_OPTS];
    double *x = malloc(sizeof(double) * (size_t)(s->prob[p].epochs + 1));
    if (!x) return ds_set_error(DS_ERR_NOMEM, "out of memory for a compare figure");
    for (int e = 0; e <= s->prob[p].epochs; e++)
        x[e] = e + 1;
    int n = 0, positive = 1;
    for (int o = 0; o < s->nopt; o++) {
        const app_cmp_cell *c = &s->cell[p][o];
        if (c->ncurve == 0) continue;
        const double *y[3] = {c->mean_curve, c->lo_curve, c->hi_curve};
        for (int k = 0; k < 3; k++)
            ser[n++] = (ds_plot_series){
                k ? NULL : s->opt[o], colors[o], x, y[k], (size_t)c->ncurve, 1, k ? "2 3" : NULL};
        for (int e = 0; e < c->ncurve; e++)
            positive &= c->lo_curve[e] > 0;
    }
    app_fig_open(r, "curves", "problem-index", (double)p, NULL);
    ds_plot_opts po = app_fig_opts(r,
                                   "Training loss per epoch (mean over seeds; dashed: "
                                   "lowest and highest seed)",
                                   640, 340);
    po.xlabel = "epoch", po.ylabel = "training loss", po.xwhole = 1;
    po.yscale = positive ? DS_PLOT_LOG : DS_PLOT_LINEAR;
    ds_status st = n ? ds_plot_lines(r->out, ser, n, &po) : DS_OK;
    free(x);
    app_fig_close(r,
                  "Each optimizer at its best rate; the time-to-target figure counts the "
                  "epochs to a training loss of %.4g.",
                  s->prob[p].target);
    return st;
}

/* The grid's rank loss against the rate, per optimizer (diverged rates
 * left out: the line stops where the optimizer diverged). */
static ds_status sensitivity(app_report *r, const app_cmp_study *s, int p, const char **colors)
{
    double xy[APP_CMP_MAX_OPTS][2 * APP_CMP_MAX_GRID];
    ds_plot_series ser[APP_CMP_MAX_OPTS];
    int positive = 1;
    for (int o = 0; o < s->nopt; o++) {
        const app_cmp_cell *c = &s->cell[p][o];
        size_t k = 0;
        for (int i = 0; i < c->ngrid; i++) /* sorted by rate: insertion */
            if (!c->grid[i].diverged) {
                size_t j = k++;
                for (; j > 0 && xy[o][2 * (j - 1)] > c->grid[i].lr; j--)
                    xy[o][2 * j] = xy[o][2 * (j - 1)], xy[o][2 * j + 1] = xy[o][2 * j - 1];
                xy[o][2 * j] = c->grid[i].lr, xy[o][2 * j + 1] = c->grid[i].rank_loss;
                positive &= c->grid[i].rank_loss > 0;
            }
        ser[o] = (ds_plot_series){s->opt[o], colors[o], xy[o], xy[o] + 1, k, 2, NULL};
    }
    app_fig_open(r, "sensitivity", "problem-index", (double)p, NULL);
    ds_plot_opts po = app_fig_opts(r, "Learning-rate sensitivity (seed 0)", 640, 300);
    po.xscale = DS_PLOT_LOG, po.xlabel = "learning rate";
    po.yscale = positive ? DS_PLOT_LOG : DS_PLOT_LINEAR;
    po.ylabel = s->prob[p].classify ? "validation loss" : "test loss";
    ds_status st = ds_plot_lines(r->out, ser, s->nopt, &po);
    app_fig_close(r, "Every rate of the grid; a flat, wide valley means the optimizer is easy "
                     "to tune. Rates that diverged are left out.");
    return st;
}

static void cell_row(app_report *r, const app_cmp_study *s, int p, int o)
{
    const app_cmp_cell *c = &s->cell[p][o];
    ds_strbuf_puts(r->out, "<tr><th>");
    ds_strbuf_put_escaped(r->out, s->opt[o]);
    if (c->best < 0) {
        ds_strbuf_puts(r->out, "</th><td colspan=\"3\">every rate diverged</td></tr>\n");
        return;
    }
    ds_strbuf_printf(r->out, "</th><td>%.3g</td><td>%.5g &plusmn; %.2g</td><td>",
                     c->grid[c->best].lr, c->mean, c->sd);
    if (c->to_target > 0)
        ds_strbuf_printf(r->out, "%d</td></tr>\n", c->to_target);
    else
        ds_strbuf_puts(r->out, "never</td></tr>\n");
}

/* The final metric and epochs to target, with DeepOBS's baselines. */
static void final_table(app_report *r, const app_cmp_study *s, int p)
{
    const app_cmp_problem *pr = &s->prob[p];
    app_fig_open(r, "final", "problem-index", (double)p, "target", pr->target, NULL);
    ds_strbuf_printf(r->out,
                     "<table>\n<tr><th>optimizer</th><th>best lr</th><th>final %s "
                     "(mean &plusmn; sd over %d seeds)</th><th>epochs to target</th></tr>\n",
                     pr->classify ? "test accuracy" : "test loss", s->seeds);
    for (int o = 0; o < s->nopt; o++)
        cell_row(r, s, p, o);
    ds_strbuf_puts(r->out, "</table>\n");
    if (isfinite(pr->deepobs[0]))
        app_fig_close(r,
                      "DeepOBS's published baselines at its own budget (doc/compare.md): "
                      "SGD %.4g, momentum %.4g, Adam %.4g.",
                      pr->deepobs[0], pr->deepobs[1], pr->deepobs[2]);
    else
        app_fig_close(r,
                      "Epochs to target: the first epoch whose mean training loss is at "
                      "or below %.4g (the median optimizer's last).",
                      pr->target);
}

/* Epochs to the target as a bar-like chart: one point per optimizer. */
static ds_status target_fig(app_report *r, const app_cmp_study *s, int p)
{
    double xy[2 * APP_CMP_MAX_OPTS];
    size_t k = 0;
    for (int o = 0; o < s->nopt; o++)
        if (s->cell[p][o].to_target > 0)
            xy[2 * k] = o + 1, xy[2 * k + 1] = s->cell[p][o].to_target, k++;
    app_fig_open(r, "target", "problem-index", (double)p, "reached", (double)k, NULL);
    ds_plot_series ser = {"epochs to target", NULL, xy, xy + 1, k, 2, "1 0"};
    ds_plot_opts po = app_fig_opts(r,
                                   "Time to target (epochs; optimizers numbered as in the "
                                   "table)",
                                   640, 240);
    po.xlabel = "optimizer (table order)", po.ylabel = "epochs", po.xwhole = 1;
    ds_status st = k ? ds_plot_lines(r->out, &ser, 1, &po) : DS_OK;
    app_fig_close(r, "%zu of %d optimizers reached the target.", k, s->nopt);
    return st;
}

static ds_status problem_section(app_report *r, const app_cmp_study *s, int p, const char **colors)
{
    const app_cmp_problem *pr = &s->prob[p];
    ds_strbuf_printf(r->out, "<section class=\"problem\" id=\"p%d\" data-problem=\"", p + 1);
    ds_strbuf_put_escaped(r->out, pr->name);
    ds_strbuf_puts(r->out, "\">\n<h2>");
    ds_strbuf_put_escaped(r->out, pr->name);
    ds_strbuf_puts(r->out, "</h2>\n");
    app_para(r, "%s; %d epochs; %s.", pr->source, pr->epochs,
             pr->classify ? "final metric: test accuracy (higher is better)"
                          : "final metric: test loss (lower is better)");
    final_table(r, s, p);
    ds_status st = curves(r, s, p, colors);
    if (st == DS_OK) st = sensitivity(r, s, p, colors);
    if (st == DS_OK) st = target_fig(r, s, p);
    ds_strbuf_puts(r->out, "</section>\n");
    return st;
}

static ds_status profile_fig(app_report *r, const app_cmp_study *s, const char **colors)
{
    ds_plot_series ser[APP_CMP_MAX_OPTS];
    for (int o = 0; o < s->nopt; o++)
        ser[o] =
            (ds_plot_series){s->opt[o], colors[o], s->tau, s->rho[o], (size_t)s->ntau, 1, NULL};
    app_fig_open(r, "profile", "problems", (double)s->nprob, NULL);
    ds_plot_opts po = app_fig_opts(r, "Performance profiles (Dolan and More 2002)", 640, 340);
    po.xscale = DS_PLOT_LOG, po.xlabel = "tau (epochs to target / the fastest's)";
    po.ylabel = "share of problems";
    ds_status st = ds_plot_lines(r->out, ser, s->nopt, &po);
    app_fig_close(r,
                  "For each optimizer, the share of the %d problem%s on which it reached the "
                  "target within tau times the epochs of the fastest optimizer: high on the "
                  "left is fast, high on the right is reliable.",
                  s->nprob, s->nprob == 1 ? "" : "s");
    return st;
}

ds_status app_cmp_page(ds_strbuf *b, const app_cmp_study *s)
{
    app_report r = {.out = b};
    const char *colors[APP_CMP_MAX_OPTS];
    opt_colors(s, colors);
    app_page_open(&r, "descent compare", "Which optimizer? descent compare");
    app_para(&r,
             "Budget %s. DeepOBS's protocol (Schneider, Balles and Hennig 2019): each "
             "optimizer runs at every rate of the grid of descent tune with seed 0; its best "
             "rate (lowest validation loss) is rerun with seeds 0..%d. Every number here is "
             "also in the JSON of the same run (--json).",
             s->budget, s->seeds - 1);
    ds_status st = profile_fig(&r, s, colors);
    for (int p = 0; st == DS_OK && p < s->nprob; p++)
        st = problem_section(&r, s, p, colors);
    ds_strbuf_puts(b, "</body>\n</html>\n");
    if (st == DS_OK && b->failed)
        st = ds_set_error(DS_ERR_NOMEM, "out of memory for the compare page");
    return st;
}
