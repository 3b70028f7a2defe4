/* axis.c - axes of every figure: "nice" tick steps (1, 2 or 5 x 10^k, the
 * rule of Heckbert's "Nice numbers for graph labels", Graphics Gems 1990),
 * decade ticks on log axes, the frame that maps data to pixels, and the
 * legend. */
#include "plot/plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double ds__nice_step(double span, int max_ticks)
{
    if (!(span > 0) || !isfinite(span)) return 1;
    if (max_ticks < 1) max_ticks = 1;
    double raw = span / max_ticks;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    /* 1.0000001: a raw step of exactly 2 x 10^k must stay 2, not become 5. */
    double nice = norm <= 1.0000001 ? 1 : norm <= 2.0000001 ? 2 : norm <= 5.0000001 ? 5 : 10;
    return nice * mag;
}

/* The ticks of a linear axis: the multiples of step in [lo, hi]. */
static int ticks_every(double lo, double hi, double step, double *out, int cap)
{
    double eps = step * 1e-9;
    int n = 0;
    for (double k = ceil((lo - eps) / step); k * step <= hi + eps && n < cap; k++) {
        double v = k * step;
        out[n++] = fabs(v) < eps ? 0 : v; /* no "-0" labels */
    }
    return n;
}

int ds__ticks(double lo, double hi, int max_ticks, double *out, int cap)
{
    if (!(hi > lo)) return 0;
    return ticks_every(lo, hi, ds__nice_step(hi - lo, max_ticks), out, cap);
}

int ds__log_ticks(double lo, double hi, double *out, int cap)
{
    if (!(lo > 0) || !(hi > lo)) return 0;
    int k0 = (int)ceil(log10(lo) - 1e-9), k1 = (int)floor(log10(hi) + 1e-9);
    int every = (k1 - k0) / 8 + 1;
    int n = 0;
    for (int k = k0; k <= k1 && n < cap; k++)
        if ((k - k0) % every == 0) out[n++] = pow(10, k);
    return n;
}

void ds__tick_label(double v, double step, char *buf, size_t size)
{
    double a = fabs(v);
    if (v == 0) {
        snprintf(buf, size, "0");
    } else if (step == 0 || a >= 1e5 || a < 1e-4) {
        /* log axes and extreme values: 1e-05, 0.01, 2e+06 -> "%g" is compact */
        snprintf(buf, size, "%g", v);
    } else {
        int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
        snprintf(buf, size, "%.*f", decimals, v);
    }
}

double ds__fx(const ds__frame *f, double x)
{
    double t = f->logx ? (log10(x) - log10(f->x0)) / (log10(f->x1) - log10(f->x0))
                       : (x - f->x0) / (f->x1 - f->x0);
    return f->px0 + t * (f->px1 - f->px0);
}

double ds__fy(const ds__frame *f, double y)
{
    double t = f->logy ? (log10(y) - log10(f->y0)) / (log10(f->y1) - log10(f->y0))
                       : (y - f->y0) / (f->y1 - f->y0);
    return f->py1 - t * (f->py1 - f->py0);
}

static void put_line(ds_strbuf *b, double x0, double y0, double x1, double y1, const char *style)
{
    ds_strbuf_puts(b, "<line x1=\"");
    ds__put_num(b, x0);
    ds_strbuf_puts(b, "\" y1=\"");
    ds__put_num(b, y0);
    ds_strbuf_puts(b, "\" x2=\"");
    ds__put_num(b, x1);
    ds_strbuf_puts(b, "\" y2=\"");
    ds__put_num(b, y1);
    ds_strbuf_printf(b, "\" %s/>\n", style);
}

/* Ticks, labels and grid lines of one axis (vertical = the y axis);
 * `whole`: the x axis counts whole things, so no tick falls between two. */
static void draw_ticks(ds_strbuf *b, const ds__frame *f, int vertical, int whole)
{
    double t[64];
    int logax = vertical ? f->logy : f->logx;
    double lo = vertical ? f->y0 : f->x0, hi = vertical ? f->y1 : f->x1;
    double step = logax || !(hi > lo) ? 0 : ds__nice_step(hi - lo, vertical ? 6 : 8);
    if (!vertical && whole && step > 0 && step < 1) step = 1;
    int n = logax ? ds__log_ticks(lo, hi, t, 64) : step > 0 ? ticks_every(lo, hi, step, t, 64) : 0;
    for (int i = 0; i < n; i++) {
        char label[40];
        ds__tick_label(t[i], step, label, sizeof label);
        if (vertical) {
            double y = ds__fy(f, t[i]);
            put_line(b, f->px0, y, f->px1, y, "stroke=\"#e4e4e4\" stroke-width=\"0.6\"");
            put_line(b, f->px0 - 4, y, f->px0, y, "stroke=\"#000\"");
            ds__svg_text(b, f->px0 - 6, y + 4, "end", 11, 0, label);
        } else {
            double x = ds__fx(f, t[i]);
            put_line(b, x, f->py0, x, f->py1, "stroke=\"#e4e4e4\" stroke-width=\"0.6\"");
            put_line(b, x, f->py1, x, f->py1 + 4, "stroke=\"#000\"");
            ds__svg_text(b, x, f->py1 + 16, "middle", 11, 0, label);
        }
    }
}

