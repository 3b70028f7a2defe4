/* geom.c - series access and clipping: trajectories are cut at the plot
 * window so that nothing is drawn outside the axes. */
#include "plot/plot_internal.h"

#include <math.h>

double ds__sx(const ds_plot_series *s, size_t i)
{
    return s->x ? s->x[i * (s->stride ? s->stride : 1)] : (double)i;
}

double ds__sy(const ds_plot_series *s, size_t i)
{
    return s->y[i * (s->stride ? s->stride : 1)];
}

int ds__clip_segment(const double win[4], double ax, double ay, double bx, double by, double *t0,
                     double *t1)
{
    double dx = bx - ax, dy = by - ay;
    /* p_k t <= q_k for the four window edges (left, right, bottom, top). */
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {ax - win[0], win[1] - ax, ay - win[2], win[3] - ay};
    double lo = 0, hi = 1;
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0) return 0; /* parallel to this edge and outside it */
            continue;
        }
        double r = q[k] / p[k];
        if (p[k] < 0) {
            if (r > lo) lo = r;
        } else if (r < hi) {
            hi = r;
        }
        if (lo > hi) return 0;
    }
    *t0 = lo;
    *t1 = hi;
    return 1;
}

static int finite_pt(double x, double y)
{
    return isfinite(x) && isfinite(y);
}

size_t ds__clipped_path(ds_strbuf *b, const ds_plot_series *s, const double win[4],
                        ds__proj_fn proj, const void *ctx)
{
    size_t written = 0;
    int pen = 0; /* 1 while the current subpath continues at point i - 1 */
    double px, py;
    if (s->n == 1 && finite_pt(ds__sx(s, 0), ds__sy(s, 0))) {
        double t0, t1, x = ds__sx(s, 0), y = ds__sy(s, 0);
        if (ds__clip_segment(win, x, y, x, y, &t0, &t1)) {
            proj(ctx, x, y, &px, &py);
            ds__put_pt(b, 'M', px, py);
            return 1;
        }
    }
    for (size_t i = 1; i < s->n; i++) {
        double ax = ds__sx(s, i - 1), ay = ds__sy(s, i - 1), bx = ds__sx(s, i), by = ds__sy(s, i);
        double t0, t1;
        if (!finite_pt(ax, ay) || !finite_pt(bx, by) ||
            !ds__clip_segment(win, ax, ay, bx, by, &t0, &t1)) {
            pen = 0;
            continue;
        }
        if (!pen || t0 > 0) {
            proj(ctx, ax + t0 * (bx - ax), ay + t0 * (by - ay), &px, &py);
            ds__put_pt(b, 'M', px, py);
            written++;
        }
        proj(ctx, ax + t1 * (bx - ax), ay + t1 * (by - ay), &px, &py);
        ds__put_pt(b, 'L', px, py);
        written++;
        pen = t1 == 1;
    }
    return written;
}
