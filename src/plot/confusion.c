/* confusion.c - a classifier's confusion matrix as SVG: one cell per
 * (true class, predicted class), filled by the share of the true class's
 * rows it holds (the row's recall on the diagonal; viridis, so the eye
 * reads a dark row as a class the model spreads around), with the count
 * written in the cell when it is large enough to read. */
#include "plot/plot_internal.h"

#include <stdio.h>

#define MARGIN_L 90.0
#define MARGIN_T 70.0
#define MARGIN_B 20.0

/* The name of class i: names[i], else its index. */
static const char *class_name(const char *const *names, size_t i, char buf[24])
{
    if (names && names[i]) return names[i];
    snprintf(buf, 24, "%zu", i);
    return buf;
}

static void cell(ds_strbuf *b, double x, double y, double s, int64_t count, int64_t row)
{
    char fill[8];
    double t = row > 0 ? (double)count / (double)row : 0;
    ds__colormap(t, fill);
    ds_strbuf_puts(b, "<rect class=\"cell\" x=\"");
    ds__put_num(b, x);
    ds_strbuf_puts(b, "\" y=\"");
    ds__put_num(b, y);
    ds_strbuf_puts(b, "\" width=\"");
    ds__put_num(b, s);
    ds_strbuf_puts(b, "\" height=\"");
    ds__put_num(b, s);
    ds_strbuf_printf(b, "\" fill=\"%s\" stroke=\"#ffffff\"><title>%lld</title></rect>\n", fill,
                     (long long)count);
    if (s < 16) return;
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)count);
    double size = s / 3 < 13 ? s / 3 : 13;
    ds_strbuf_printf(b, "<g fill=\"%s\">", t > 0.6 ? "#000000" : "#ffffff");
    ds__svg_text(b, x + s / 2, y + s / 2 + size / 3, "middle", size, 0, text);
    ds_strbuf_puts(b, "</g>\n");
}

/* Class names along both sides and the two axis titles. */
static void labels(ds_strbuf *b, size_t k, const char *const *names, double s, double side)
{
    char buf[24];
    double size = s * 0.6 < 12 ? s * 0.6 : 12;
    for (size_t i = 0; size >= 6 && i < k; i++) {
        double c = (double)i * s + s / 2;
        ds__svg_text(b, MARGIN_L - 6, MARGIN_T + c + size / 3, "end", size, 0,
                     class_name(names, i, buf));
        ds__svg_text(b, MARGIN_L + c, MARGIN_T - 6, "middle", size, 0, class_name(names, i, buf));
    }
    ds__svg_text(b, MARGIN_L + side / 2, MARGIN_T - 26, "middle", 13, 0, "predicted class");
    ds__svg_text(b, 20, MARGIN_T + side / 2, "middle", 13, -90, "true class");
}

ds_status ds_plot_confusion(ds_strbuf *b, const int64_t *counts, size_t k, const char *const *names,
                            const ds_plot_opts *o)
{
    if (!b || !counts || !o || k < 1 || k > 4096)
        return ds__fail(DS_ERR_INVALID, "confusion plot: needs counts of 1..4096 classes");
    double w = o->width, h = o->height;
    double side =
        w - MARGIN_L - 20 < h - MARGIN_T - MARGIN_B ? w - MARGIN_L - 20 : h - MARGIN_T - MARGIN_B;
    if (side < 50) return ds__fail(DS_ERR_INVALID, "confusion plot: the figure is too small");
    double s = side / (double)k;
    ds__svg_begin(b, w, h, o);
    if (o->title) ds__svg_text(b, w / 2, 18, "middle", 14, 0, o->title);
    for (size_t i = 0; i < k; i++) {
        int64_t row = 0;
        for (size_t j = 0; j < k; j++)
            row += counts[i * k + j];
        for (size_t j = 0; j < k; j++)
            cell(b, MARGIN_L + (double)j * s, MARGIN_T + (double)i * s, s, counts[i * k + j], row);
    }
    labels(b, k, names, s, side);
    ds__svg_end(b);
    return ds__svg_status(b);
}
