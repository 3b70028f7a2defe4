/* map.c - contour maps of a 2-D function with optimizer trajectories (the
 * lectures' section 12 pictures), their markers, and the SMIL animation of
 * the optimizers moving along their paths in step
 * (https://www.w3.org/TR/SVG11/animate.html: <animate> on cx/cy with
 * keyTimes and values; plays in browsers without script). */
#include "plot/plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 240

static void frame_proj(const void *ctx, double x, double y, double *px, double *py)
{
    *px = ds__fx(ctx, x);
    *py = ds__fy(ctx, y);
}

static int in_window(const double w[4], double x, double y)
{
    return x >= w[0] && x <= w[1] && y >= w[2] && y <= w[3];
}

static void star(ds_strbuf *b, double cx, double cy, double r)
{
    ds_strbuf_puts(b, "<polygon class=\"minimum\" points=\"");
    for (int k = 0; k < 10; k++) {
        double a = M_PI / 2 + k * M_PI / 5, rr = k % 2 ? r * 0.45 : r;
        ds__put_num(b, cx + rr * cos(a));
        ds_strbuf_puts(b, ",");
        ds__put_num(b, cy - rr * sin(a));
        ds_strbuf_puts(b, k < 9 ? " " : "");
    }
    ds_strbuf_puts(b, "\" fill=\"#ffd700\" stroke=\"#000\" stroke-width=\"0.8\"/>\n");
}