void ds__draw_axes(ds_strbuf *b, const ds__frame *f, const ds_plot_opts *o)
{
    ds_strbuf_puts(b, "<g class=\"axes\">\n");
    draw_ticks(b, f, 0, o->xwhole);
    draw_ticks(b, f, 1, 0);
    ds_strbuf_puts(b, "<rect x=\"");
    ds__put_num(b, f->px0);
    ds_strbuf_puts(b, "\" y=\"");
    ds__put_num(b, f->py0);
    ds_strbuf_puts(b, "\" width=\"");
    ds__put_num(b, f->px1 - f->px0);
    ds_strbuf_puts(b, "\" height=\"");
    ds__put_num(b, f->py1 - f->py0);
    ds_strbuf_puts(b, "\" fill=\"none\" stroke=\"#000\"/>\n");
    double cx = (f->px0 + f->px1) / 2, cy = (f->py0 + f->py1) / 2;
    if (o->xlabel) ds__svg_text(b, cx, f->py1 + 34, "middle", 13, 0, o->xlabel);
    if (o->ylabel) ds__svg_text(b, f->px0 - 46, cy, "middle", 13, -90, o->ylabel);
    if (o->title) ds__svg_text(b, cx, f->py0 - 10, "middle", 15, 0, o->title);
    ds_strbuf_puts(b, "</g>\n");
}

const char *ds__series_color(const ds_plot_series *s, int i)
{
    return s[i].color ? s[i].color : ds_plot_color(i);
}

void ds__put_dash(ds_strbuf *b, const ds_plot_series *s, int i)
{
    if (!s[i].dash || !*s[i].dash) return;
    ds_strbuf_puts(b, " stroke-dasharray=\"");
    ds_strbuf_put_escaped(b, s[i].dash);
    ds_strbuf_puts(b, "\"");
}

/* Width of text in the figures' font (DejaVu Sans) at `size` px: an upper
 * estimate by character class from the font's advance widths, in em:
 * "ijlrtf" and thin punctuation <= 0.42, "mwMW" and wide symbols <= 1,
 * other capitals <= 0.8, the rest <= 0.65, a non-ASCII character 1. A flat
 * 7 px per character cut "momentum" (70 px at 12 px) short. */
static double text_width(const char *text, double size)
{
    double em = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if ((*c & 0xC0) == 0x80) continue; /* UTF-8 continuation byte */
        em += *c >= 0x80                         ? 1.0
              : strchr("ijlrtf.,:;'|!()[] ", *c) ? 0.42
              : strchr("mwMW%@=+<>~#&^", *c)     ? 1.0
              : *c >= 'A' && *c <= 'Z'           ? 0.8
                                                 : 0.65;
    }
    return em * size;
}

double ds__legend_width(const ds_plot_series *s, int n)
{
    double longest = 0;
    for (int i = 0; i < n; i++)
        if (s[i].name) longest = fmax(longest, text_width(s[i].name, 12));
    /* line (24) + gap (6) + text + margins (8 before, 10 after) */
    return longest > 0 ? 48 + longest : 0;
}

void ds__draw_legend(ds_strbuf *b, double x, double y, const ds_plot_series *s, int n)
{
    ds_strbuf_puts(b, "<g class=\"legend\">\n");
    double row = 0;
    for (int i = 0; i < n; i++) {
        if (!s[i].name) continue;
        double ly = y + 20 * row++;
        ds_strbuf_puts(b, "<line x1=\"");
        ds__put_num(b, x);
        ds_strbuf_puts(b, "\" y1=\"");
        ds__put_num(b, ly);
        ds_strbuf_puts(b, "\" x2=\"");
        ds__put_num(b, x + 24);
        ds_strbuf_puts(b, "\" y2=\"");
        ds__put_num(b, ly);
        ds_strbuf_printf(b, "\" stroke=\"%s\" stroke-width=\"2.5\"", ds__series_color(s, i));
        ds__put_dash(b, s, i);
        ds_strbuf_puts(b, "/>\n");
        ds__svg_text(b, x + 30, ly + 4, "start", 12, 0, s[i].name);
    }
    ds_strbuf_puts(b, "</g>\n");
}
