/* report.c - the lecture report: one self-contained HTML page (inline SVG
 * and CSS, no script, no external reference) with every experiment of
 * lectures.md in the lectures' order, from one table. Captions carry
 * numbers computed in the run, repeated as data-* attributes on each
 * <figure> for the tests (tests/cli/lectures.sh). */
#include "report/report_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *title;
    const char *intro;
    app_experiment_fn run;
} experiments[] = {
    {"The toy neuron: guess work and its error surface",
     "CS7015's sigmoid neuron f(x) = 1/(1 + e^-(wx + b)) on the two points (0.5, 0.2) and (2.5, "
     "0.9), loss L = 1/2 sum (y - f(x))^2: the lecture's guessed (w, b) and the surface they "
     "walk on.",
     app_exp_guess},
    {"Gradient descent crosses the plateau slowly",
     "Plain GD from w = b = -2 with eta = 1 (CS7015): each step is as large as the slope, so on "
     "the flat part of the surface it crawls.",
     app_exp_plateau},
    {"Momentum against GD, Nesterov against momentum",
     "Momentum (gamma = 0.9) accumulates past gradients: fast on gentle slopes, u-turns in the "
     "valley. NAG looks ahead before it leaps and turns back sooner.",
     app_exp_momentum},
    {"Stochastic, mini-batch and batch gradient descent",
     "The same neuron trained by the library's trainer on the same data, one update per point "
     "(stochastic), per 2 points (mini-batch) or per pass (batch).",
     app_exp_batches},
    {"Sparse features: adaptive learning rates",
     "100 points whose feature is 0 for about 80% of them (lecture 4's set): the gradient in w "
     "is small, so GD, momentum and NAG move along b; per-parameter rates (Adagrad, RMSProp, "
     "Adam, AMSGrad) move w too.",
     app_exp_sparse},
    {"d2l's ill-conditioned quadratic",
     "f(x) = 0.1 x1^2 + 2 x2^2 from (-5, -2), 20 steps: one rate cannot suit both directions; "
     "momentum averages the oscillating direction away.",
     app_exp_quadratic},
    {"Line search against gradient descent",
     "CS7015's line search: one gradient per step, then the best of the rates 0.1, 0.5, 1, 5, "
     "10 by loss.",
     app_exp_linesearch},
    {"Learning-rate and momentum schedules",
     "Ng's and CS7015's decays as tables and curves, and Sutskever et al. (2013)'s momentum "
     "schedule.",
     app_exp_schedules},
    {"Exponentially weighted averages",
     "Ng's temperature example on a synthetic year of daily temperatures: v_t = beta v_(t-1) + "
     "(1 - beta) theta_t, with and without the bias correction v_t / (1 - beta^t).",
     app_exp_ewma},
    {"Tuning the learning rate on a log scale",
     "A few epochs at 0.0001, 0.001, 0.01, 0.1 and 1, then a finer search around the best "
     "(CS7015); `descent tune` does this for any training command.",
     app_exp_tune},
    {"Optimizers racing, and where Adam fails",
     "The animations the NPTEL deck cites (Beale's function, a saddle) and Reddi, Kale and Kumar "
     "(2018)'s one-dimensional problem on which Adam does not converge but AMSGrad does.",
     app_exp_race},
};
#define NEXP ((int)(sizeof experiments / sizeof experiments[0]))

int app_report_section_count(void)
{
    return NEXP;
}

const char *app_report_section_title(int i)
{
    return i >= 0 && i < NEXP ? experiments[i].title : NULL;
}

app_report_params app_report_default_params(void)
{
    return (app_report_params){.tune_data = NULL};
}

ds_plot_opts app_fig_opts(app_report *r, const char *title, int width, int height)
{
    ds_plot_opts o = ds_plot_default_opts();
    snprintf(r->prefix, sizeof r->prefix, "f%d", r->nfig + 1);
    o.fragment = 1;
    o.id_prefix = r->prefix;
    o.title = title;
    o.width = width;
    o.height = height;
    o.grid = 120; /* enough for smooth contours; keeps the page small */
    return o;
}

static void put_number(ds_strbuf *b, double v)
{
    if (isnan(v))
        ds_strbuf_puts(b, "nan");
    else if (isinf(v))
        ds_strbuf_puts(b, v > 0 ? "inf" : "-inf");
    else
        ds_strbuf_printf(b, "%.6g", v);
}

void app_fig_open(app_report *r, const char *name, ...)
{
    r->nfig++;
    ds_strbuf_printf(r->out, "<figure class=\"fig\" id=\"fig%d\" data-name=\"%s\"", r->nfig, name);
    va_list ap;
    va_start(ap, name);
    for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *)) {
        ds_strbuf_printf(r->out, " data-%s=\"", key);
        put_number(r->out, va_arg(ap, double));
        ds_strbuf_puts(r->out, "\"");
    }
    va_end(ap);
    ds_strbuf_puts(r->out, ">\n");
}

