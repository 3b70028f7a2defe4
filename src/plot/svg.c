/* svg.c - the small SVG writer the figures use (over the text appends of descent/strbuf.h).
 * Text is written as text (<text> elements, escaped), numbers compactly
 * (two decimals are far below a pixel), and the document is valid XML
 * under the SVG 1.1 namespace (https://www.w3.org/TR/SVG11/). */
#include "plot/plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ds__put_num(ds_strbuf *b, double v)
{
    char s[48];
    if (!isfinite(v)) v = 0; /* never reached by callers that clip; keeps the XML valid */
    snprintf(s, sizeof s, "%.2f", v);
    char *dot = strchr(s, '.');
    if (dot) {
        char *e = s + strlen(s) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot) *e = '\0';
    }
    ds_strbuf_puts(b, strcmp(s, "-0") == 0 ? "0" : s);
}

void ds__put_pt(ds_strbuf *b, char cmd, double x, double y)
{
    char c[3] = {' ', cmd, ' '};
    ds_strbuf_append(b, c, 3);
    ds__put_num(b, x);
    ds_strbuf_append(b, " ", 1);
    ds__put_num(b, y);
}

void ds__svg_begin(ds_strbuf *b, double w, double h, const ds_plot_opts *o)
{
    if (!o->fragment) ds_strbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    ds_strbuf_puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"");
    ds__put_num(b, w);
    ds_strbuf_puts(b, "\" height=\"");
    ds__put_num(b, h);
    ds_strbuf_puts(b, "\" viewBox=\"0 0 ");
    ds__put_num(b, w);
    ds_strbuf_puts(b, " ");
    ds__put_num(b, h);
    ds_strbuf_puts(
        b, "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
    if (o->title) {
        ds_strbuf_puts(b, "<title>");
        ds_strbuf_put_escaped(b, o->title);
        ds_strbuf_puts(b, "</title>\n");
    }
    ds_strbuf_puts(b, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
}

void ds__svg_end(ds_strbuf *b)
{
    ds_strbuf_puts(b, "</svg>\n");
}

void ds__svg_text(ds_strbuf *b, double x, double y, const char *anchor, double size, double rotate,
                  const char *text)
{
    ds_strbuf_puts(b, "<text x=\"");
    ds__put_num(b, x);
    ds_strbuf_puts(b, "\" y=\"");
    ds__put_num(b, y);
    ds_strbuf_printf(b, "\" text-anchor=\"%s\" font-size=\"", anchor);
    ds__put_num(b, size);
    ds_strbuf_puts(b, "\"");
    if (rotate != 0) {
        ds_strbuf_puts(b, " transform=\"rotate(");
        ds__put_num(b, rotate);
        ds_strbuf_puts(b, " ");
        ds__put_num(b, x);
        ds_strbuf_puts(b, " ");
        ds__put_num(b, y);
        ds_strbuf_puts(b, ")\"");
    }
    ds_strbuf_puts(b, ">");
    ds_strbuf_put_escaped(b, text);
    ds_strbuf_puts(b, "</text>\n");
}

ds_status ds__svg_status(const ds_strbuf *b)
{
    return b->failed ? ds__nomem("SVG text", b->cap * 2) : DS_OK;
}
