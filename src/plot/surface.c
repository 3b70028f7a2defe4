/* surface.c - the error surface in 3-D (lectures, section 12): the sampled
 * function as a mesh of quadrilaterals under an orthographic view, drawn by
 * the painter's algorithm (Newell, Newell and Sancha 1972: sort by depth,
 * paint far to near so nearer faces cover hidden ones), with the
 * trajectories lifted onto the surface. Heights are log-scaled for
 * functions with log-spaced contours (Rosenbrock, Beale), whose valleys
 * would otherwise vanish under the walls. */
#include "plot/plot_internal.h"

#include <math.h>
#include <stdlib.h>

#define MESH_MAX 40

typedef struct view {
    const ds_fn2d *f;
    double w[4];
    double zmin, span, floor; /* height normalisation (log: floor > 0) */
    int log;
    double ca, sa, ce, se; /* cos/sin of azimuth and elevation */
    double cx, cy, scale;  /* screen centre and pixels per unit */
} view;

/* Height of value z in [0, 1]. */
static double height(const view *v, double z)
{
    if (!isfinite(z)) return z < 0 ? 0 : 1;
    double h = v->log ? log10((z - v->zmin) + v->floor) - log10(v->floor) : (z - v->zmin) / v->span;
    if (v->log) h /= log10(v->span + v->floor) - log10(v->floor);
    return h < 0 ? 0 : h > 1 ? 1 : h;
}

/* Normalised box coordinates (u, v in [-1, 1], height h in [0, 1]) to
 * screen pixels and depth (larger is farther from the viewer). */
static void project(const view *v, double u, double w, double h, double *px, double *py,
                    double *depth)
{
    double hz = 1.1 * h - 0.55;
    double X = u * v->ca - w * v->sa, Y = u * v->sa + w * v->ca;
    *px = v->cx + X * v->scale;
    *py = v->cy - (Y * v->se + hz * v->ce) * v->scale;
    if (depth) *depth = Y * v->ce - hz * v->se;
}

static double unit_x(const view *v, double x)
{
    return 2 * (x - v->w[0]) / (v->w[1] - v->w[0]) - 1;
}

static double unit_y(const view *v, double y)
{
    return 2 * (y - v->w[2]) / (v->w[3] - v->w[2]) - 1;
}

/* ds__proj_fn: a point of the domain lifted onto the surface. */
static void lift(const void *ctx, double x, double y, double *px, double *py)
{
    const view *v = ctx;
    double h = height(v, v->f->eval(v->f, x, y, NULL));
    project(v, unit_x(v, x), unit_y(v, y), h + 0.012, px, py, NULL);
}

typedef struct quad {
    double depth;
    int i, j;
} quad;

static int far_first(const void *a, const void *b)
{
    double da = ((const quad *)a)->depth, db = ((const quad *)b)->depth;
    return da > db ? -1 : da < db ? 1 : 0;
}

static void draw_quad(ds_strbuf *b, const view *v, const double *h, int n, int i, int j)
{
    static const int di[4] = {0, 1, 1, 0}, dj[4] = {0, 0, 1, 1};
    double mean = 0, px, py;
    ds_strbuf_puts(b, "<polygon points=\"");
    for (int k = 0; k < 4; k++) {
        int ii = i + di[k], jj = j + dj[k];
        double hv = h[jj * n + ii];
        mean += hv / 4;
        project(v, 2.0 * ii / (n - 1) - 1, 2.0 * jj / (n - 1) - 1, hv, &px, &py, NULL);
        ds__put_num(b, px);
        ds_strbuf_puts(b, ",");
        ds__put_num(b, py);
        ds_strbuf_puts(b, k < 3 ? " " : "");
    }
    char col[8];
    ds__colormap(mean, col);
    ds_strbuf_printf(b, "\" fill=\"%s\"/>\n", col);
}

/* The mesh, far quads first. */
static ds_status draw_mesh(ds_strbuf *b, const view *v, const double *h, int n)
{
    quad *q = malloc((size_t)(n - 1) * (n - 1) * sizeof *q);
    if (!q) return ds__nomem("surface mesh", (size_t)(n - 1) * (n - 1) * sizeof *q);
    size_t nq = 0;
    for (int j = 0; j + 1 < n; j++)
        for (int i = 0; i + 1 < n; i++) {
            double hc = (h[j * n + i] + h[j * n + i + 1] + h[(j + 1) * n + i] +
                         h[(j + 1) * n + i + 1]) /
                        4,
                   px, py;
            q[nq] = (quad){0, i, j};
            project(v, 2.0 * (i + 0.5) / (n - 1) - 1, 2.0 * (j + 0.5) / (n - 1) - 1, hc, &px, &py,
                    &q[nq].depth);
            nq++;
        }
    qsort(q, nq, sizeof *q, far_first);
    ds_strbuf_puts(b, "<g class=\"surface\" stroke=\"#202020\" stroke-width=\"0.4\" "
                      "stroke-opacity=\"0.35\">\n");
    for (size_t k = 0; k < nq; k++)
        draw_quad(b, v, h, n, q[k].i, q[k].j);
    ds_strbuf_puts(b, "</g>\n");
    free(q);
    return DS_OK;
}

