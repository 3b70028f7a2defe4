/* contour.c - level sets of a sampled field by marching squares (the 2-D
 * case of Lorensen and Cline, "Marching cubes", SIGGRAPH 1987), with saddle
 * cells resolved by the cell-centre average (Nielson and Hamann 1991 use
 * the bilinear saddle value; the mean is the common simplification), and
 * the segments joined into polylines through their shared edge crossings,
 * so every crossing is computed once and joined ends match exactly. */
#include "plot/plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct grid {
    const double *z;
    int nx, ny;
    double x0, x1, y0, y1, level;
    size_t nh; /* horizontal edges; vertical edge ids follow them */
} grid;

static int inside(const grid *g, int i, int j)
{
    double v = g->z[(size_t)j * g->nx + i];
    return isfinite(v) && v >= g->level;
}

static size_t hedge(const grid *g, int i, int j)
{
    return (size_t)j * (g->nx - 1) + i;
}

static size_t vedge(const grid *g, int i, int j)
{
    return g->nh + (size_t)j * g->nx + i;
}

/* The crossing on edge e, linearly interpolated between its two corners. */
static void edge_point(const grid *g, size_t e, double *x, double *y)
{
    int vertical = e >= g->nh;
    size_t k = vertical ? e - g->nh : e;
    int w = vertical ? g->nx : g->nx - 1;
    int i = (int)(k % (size_t)w), j = (int)(k / (size_t)w);
    int i2 = vertical ? i : i + 1, j2 = vertical ? j + 1 : j;
    double za = g->z[(size_t)j * g->nx + i], zb = g->z[(size_t)j2 * g->nx + i2];
    double t = (isfinite(za) && isfinite(zb)) ? (g->level - za) / (zb - za) : 0.5;
    double dx = (g->x1 - g->x0) / (g->nx - 1), dy = (g->y1 - g->y0) / (g->ny - 1);
    *x = g->x0 + (i + t * (i2 - i)) * dx;
    *y = g->y0 + (j + t * (j2 - j)) * dy;
}

/* Segments of one cell as pairs of local edges (0 bottom, 1 right, 2 top,
 * 3 left), for case = in(c0) | in(c1) << 1 | in(c2) << 2 | in(c3) << 3 with
 * corners c0 = (i, j), c1 = (i+1, j), c2 = (i+1, j+1), c3 = (i, j+1).
 * Saddles 5 and 10 list the variant whose centre is outside; a centre
 * inside joins the two inside corners and swaps to the other pairing. */
static const signed char cases[16][4] = {
    {-1, -1, -1, -1}, {3, 0, -1, -1}, {0, 1, -1, -1}, {3, 1, -1, -1},
    {1, 2, -1, -1},   {3, 0, 1, 2},   {0, 2, -1, -1}, {3, 2, -1, -1},
    {2, 3, -1, -1},   {0, 2, -1, -1}, {0, 1, 2, 3},   {1, 2, -1, -1},
    {1, 3, -1, -1},   {0, 1, -1, -1}, {3, 0, -1, -1}, {-1, -1, -1, -1}};
static const signed char saddle_inside[16][4] = {[5] = {0, 1, 2, 3}, [10] = {3, 0, 1, 2}};

typedef struct segs {
    size_t (*ends)[2]; /* edge ids of each segment */
    size_t n, cap;
} segs;

static int add_seg(segs *s, size_t a, size_t b)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        void *p = realloc(s->ends, cap * sizeof *s->ends);
        if (!p) return -1;
        s->ends = p;
        s->cap = cap;
    }
    s->ends[s->n][0] = a;
    s->ends[s->n][1] = b;
    s->n++;
    return 0;
}

static int cell_segments(const grid *g, int i, int j, segs *s)
{
    int c = inside(g, i, j) | inside(g, i + 1, j) << 1 | inside(g, i + 1, j + 1) << 2 |
            inside(g, i, j + 1) << 3;
    const signed char *t = cases[c];
    if (c == 5 || c == 10) {
        const double *z = g->z;
        size_t r0 = (size_t)j * g->nx + i, r1 = r0 + g->nx;
        double centre = (z[r0] + z[r0 + 1] + z[r1] + z[r1 + 1]) / 4;
        if (isfinite(centre) && centre >= g->level) t = saddle_inside[c];
    }
    size_t e[4] = {hedge(g, i, j), vedge(g, i + 1, j), hedge(g, i, j + 1), vedge(g, i, j)};
    for (int k = 0; k < 4 && t[k] >= 0; k += 2)
        if (add_seg(s, e[t[k]], e[t[k + 1]])) return -1;
    return 0;
}