static void circle(ds_strbuf *b, const char *cls, double x, double y, double r, const char *fill,
                   const char *stroke)
{
    ds_strbuf_printf(b, "<circle class=\"%s\" cx=\"", cls);
    ds__put_num(b, x);
    ds_strbuf_puts(b, "\" cy=\"");
    ds__put_num(b, y);
    ds_strbuf_puts(b, "\" r=\"");
    ds__put_num(b, r);
    ds_strbuf_printf(b, "\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"", fill, stroke);
}

/* Row of path s shown at animation row r: clamped to the path's length and
 * held at the last finite point, so a diverged path stops where it left. */
static size_t anim_row(const ds_plot_series *s, size_t r)
{
    size_t i = r < s->n ? r : s->n - 1;
    while (i > 0 && !(isfinite(ds__sx(s, i)) && isfinite(ds__sy(s, i))))
        i--;
    return i;
}

static double clamp_px(double v)
{
    return !isfinite(v) ? 0 : v > 1e5 ? 1e5 : v < -1e5 ? -1e5 : v;
}

static void animate_attr(ds_strbuf *b, const ds_plot_series *s, int frames, size_t maxn, int ycoord,
                         ds__proj_fn proj, const void *ctx, const ds_plot_opts *o)
{
    ds_strbuf_printf(b,
                     "<animate attributeName=\"%s\" dur=\"%gs\" repeatCount=\"indefinite\" "
                     "calcMode=\"linear\" keyTimes=\"",
                     ycoord ? "cy" : "cx", o->anim_seconds);
    for (int k = 0; k < frames; k++)
        ds_strbuf_printf(b, k ? ";%.6g" : "%.6g", (double)k / (frames - 1));
    ds_strbuf_puts(b, "\" values=\"");
    for (int k = 0; k < frames; k++) {
        size_t i = anim_row(s, (size_t)llround((double)k * (maxn - 1) / (frames - 1)));
        double px, py;
        proj(ctx, ds__sx(s, i), ds__sy(s, i), &px, &py);
        if (k) ds_strbuf_puts(b, ";");
        ds__put_num(b, clamp_px(ycoord ? py : px));
    }
    ds_strbuf_puts(b, "\"/>\n");
}

/* One moving marker per path, all driven by the same clock and frame rows. */
static void draw_movers(ds_strbuf *b, const ds_plot_series *paths, int npaths, ds__proj_fn proj,
                        const void *ctx, const ds_plot_opts *o)
{
    size_t maxn = 0;
    for (int p = 0; p < npaths; p++)
        if (paths[p].n > maxn) maxn = paths[p].n;
    if (maxn < 2) return;
    int frames = maxn < MAX_FRAMES ? (int)maxn : MAX_FRAMES;
    ds_strbuf_puts(b, "<g class=\"animation\">\n");
    for (int p = 0; p < npaths; p++) {
        if (paths[p].n == 0) continue;
        double px, py;
        size_t i0 = anim_row(&paths[p], 0);
        proj(ctx, ds__sx(&paths[p], i0), ds__sy(&paths[p], i0), &px, &py);
        circle(b, "mover", clamp_px(px), clamp_px(py), 6, ds__series_color(paths, p), "#ffffff");
        ds_strbuf_puts(b, ">\n");
        animate_attr(b, &paths[p], frames, maxn, 0, proj, ctx, o);
        animate_attr(b, &paths[p], frames, maxn, 1, proj, ctx, o);
        ds_strbuf_puts(b, "</circle>\n");
    }
    ds_strbuf_puts(b, "</g>\n");
}

void ds__draw_path_marks(ds_strbuf *b, const ds_fn2d *f, const ds_plot_series *paths, int npaths,
                         const double win[4], ds__proj_fn proj, const void *ctx,
                         const ds_plot_opts *o)
{
    double px, py;
    for (int m = 0; f && m < f->n_minima; m++)
        if (in_window(win, f->minima[m][0], f->minima[m][1])) {
            proj(ctx, f->minima[m][0], f->minima[m][1], &px, &py);
            star(b, px, py, 8);
        }
    for (int p = 0; p < npaths; p++) {
        const ds_plot_series *s = &paths[p];
        const char *c = ds__series_color(paths, p);
        if (s->n == 0) continue;
        size_t last = anim_row(s, s->n - 1);
        if (in_window(win, ds__sx(s, 0), ds__sy(s, 0))) {
            proj(ctx, ds__sx(s, 0), ds__sy(s, 0), &px, &py);
            circle(b, "start", px, py, 5, "#ffffff", c);
            ds_strbuf_puts(b, "/>\n");
        }
        if (in_window(win, ds__sx(s, last), ds__sy(s, last))) {
            proj(ctx, ds__sx(s, last), ds__sy(s, last), &px, &py);
            circle(b, "end", px, py, 4, c, c);
            ds_strbuf_puts(b, "/>\n");
        }
    }
    if (o->animate) draw_movers(b, paths, npaths, proj, ctx, o);
}

void ds__draw_trajectories(ds_strbuf *b, const ds_plot_series *paths, int npaths,
                           const double win[4], ds__proj_fn proj, const void *ctx)
{
    for (int p = 0; p < npaths; p++) {
        ds_strbuf_puts(b, "<path class=\"trajectory\" d=\"");
        ds__clipped_path(b, &paths[p], win, proj, ctx);
        ds_strbuf_printf(b,
                         "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                         "stroke-linejoin=\"round\" stroke-linecap=\"round\"",
                         ds__series_color(paths, p));
        ds__put_dash(b, paths, p);
        ds_strbuf_puts(b, "/>\n");
    }
}

double *ds__sample(const ds_fn2d *f, const double w[4], int n, double zr[2])
{
    double *z = malloc((size_t)n * n * sizeof *z);
    if (!z) return NULL;
    zr[0] = zr[1] = NAN;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double v = f->eval(f, w[0] + (w[1] - w[0]) * i / (n - 1),
                               w[2] + (w[3] - w[2]) * j / (n - 1), NULL);
            z[(size_t)j * n + i] = v;
            if (!isfinite(v)) continue;
            if (!(v >= zr[0])) zr[0] = v;
            if (!(v <= zr[1])) zr[1] = v;
        }
    return z;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Lowest log-spaced level above the minimum: the 1% quantile of the
 * samples, so the valley floor gets lines whatever the function's scale
 * (Beale's corners reach 1e5 while its valley lies below 1). */
static double log_floor(const double *z, size_t n, const double zr[2])
{
    double *s = malloc(n * sizeof *s), span = zr[1] - zr[0], q = span * 1e-4;
    size_t m = 0;
    if (!s) return q;
    for (size_t i = 0; i < n; i++)
        if (isfinite(z[i])) s[m++] = z[i] - zr[0];
    qsort(s, m, sizeof *s, cmp_double);
    if (m > 0 && s[m / 100] > span * 1e-9) q = s[m / 100];
    free(s);
    return q < span ? q : span * 1e-4;
}

static ds_status draw_contours(ds_strbuf *b, const ds_fn2d *f, const double w[4],
                               const ds__frame *fr, const ds_plot_opts *o)
{
    double zr[2], levels[256];
    int nl = o->levels < 256 ? o->levels : 256;
    double *z = ds__sample(f, w, o->grid, zr);
    if (!z) return ds__nomem("contour grid", (size_t)o->grid * o->grid * sizeof(double));
    ds_status st = DS_OK;
    ds_strbuf_puts(b, "<g class=\"contours\" fill=\"none\" stroke-width=\"1\">\n");
    double floor = f->log_levels ? log_floor(z, (size_t)o->grid * o->grid, zr) : 0;
    if (ds_plot_levels(zr[0], zr[1], nl, floor, levels) != DS_OK) nl = 0; /* flat */
    for (int k = 0; k < nl && st == DS_OK; k++) {
        ds_polylines pl;
        st = ds_contour_lines(z, o->grid, o->grid, w[0], w[1], w[2], w[3], levels[k], &pl);
        char col[8];
        ds__colormap(nl > 1 ? (double)k / (nl - 1) : 0.5, col);
        for (size_t l = 0; st == DS_OK && l < pl.n; l++) {
            ds_strbuf_printf(b, "<path class=\"contour\" stroke=\"%s\" d=\"", col);
            for (size_t i = 0; i < pl.lines[l].n; i++)
                ds__put_pt(b, i ? 'L' : 'M', ds__fx(fr, pl.lines[l].xy[2 * i]),
                           ds__fy(fr, pl.lines[l].xy[2 * i + 1]));
            ds_strbuf_puts(b, pl.lines[l].closed ? " Z\"/>\n" : "\"/>\n");
        }
        ds_polylines_free(&pl);
    }
    ds_strbuf_puts(b, "</g>\n");
    free(z);
    return st;
}

static ds_status check_opts(const ds_fn2d *f, const double w[4], const ds_plot_opts *o)
{
    if (!f || !f->eval) return ds__fail(DS_ERR_INVALID, "plot: no function to draw");
    if (!(w[0] < w[1]) || !(w[2] < w[3]) || !isfinite(w[1] - w[0]) || !isfinite(w[3] - w[2]))
        return ds__fail(DS_ERR_INVALID,
                        "plot window %g,%g,%g,%g is empty (need x0 < x1 and y0 < y1, finite)", w[0],
                        w[1], w[2], w[3]);
    if (o->width < 100 || o->height < 100 || o->width > 20000 || o->height > 20000)
        return ds__fail(DS_ERR_INVALID, "plot size %d x %d out of range (100..20000)", o->width,
                        o->height);
    if (o->levels < 1 || o->grid < 3 || o->grid > 2000)
        return ds__fail(DS_ERR_INVALID, "plot levels %d / grid %d out of range (>= 1 / 3..2000)",
                        o->levels, o->grid);
    if (o->animate && !(o->anim_seconds > 0))
        return ds__fail(DS_ERR_INVALID, "animation length must be > 0 s (got %g)", o->anim_seconds);
    return DS_OK;
}

ds_status ds_plot_map(ds_strbuf *b, const ds_fn2d *f, const ds_plot_series *paths, int npaths,
                      const ds_plot_opts *opts)
{
    ds_plot_opts o = opts ? *opts : ds_plot_default_opts();
    const double *w = o.has_window ? o.window : f ? f->window : o.window;
    ds_status st = check_opts(f, w, &o);
    if (st != DS_OK) return st;
    if (!o.xlabel) o.xlabel = "x";
    if (!o.ylabel) o.ylabel = "y";
    if (o.view == DS_PLOT_SURFACE) return ds__plot_surface(b, f, paths, npaths, w, &o);
    double lw = ds__legend_width(paths, npaths);
    ds__frame fr = {70, 40, o.width - 20, o.height - 50, w[0], w[1], w[2], w[3], 0, 0};
    ds__svg_begin(b, o.width + lw, o.height, &o);
    ds_strbuf_printf(b, "<defs><clipPath id=\"%s-clip\"><rect x=\"", o.id_prefix);
    ds__put_num(b, fr.px0);
    ds_strbuf_puts(b, "\" y=\"");
    ds__put_num(b, fr.py0);
    ds_strbuf_puts(b, "\" width=\"");
    ds__put_num(b, fr.px1 - fr.px0);
    ds_strbuf_puts(b, "\" height=\"");
    ds__put_num(b, fr.py1 - fr.py0);
    ds_strbuf_puts(b, "\"/></clipPath></defs>\n");
    ds__draw_axes(b, &fr, &o);
    st = draw_contours(b, f, w, &fr, &o);
    ds_strbuf_printf(b, "<g class=\"paths\" clip-path=\"url(#%s-clip)\">\n", o.id_prefix);
    ds__draw_trajectories(b, paths, npaths, w, frame_proj, &fr);
    ds__draw_path_marks(b, f, paths, npaths, w, frame_proj, &fr, &o);
    ds_strbuf_puts(b, "</g>\n");
    ds__draw_legend(b, o.width + 8, fr.py0 + 10, paths, npaths);
    ds__svg_end(b);
    return st != DS_OK ? st : ds__svg_status(b);
}