/* The floor edge nearer the viewer of the two that run along one axis:
 * -1 or 1, the u (y axis) or w (x axis) coordinate of that edge. */
static double near_edge(const view *v, int yaxis)
{
    double px, py, d[2];
    for (int k = 0; k < 2; k++)
        project(v, yaxis ? 2 * k - 1 : 0, yaxis ? 0 : 2 * k - 1, 0, &px, &py, &d[k]);
    return d[0] <= d[1] ? -1 : 1;
}

/* Ticks, labels and the floor line of one axis, along its nearer edge. */
static void floor_axis(ds_strbuf *b, const view *v, int yaxis, const char *label)
{
    double lo = v->w[yaxis ? 2 : 0], hi = v->w[yaxis ? 3 : 1], t[32], px, py, qx, qy;
    double e = near_edge(v, yaxis);
    int n = ds__ticks(lo, hi, 5, t, 32);
    double step = ds__nice_step(hi - lo, 5);
    for (int k = 0; k < n; k++) {
        double u = yaxis ? 1.14 * e : unit_x(v, t[k]), w = yaxis ? unit_y(v, t[k]) : 1.14 * e;
        char s[40];
        ds__tick_label(t[k], step, s, sizeof s);
        project(v, u, w, 0, &px, &py, NULL);
        ds__svg_text(b, px, py + 4, "middle", 10, 0, s);
    }
    project(v, yaxis ? 1.35 * e : 0, yaxis ? 0 : 1.35 * e, 0, &px, &py, NULL);
    ds__svg_text(b, px, py + 4, "middle", 13, 0, label);
    project(v, yaxis ? e : -1, yaxis ? -1 : e, 0, &px, &py, NULL);
    project(v, yaxis ? e : 1, yaxis ? 1 : e, 0, &qx, &qy, NULL);
    ds_strbuf_puts(b, "<path class=\"floor\" fill=\"none\" stroke=\"#888\" d=\"");
    ds__put_pt(b, 'M', px, py);
    ds__put_pt(b, 'L', qx, qy);
    ds_strbuf_puts(b, "\"/>\n");
}

static void setup_view(view *v, const ds_fn2d *f, const double w[4], const double zr[2],
                       const ds_plot_opts *o)
{
    const double rad = M_PI / 180;
    v->f = f;
    for (int k = 0; k < 4; k++)
        v->w[k] = w[k];
    v->zmin = zr[0];
    v->span = zr[1] > zr[0] ? zr[1] - zr[0] : 1;
    v->log = f->log_levels;
    v->floor = v->span * 1e-2; /* three decades: deep enough, not a spike */
    v->ca = cos(o->azimuth * rad), v->sa = sin(o->azimuth * rad);
    v->ce = cos(o->elevation * rad), v->se = sin(o->elevation * rad);
    double pw = o->width - 40, ph = o->height - 90;
    double sx = pw / 2 / 1.5, sy = ph / 2 / (1.5 * v->se + 0.6 * v->ce);
    v->scale = sx < sy ? sx : sy;
    v->cx = 20 + pw / 2;
    v->cy = 40 + ph / 2;
}

ds_status ds__plot_surface(ds_strbuf *b, const ds_fn2d *f, const ds_plot_series *paths, int npaths,
                           const double win[4], const ds_plot_opts *o)
{
    if (!(o->elevation > 0 && o->elevation <= 90) || !isfinite(o->azimuth))
        return ds__fail(DS_ERR_INVALID, "surface view angle: elevation %g must be in (0, 90]",
                        o->elevation);
    int n = o->grid < MESH_MAX ? o->grid : MESH_MAX;
    double zr[2];
    double *h = ds__sample(f, win, n, zr);
    if (!h) return ds__nomem("surface grid", (size_t)n * n * sizeof *h);
    view v;
    setup_view(&v, f, win, zr, o);
    for (int k = 0; k < n * n; k++)
        h[k] = isfinite(zr[0]) ? height(&v, h[k]) : 0;
    ds__svg_begin(b, o->width + ds__legend_width(paths, npaths), o->height, o);
    if (o->title) ds__svg_text(b, o->width / 2.0, 24, "middle", 15, 0, o->title);
    ds_status st = draw_mesh(b, &v, h, n);
    free(h);
    floor_axis(b, &v, 0, o->xlabel); /* after the mesh: the labels lie outside it */
    floor_axis(b, &v, 1, o->ylabel);
    ds__draw_trajectories(b, paths, npaths, win, lift, &v);
    ds__draw_path_marks(b, f, paths, npaths, win, lift, &v, o);
    ds__draw_legend(b, o->width + 8, 50, paths, npaths);
    ds__svg_end(b);
    return st != DS_OK ? st : ds__svg_status(b);
}
