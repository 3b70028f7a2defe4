/* descent/plot.h - the pictures of the lectures (section 12), as SVG written
 * by descent itself: contour maps of a 2-D function with optimizer
 * trajectories, the same as a 3-D surface, animations of the optimizers
 * racing (SMIL, no script), and line charts (loss curves, schedules, EWMA
 * curves, training logs).
 *
 * Every renderer appends a complete SVG document to a growing string buffer
 * (ds_strbuf, descent/strbuf.h), so a figure can be written to a FILE*, saved atomically, or
 * inlined into an HTML report (set ds_plot_opts.fragment and id_prefix).
 * The renderers read the caller's arrays and keep no pointer to them after
 * they return. On failure they return a ds_status with a message
 * (ds_last_error()); the buffer may then hold a partial document, which the
 * caller should discard (ds_strbuf_free). Nothing is printed.
 *
 * Conventions: colours follow the lectures (GD black, momentum red, NAG
 * blue, then distinct colours); tick steps are 1, 2 or 5 x 10^k; log axes
 * put ticks on powers of ten. */
#ifndef DESCENT_PLOT_H
#define DESCENT_PLOT_H

#include "descent/export.h"

#include "descent/error.h"
#include "descent/functions.h"
#include "descent/strbuf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options --------------------------------------------------------- */

typedef enum ds_plot_scale {
    DS_PLOT_LINEAR = 0,
    DS_PLOT_LOG, /* log10 axis; non-positive values are left out (the line breaks) */
    DS_PLOT_AUTO /* log when all finite values are > 0 and span more than 2 decades */
} ds_plot_scale;

typedef enum ds_plot_view { DS_PLOT_CONTOUR = 0, DS_PLOT_SURFACE } ds_plot_view;

/* Options shared by the renderers; each reads the fields it needs. Start
 * from ds_plot_default_opts(). Strings are copied into the SVG (escaped) and
 * may be NULL. */
typedef struct ds_plot_opts {
    const char *title;
    const char *xlabel, *ylabel; /* axis labels (maps default to "x", "y") */
    int width, height;           /* figure size in pixels without the legend (> 0) */
    int fragment;                /* 1: no XML declaration (for inline SVG in HTML) */
    const char *id_prefix;       /* prefix of element ids; distinct per figure in one page */
    /* line charts */
    ds_plot_scale xscale, yscale;
    int xwhole; /* 1: x ticks on whole numbers only (epochs: no 1.5) */
    /* maps */
    int has_window;      /* 1: use `window` instead of the function's */
    double window[4];    /* x0, x1, y0, y1 with x0 < x1, y0 < y1 */
    int levels;          /* contour levels (>= 1) */
    int grid;            /* samples per side of the contour grid / surface mesh (>= 3) */
    ds_plot_view view;   /* contour map or 3-D surface */
    double azimuth;      /* surface view angles, degrees */
    double elevation;    /* in (0, 90] */
    int animate;         /* 1: markers move along the trajectories (SMIL) */
    double anim_seconds; /* duration of one pass of the animation (> 0) */
} ds_plot_opts;

/* 720 x 480, linear axes, 14 levels, grid 180 (surface meshes use at most 40), azimuth -50,
 * elevation 35, no animation (8 s when on), id prefix "ds". */
DS_API ds_plot_opts ds_plot_default_opts(void);

/* ---- data ------------------------------------------------------------ */

/* One series: n points (x[i * stride], y[i * stride]); x NULL means
 * x = 0, 1, 2, ... (the step). A trajectory from ds_fn2d_trace is
 * { .x = rows, .y = rows + 1, .n = nrows, .stride = 3 }. Non-finite points
 * break the line. */
typedef struct ds_plot_series {
    const char *name;  /* legend text, or NULL (no legend entry) */
    const char *color; /* "#rrggbb", or NULL for palette colour i */
    const double *x;
    const double *y;
    size_t n;
    size_t stride; /* in doubles; 0 means 1 */
    /* SVG stroke-dasharray ("6 4"), or NULL/"" for a solid line: tells apart
     * series that run on top of each other (Nesterov over momentum, capped
     * schedules that agree until they meet their cap). Line, legend swatch
     * and trajectory all use it. */
    const char *dash;
} ds_plot_series;

/* ---- colours --------------------------------------------------------- */

/* Palette colour i ("#000000" black, "#d62728" red, "#1f77b4" blue, then
 * green, orange, purple, ...; cycles). Static string. */
DS_API const char *ds_plot_color(int i);

struct ds_opt_params;

/* Colours for n optimizers in the lectures' convention: plain GD black,
 * momentum red, Nesterov (nag, or sgd with nesterov=1) blue; a colour
 * already taken and all other rules get the next unused palette colour.
 * Writes n static strings to colors[]. */
DS_API void ds_plot_opt_colors(const struct ds_opt_params *opts, int n, const char **colors);

/* ---- contours -------------------------------------------------------- */

/* A polyline of n points (x, y interleaved in xy[2n]); closed loops repeat
 * their first point as the last. */
typedef struct ds_polyline {
    double *xy;
    size_t n;
    int closed;
} ds_polyline;