const char *app_when(long step, char *buf, size_t size)
{
    if (step < 0)
        snprintf(buf, size, "never");
    else
        snprintf(buf, size, "step %ld", step);
    return buf;
}

static void put_vformat(ds_strbuf *b, const char *fmt, va_list ap)
{
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    ds_strbuf_put_escaped(b, text);
}

/* Writes open, the escaped formatted text, then close. */
static void put_element(app_report *r, const char *open, const char *close, const char *fmt,
                        va_list ap)
{
    ds_strbuf_puts(r->out, open);
    put_vformat(r->out, fmt, ap);
    ds_strbuf_puts(r->out, close);
}

void app_fig_close(app_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_element(r, "<figcaption>", "</figcaption>\n</figure>\n", fmt, ap);
    va_end(ap);
}

void app_para(app_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_element(r, "<p>", "</p>\n", fmt, ap);
    va_end(ap);
}

void app_explore_link(app_report *r, const char *fn, double x0, double y0, long steps,
                      const char *const *specs, int n)
{
    ds_strbuf_printf(r->out, "<p class=\"explore\"><a href=\"explorer.html#fn=");
    ds_strbuf_put_escaped(r->out, fn);
    ds_strbuf_printf(r->out, "&amp;start=%.17g,%.17g&amp;steps=%ld", x0, y0, steps);
    for (int i = 0; i < n; i++) {
        ds_strbuf_puts(r->out, "&amp;opt=");
        ds_strbuf_put_escaped(r->out, specs[i]);
    }
    ds_strbuf_puts(r->out, "\">Open this experiment in the explorer</a> (explorer.html, "
                           "written beside this page by <code>descent explore</code>).</p>\n");
}

static const char style[] =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1000px;margin:0 auto;"
    "padding:1em 2em;color:#222;background:#fff;line-height:1.45}"
    "h1{font-size:1.7em}h2{border-top:2px solid #ccc;padding-top:.8em;margin-top:2em}"
    "figure{margin:1.2em 0;padding:0}figure svg{max-width:100%;height:auto;display:block}"
    "figcaption{font-size:.92em;color:#333;background:#f6f6f4;border-left:4px solid #1f77b4;"
    "padding:.4em .8em;margin-top:.3em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .6em;"
    "text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}"
    "nav ol{columns:2}";

void app_page_open(app_report *r, const char *title, const char *heading)
{
    ds_strbuf_puts(r->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<title>");
    ds_strbuf_put_escaped(r->out, title);
    ds_strbuf_puts(r->out, "</title>\n<style>");
    ds_strbuf_puts(r->out, style);
    ds_strbuf_puts(r->out, "</style>\n</head>\n<body>\n<h1>");
    ds_strbuf_put_escaped(r->out, heading);
    ds_strbuf_puts(r->out, "</h1>\n");
}

static void page_head(app_report *r)
{
    app_page_open(r, "descent: the lectures' experiments",
                  "Gradient descent, as the lectures show it");
    app_para(r, "Every experiment of the lectures, run by descent itself (descent lectures): "
                "the figures and every number in the captions come from this run.");
    ds_strbuf_puts(r->out, "<nav><ol>\n");
    for (int i = 0; i < NEXP; i++) {
        ds_strbuf_printf(r->out, "<li><a href=\"#s%d\">", i + 1);
        ds_strbuf_put_escaped(r->out, experiments[i].title);
        ds_strbuf_puts(r->out, "</a></li>\n");
    }
    ds_strbuf_puts(r->out, "</ol></nav>\n");
}

ds_status app_report_lectures(ds_strbuf *out, const app_report_params *p)
{
    app_report r = {.out = out, .params = p ? *p : app_report_default_params()};
    page_head(&r);
    for (int i = 0; i < NEXP; i++) {
        ds_strbuf_printf(out,
                         "<section class=\"experiment\" id=\"s%d\" data-index=\"%d\">\n<h2>%d. ",
                         i + 1, i + 1, i + 1);
        ds_strbuf_put_escaped(out, experiments[i].title);
        ds_strbuf_puts(out, "</h2>\n");
        app_para(&r, "%s", experiments[i].intro);
        ds_status st = experiments[i].run(&r);
        if (st != DS_OK) {
            char why[512]; /* copied: ds_set_error rewrites the message it would read */
            snprintf(why, sizeof why, "%s", ds_last_error());
            return ds_set_error(st, "lecture experiment %d: %s", i + 1, why);
        }
        ds_strbuf_puts(out, "</section>\n");
    }
    ds_strbuf_puts(out, "</body>\n</html>\n");
    return out->failed
               ? ds_set_error(DS_ERR_NOMEM, "out of memory allocating %zu bytes for report page",
                              (size_t)(out->len))
               : DS_OK;
}