/* Walks the chain that starts with segment `first` at edge `from`, writing
 * its points; marks its segments used. at[2e], at[2e+1]: segments at edge e. */
static size_t walk(const grid *g, const segs *s, const long *at, char *used, size_t first,
                   size_t from, double *xy)
{
    size_t n = 0, cur = first, e = from;
    edge_point(g, e, &xy[0], &xy[1]);
    n++;
    for (;;) {
        used[cur] = 1;
        e = s->ends[cur][0] == e ? s->ends[cur][1] : s->ends[cur][0];
        edge_point(g, e, &xy[2 * n], &xy[2 * n + 1]);
        n++;
        long a = at[2 * e], b = at[2 * e + 1];
        long next = (a >= 0 && !used[a]) ? a : (b >= 0 && !used[b]) ? b : -1;
        if (next < 0) return n;
        cur = (size_t)next;
    }
}

/* Joins the segments into polylines: open chains from their free ends
 * first, then the closed loops. */
static ds_status join(const grid *g, const segs *s, ds_polylines *out)
{
    size_t nedges = g->nh + (size_t)g->nx * (g->ny - 1);
    long *at = malloc(2 * nedges * sizeof *at);
    char *used = calloc(s->n ? s->n : 1, 1);
    out->pool = malloc((2 * s->n + 2) * 2 * sizeof *out->pool);
    out->lines = malloc((s->n ? s->n : 1) * sizeof *out->lines);
    if (!at || !used || !out->pool || !out->lines) {
        free(at);
        free(used);
        ds_polylines_free(out);
        return ds__nomem("contour lines", 2 * nedges * sizeof *at);
    }
    for (size_t e = 0; e < 2 * nedges; e++)
        at[e] = -1;
    for (size_t k = 0; k < s->n; k++)
        for (int side = 0; side < 2; side++) {
            size_t e = s->ends[k][side];
            at[2 * e + (at[2 * e] >= 0)] = (long)k;
        }
    size_t used_pts = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < s->n; k++) {
            if (used[k]) continue;
            size_t e = s->ends[k][0];
            if (pass == 0 && at[2 * e + 1] >= 0) e = s->ends[k][1];
            if (pass == 0 && at[2 * e + 1] >= 0) continue; /* not a free end */
            ds_polyline *l = &out->lines[out->n++];
            l->xy = out->pool + 2 * used_pts;
            l->n = walk(g, s, at, used, k, e, l->xy);
            l->closed = pass == 1;
            used_pts += l->n;
        }
    free(at);
    free(used);
    return DS_OK;
}

ds_status ds_contour_lines(const double *z, int nx, int ny, double x0, double x1, double y0,
                           double y1, double level, ds_polylines *out)
{
    memset(out, 0, sizeof *out);
    if (!z || nx < 2 || ny < 2)
        return ds__fail(DS_ERR_INVALID, "contour grid must be at least 2 x 2 (got %d x %d)", nx,
                        ny);
    grid g = {z, nx, ny, x0, x1, y0, y1, level, (size_t)(nx - 1) * ny};
    segs s = {0};
    for (int j = 0; j + 1 < ny; j++)
        for (int i = 0; i + 1 < nx; i++)
            if (cell_segments(&g, i, j, &s)) {
                free(s.ends);
                return ds__nomem("contour segments", s.cap * 2 * sizeof *s.ends);
            }
    ds_status st = join(&g, &s, out);
    free(s.ends);
    return st;
}

void ds_polylines_free(ds_polylines *p)
{
    if (!p) return;
    free(p->lines);
    free(p->pool);
    memset(p, 0, sizeof *p);
}

ds_status ds_plot_levels(double zmin, double zmax, int n, double log_floor, double *levels)
{
    if (n < 1) return ds__fail(DS_ERR_INVALID, "number of contour levels must be >= 1 (got %d)", n);
    if (!isfinite(zmin) || !isfinite(zmax) || !(zmax > zmin))
        return ds__fail(DS_ERR_INVALID, "contour range [%g, %g] is empty or not finite", zmin,
                        zmax);
    double span = zmax - zmin;
    if (log_floor < 0 || !(log_floor < span))
        return ds__fail(DS_ERR_INVALID, "log contour floor %g must be in [0, %g)", log_floor, span);
    double decades = log_floor > 0 ? log10(span / log_floor) : 0;
    for (int k = 0; k < n; k++) {
        double t = (double)(k + 1) / (n + 1);
        /* log: z - zmin runs from log_floor to span, evenly in log10 */
        levels[k] = log_floor > 0 ? zmin + span * pow(10, decades * (t - 1)) : zmin + span * t;
    }
    return DS_OK;
}