typedef struct ds_polylines {
    ds_polyline *lines;
    size_t n;
    double *pool; /* one block holding every line's points (owned) */
} ds_polylines;

/* Level set z = level of the field sampled on an nx x ny grid (z[j * nx + i]
 * at x = x0 + i (x1 - x0)/(nx - 1), y = y0 + j (y1 - y0)/(ny - 1)), by
 * marching squares: a corner is inside when z >= level; crossings are
 * linearly interpolated on cell edges; saddle cells are resolved by the
 * average of the four corners (the centre value); segments are joined into
 * polylines through shared edge crossings. Non-finite samples count as
 * outside. nx, ny >= 2. On success *out owns its memory (free with
 * ds_polylines_free); on failure *out is empty (DS_ERR_INVALID, DS_ERR_NOMEM).
 * Reference: Lorensen and Cline 1987 (marching cubes), in 2-D; the saddle
 * rule is the "asymptotic decider"-style centre test of Nielson and Hamann
 * 1991 simplified to the cell mean. */
DS_API ds_status ds_contour_lines(const double *z, int nx, int ny, double x0, double x1, double y0,
                                  double y1, double level, ds_polylines *out);

/* Frees the lines of *p and zeroes it (a zeroed value is a no-op). */
DS_API void ds_polylines_free(ds_polylines *p);

/* n contour levels strictly between zmin and zmax: evenly spaced
 * (log_floor = 0), or evenly spaced in log10(z - zmin) from log_floor to
 * zmax - zmin (0 < log_floor < zmax - zmin), for functions with a deep
 * narrow valley (Rosenbrock, Beale). Writes levels[0..n-1] in increasing
 * order; DS_ERR_INVALID if n < 1, the range is empty or not finite, or
 * log_floor is out of range. */
DS_API ds_status ds_plot_levels(double zmin, double zmax, int n, double log_floor, double *levels);

/* ---- figures --------------------------------------------------------- */

/* Map of f over the window (opts->view: contour lines or 3-D surface) with
 * each path drawn in its colour, clipped to the window, with start (hollow)
 * and end (filled) markers, f's known minima (stars), a legend of the path
 * names, axes with ticks and labels; with opts->animate, a marker per path
 * moves along it, all in step. npaths may be 0. DS_ERR_INVALID for a bad
 * window or option. */
DS_API ds_status ds_plot_map(ds_strbuf *out, const ds_fn2d *f, const ds_plot_series *paths,
                             int npaths, const ds_plot_opts *opts);

/* A line chart of n series with axes, ticks, labels and a legend. */
DS_API ds_status ds_plot_lines(ds_strbuf *out, const ds_plot_series *series, int n,
                               const ds_plot_opts *opts);

/* One panel of a multi-panel figure: its series and its own title, labels
 * and scales (the other fields of opts are ignored). */
typedef struct ds_plot_panel {
    const ds_plot_series *series;
    int n;
    ds_plot_opts opts;
} ds_plot_panel;

/* Panels laid out in `columns` columns, sharing one legend built from the
 * first panel's series names and colours; fig gives the title and the size
 * of one panel. */
DS_API ds_status ds_plot_panels(ds_strbuf *out, const ds_plot_panel *panels, int npanels,
                                int columns, const ds_plot_opts *fig);

/* ---- training logs ----------------------------------------------------- */

/* Columns of a `descent train --log` CSV file, in file order. */
enum {
    DS_LOG_EPOCH,
    DS_LOG_STEP,
    DS_LOG_LR,
    DS_LOG_TRAIN_LOSS,
    DS_LOG_VAL_LOSS,
    DS_LOG_VAL_ACCURACY,
    DS_LOG_SECONDS,
    DS_LOG_NCOLS
};

/* The rows of a log: col[c][r] is column c of row r; an empty field (val_*)
 * is NaN, as are the words nan/inf of a diverged run. */
typedef struct ds_plot_train_log {
    size_t n;
    double *col[DS_LOG_NCOLS]; /* point into one owned block */
} ds_plot_train_log;

/* Reads a log whose first line is exactly
 * "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds". Fails with
 * DS_ERR_IO (cannot open/read) or DS_ERR_FORMAT with "FILE:LINE: what" for a
 * wrong header, a wrong field count or a malformed number; then *log is
 * empty. Free with ds_plot_train_log_free. */
DS_API ds_status ds_plot_read_train_log(const char *path, ds_plot_train_log *log);

/* Frees what ds_plot_read_train_log allocated and zeroes *log. */
DS_API void ds_plot_train_log_free(ds_plot_train_log *log);

/* ---- classifiers ------------------------------------------------------ */

/* A confusion matrix of k classes (1..4096): counts[i * k + j] rows of true
 * class i predicted as j. Each cell is filled by its share of row i (the
 * class's recall on the diagonal) and shows its count when there is room;
 * names[i] labels class i (NULL, or a NULL entry: the index). Uses the
 * options' width, height, title, fragment and id_prefix. DS_ERR_INVALID
 * for a bad k or a figure too small for the matrix. */
DS_API ds_status ds_plot_confusion(ds_strbuf *b, const int64_t *counts, size_t k,
                                   const char *const *names, const ds_plot_opts *o);

#ifdef __cplusplus
}
#endif
#endif
