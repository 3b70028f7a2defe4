/* palette.c - colours and default options of the figures. Trajectory
 * colours follow the lectures (CS7015: GD black, momentum red, NAG blue);
 * the rest are the distinct "tab10" hues of matplotlib; contour levels and
 * surface heights use the viridis map (perceptually uniform; van der Walt
 * and Smith, matplotlib 2015). */
#include "plot/plot_internal.h"

#include "descent/optim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const palette[] = {"#000000", "#d62728", "#1f77b4", "#2ca02c",
                                      "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                                      "#17becf", "#bcbd22", "#7f7f7f"};
#define NPALETTE ((int)(sizeof palette / sizeof palette[0]))

const char *ds_plot_color(int i)
{
    if (i < 0) i = 0;
    return palette[i % NPALETTE];
}

/* The lecture colour of a rule: 0 black (GD), 1 red (momentum), 2 blue
 * (Nesterov), -1 none. */
static int lecture_color(const ds_opt_params *p)
{
    if (p->type == DS_OPT_NAG || (p->type == DS_OPT_SGD && p->sgd.nesterov)) return 2;
    if (p->type == DS_OPT_SGD) return p->sgd.momentum > 0 ? 1 : 0;
    return -1;
}

void ds_plot_opt_colors(const struct ds_opt_params *opts, int n, const char **colors)
{
    int used[NPALETTE] = {0};
    for (int i = 0; i < n; i++) { /* lecture colours first, so order does not steal them */
        int c = lecture_color(&opts[i]);
        colors[i] = NULL;
        if (c >= 0 && !used[c]) {
            used[c] = 1;
            colors[i] = palette[c];
        }
    }
    int next = 3;
    for (int i = 0; i < n; i++) {
        if (colors[i]) continue;
        for (int tries = 0; tries < NPALETTE && used[next % NPALETTE]; tries++)
            next++;
        used[next % NPALETTE] = 1;
        colors[i] = palette[next++ % NPALETTE];
    }
}

void ds__colormap(double t, char out[8])
{
    static const double anchors[][3] = {{68, 1, 84},    {65, 68, 135},  {42, 120, 142},
                                        {34, 168, 132}, {122, 209, 81}, {253, 231, 37}};
    const int last = (int)(sizeof anchors / sizeof anchors[0]) - 1;
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    double u = t * last;
    int k = (int)u < last ? (int)u : last - 1;
    double w = u - k;
    int rgb[3];
    for (int c = 0; c < 3; c++)
        rgb[c] = (int)lround(anchors[k][c] * (1 - w) + anchors[k + 1][c] * w);
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

ds_plot_opts ds_plot_default_opts(void)
{
    ds_plot_opts o;
    memset(&o, 0, sizeof o);
    o.width = 720;
    o.height = 480;
    o.id_prefix = "ds";
    o.levels = 14;
    o.grid = 180;
    o.azimuth = -50;
    o.elevation = 35;
    o.anim_seconds = 8;
    return o;
}
