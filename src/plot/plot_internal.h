/* plot_internal.h - the pieces the figures share: an SVG writer over
 * ds_strbuf, axis ticks, frames that map data to pixels, legends, the
 * colour map and segment clipping. Private to src/plot (and its tests). */
#ifndef DESCENT_PLOT_INTERNAL_H
#define DESCENT_PLOT_INTERNAL_H

#include "descent/plot.h"
#include "core/internal.h"
#include "descent/strbuf.h"

#include <stddef.h>

/* ---- SVG writer (svg.c) ---- */

/* A number for an attribute: at most 2 decimals, no trailing zeros, no "-0". */
void ds__put_num(ds_strbuf *b, double v);
/* One path command: " M x y" / " L x y". */
void ds__put_pt(ds_strbuf *b, char cmd, double x, double y);
void ds__svg_begin(ds_strbuf *b, double w, double h, const ds_plot_opts *o);
void ds__svg_end(ds_strbuf *b);
/* <text> at (x, y); anchor "start", "middle" or "end"; rotate in degrees. */
void ds__svg_text(ds_strbuf *b, double x, double y, const char *anchor, double size, double rotate,
                  const char *text);
/* DS_ERR_NOMEM if the buffer lost an allocation, else DS_OK. */
ds_status ds__svg_status(const ds_strbuf *b);

/* ---- ticks (axis.c) ---- */

/* The 1-2-5 x 10^k step giving at most about max_ticks ticks over span > 0. */
double ds__nice_step(double span, int max_ticks);
/* Multiples of the nice step within [lo, hi]; returns the count (<= cap). */
int ds__ticks(double lo, double hi, int max_ticks, double *out, int cap);
/* Powers of ten within [lo, hi] (lo > 0), every k-th decade so at most
 * about 8; returns the count (<= cap). */
int ds__log_ticks(double lo, double hi, double *out, int cap);
/* Tick label of v on an axis with tick step `step` (log: step 0). */
void ds__tick_label(double v, double step, char *buf, size_t size);

/* ---- frames: a data rectangle drawn in a pixel rectangle ---- */

typedef struct ds__frame {
    double px0, py0, px1, py1; /* pixels: left, top, right, bottom */
    double x0, x1, y0, y1;     /* data range (log axes: positive) */
    int logx, logy;
} ds__frame;

double ds__fx(const ds__frame *f, double x);
double ds__fy(const ds__frame *f, double y);
/* Border, ticks with labels, grid lines, axis labels and title. */
void ds__draw_axes(ds_strbuf *b, const ds__frame *f, const ds_plot_opts *o);

/* Legend of n entries (names NULL are skipped) with its top-left at (x, y). */
void ds__draw_legend(ds_strbuf *b, double x, double y, const ds_plot_series *s, int n);
/* Width the legend needs (0 if no series has a name). */
double ds__legend_width(const ds_plot_series *s, int n);
/* Colour of series i (its own or the palette's). */
const char *ds__series_color(const ds_plot_series *s, int i);
/* " stroke-dasharray=\"...\"" (escaped) for a dashed series i; nothing for
 * a solid one, so figures without dashes are unchanged. */
void ds__put_dash(ds_strbuf *b, const ds_plot_series *s, int i);

/* ---- geometry ---- */

/* Point i of a series (x defaults to the index). */
double ds__sx(const ds_plot_series *s, size_t i);
double ds__sy(const ds_plot_series *s, size_t i);

/* Liang-Barsky clipping of segment (a -> b) to the window x0, x1, y0, y1
 * (Liang and Barsky 1984, "A new concept and method for line clipping").
 * Returns 1 and the clipped parameters t0 <= t1 in [0, 1], or 0 if the
 * segment misses the window. */
int ds__clip_segment(const double win[4], double ax, double ay, double bx, double by, double *t0,
                     double *t1);

/* Maps a data point to pixels (frames, surface projections). */
typedef void (*ds__proj_fn)(const void *ctx, double x, double y, double *px, double *py);

/* Appends the path data ("M ... L ...") of series s clipped to win and
 * projected; a cut or non-finite point starts a new subpath. Returns the
 * number of points written. */
size_t ds__clipped_path(ds_strbuf *b, const ds_plot_series *s, const double win[4],
                        ds__proj_fn proj, const void *ctx);

/* Colour map (viridis, sampled by eye from matplotlib's anchors) at
 * t in [0, 1] as "#rrggbb". */
void ds__colormap(double t, char out[8]);

/* ---- the map's parts drawn in map.c, used by surface.c too ---- */

/* f on an n x n grid over w (z[j * n + i]), malloc'ed (NULL if out of
 * memory); the finite range goes to zr[0..1] (NaN if there is none). */
double *ds__sample(const ds_fn2d *f, const double w[4], int n, double zr[2]);
/* One <path class="trajectory"> per path (even if nothing of it is
 * visible), clipped to win and drawn through proj. */
void ds__draw_trajectories(ds_strbuf *b, const ds_plot_series *paths, int npaths,
                           const double win[4], ds__proj_fn proj, const void *ctx);
/* Markers for start/end of each path, the minima, and (opts->animate) the
 * moving markers; all through proj, points outside win skipped. */
void ds__draw_path_marks(ds_strbuf *b, const ds_fn2d *f, const ds_plot_series *paths, int npaths,
                         const double win[4], ds__proj_fn proj, const void *ctx,
                         const ds_plot_opts *o);
ds_status ds__plot_surface(ds_strbuf *b, const ds_fn2d *f, const ds_plot_series *paths, int npaths,
                           const double win[4], const ds_plot_opts *o);

#endif
