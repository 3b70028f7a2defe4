/* lines.c - line charts (loss per step, learning-rate schedules, EWMA
 * curves, training logs), alone or as a grid of panels with one shared
 * legend. Axes may be logarithmic; AUTO picks log when the positive data
 * span more than two decades, as a loss curve usually does. */
#include "plot/plot_internal.h"

#include <math.h>
#include <string.h>

#define MAX_MARKED 40 /* series with at most this many points get point markers */

static double coord(const ds_plot_series *s, size_t i, int yaxis)
{
    return yaxis ? ds__sy(s, i) : ds__sx(s, i);
}

static int valid(const ds_plot_series *s, size_t i, int logx, int logy)
{
    double x = ds__sx(s, i), y = ds__sy(s, i);
    return isfinite(x) && isfinite(y) && (!logx || x > 0) && (!logy || y > 0);
}

/* AUTO: log when every finite value is > 0 and max/min > 100. */
static int use_log(const ds_plot_series *s, int n, int yaxis, ds_plot_scale scale)
{
    if (scale != DS_PLOT_AUTO) return scale == DS_PLOT_LOG;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            double v = coord(&s[k], i, yaxis);
            if (!isfinite(v)) continue;
            if (v <= 0) return 0;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    return hi > 0 && hi / lo > 100;
}

/* The range of one axis over the drawable points, widened to whole tick
 * steps (linear) or whole decades (log). Returns 0 if there are none. */
static int axis_range(const ds_plot_series *s, int n, int yaxis, int logx, int logy, double r[2])
{
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < s[k].n; i++)
            if (valid(&s[k], i, logx, logy)) {
                double v = coord(&s[k], i, yaxis);
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
    int found = lo <= hi;
    if (!found) lo = hi = yaxis ? logy : logx; /* 0, or 1 on a log axis */
    if (yaxis ? logy : logx) {
        r[0] = pow(10, floor(log10(lo) + 1e-9));
        r[1] = pow(10, ceil(log10(hi) - 1e-9));
        if (r[1] <= r[0]) r[1] = r[0] * 10;
        return found;
    }
    if (hi == lo) {
        double pad = lo != 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
    }
    double step = ds__nice_step(hi - lo, yaxis ? 6 : 8);
    r[0] = floor(lo / step + 1e-9) * step;
    r[1] = ceil(hi / step - 1e-9) * step;
    return found;
}

static void draw_series(ds_strbuf *b, const ds__frame *fr, const ds_plot_series *s, int k)
{
    const char *c = ds__series_color(s, k);
    size_t nvalid = 0;
    int pen = 0;
    ds_strbuf_puts(b, "<path class=\"series\" d=\"");
    for (size_t i = 0; i < s[k].n; i++) {
        if (!valid(&s[k], i, fr->logx, fr->logy)) {
            pen = 0; /* a gap: NaN, or a non-positive value on a log axis */
            continue;
        }
        ds__put_pt(b, pen ? 'L' : 'M', ds__fx(fr, ds__sx(&s[k], i)), ds__fy(fr, ds__sy(&s[k], i)));
        pen = 1;
        nvalid++;
    }
    ds_strbuf_printf(
        b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" stroke-linejoin=\"round\"", c);
    ds__put_dash(b, s, k);
    ds_strbuf_puts(b, "/>\n");
    if (nvalid > MAX_MARKED) return;
    for (size_t i = 0; i < s[k].n; i++)
        if (valid(&s[k], i, fr->logx, fr->logy)) {
            ds_strbuf_puts(b, "<circle class=\"point\" cx=\"");
            ds__put_num(b, ds__fx(fr, ds__sx(&s[k], i)));
            ds_strbuf_puts(b, "\" cy=\"");
            ds__put_num(b, ds__fy(fr, ds__sy(&s[k], i)));
            ds_strbuf_printf(b, "\" r=\"2.5\" fill=\"%s\"/>\n", c);
        }
}

/* One chart in the cell whose top-left corner is (x, y), of the panel size. */
static void draw_panel(ds_strbuf *b, const ds_plot_panel *p, double x, double y, double w, double h)
{
    int logx = use_log(p->series, p->n, 0, p->opts.xscale);
    int logy = use_log(p->series, p->n, 1, p->opts.yscale);
    double rx[2], ry[2];
    int any = axis_range(p->series, p->n, 0, logx, logy, rx);
    axis_range(p->series, p->n, 1, logx, logy, ry);
    ds__frame fr = {x + 72, y + 36, x + w - 20, y + h - 50, rx[0], rx[1], ry[0], ry[1], logx, logy};
    ds_strbuf_puts(b, "<g class=\"panel\">\n");
    ds__draw_axes(b, &fr, &p->opts);
    for (int k = 0; k < p->n; k++)
        draw_series(b, &fr, p->series, k);
    if (!any)
        ds__svg_text(b, (fr.px0 + fr.px1) / 2, (fr.py0 + fr.py1) / 2, "middle", 13, 0, "no data");
    ds_strbuf_puts(b, "</g>\n");
}

static ds_status render(ds_strbuf *b, const ds_plot_panel *panels, int np, int cols,
                        const ds_plot_opts *fig, int heading)
{
    if (np < 1 || cols < 1)
        return ds__fail(DS_ERR_INVALID, "plot needs at least one panel and one column");
    if (fig->width < 100 || fig->height < 100 || fig->width > 20000 || fig->height > 20000)
        return ds__fail(DS_ERR_INVALID, "plot size %d x %d out of range (100..20000)", fig->width,
                        fig->height);
    for (int i = 0; i < np; i++)
        if (panels[i].n < 0 || (panels[i].n > 0 && !panels[i].series))
            return ds__fail(DS_ERR_INVALID, "plot panel %d has no series array", i);
    int rows = (np + cols - 1) / cols;
    if (cols > np) cols = np;
    double top = heading && fig->title ? 30 : 0;
    double lw = ds__legend_width(panels[0].series, panels[0].n);
    ds__svg_begin(b, cols * fig->width + lw, top + rows * fig->height, fig);
    if (top > 0) ds__svg_text(b, cols * fig->width / 2.0, 22, "middle", 16, 0, fig->title);
    for (int i = 0; i < np; i++)
        draw_panel(b, &panels[i], (i % cols) * fig->width, top + (i / cols) * fig->height,
                   fig->width, fig->height);
    ds__draw_legend(b, cols * fig->width + 8, top + 46, panels[0].series, panels[0].n);
    ds__svg_end(b);
    return ds__svg_status(b);
}

ds_status ds_plot_panels(ds_strbuf *b, const ds_plot_panel *panels, int npanels, int columns,
                         const ds_plot_opts *fig)
{
    ds_plot_opts o = fig ? *fig : ds_plot_default_opts();
    if (!panels) return ds__fail(DS_ERR_INVALID, "plot: no panels");
    return render(b, panels, npanels, columns, &o, 1);
}

ds_status ds_plot_lines(ds_strbuf *b, const ds_plot_series *series, int n, const ds_plot_opts *opts)
{
    ds_plot_panel p;
    memset(&p, 0, sizeof p);
    p.series = series;
    p.n = n;
    p.opts = opts ? *opts : ds_plot_default_opts();
    return render(b, &p, 1, 1, &p.opts, 0);
}
