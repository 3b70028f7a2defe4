/* svg.c - the string buffer and the small SVG writer the figures use.
 * Text is written as text (<text> elements, escaped), numbers compactly
 * (two decimals are far below a pixel), and the document is valid XML
 * under the SVG 1.1 namespace (https://www.w3.org/TR/SVG11/). */
#include "plot_internal.h"

#include "core/atomic_file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ds_strbuf_free(ds_strbuf *b)
{
    if (!b) return;
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Makes room for `extra` more bytes plus the NUL; 0 on success. */
static int reserve(ds_strbuf *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

static void put_bytes(ds_strbuf *b, const char *s, size_t n)
{
    if (reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ds__puts(ds_strbuf *b, const char *s)
{
    put_bytes(b, s, strlen(s));
}

void ds__printf(ds_strbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        put_bytes(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

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
    ds__puts(b, strcmp(s, "-0") == 0 ? "0" : s);
}

void ds__put_pt(ds_strbuf *b, char cmd, double x, double y)
{
    char c[3] = {' ', cmd, ' '};
    put_bytes(b, c, 3);
    ds__put_num(b, x);
    put_bytes(b, " ", 1);
    ds__put_num(b, y);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xE0) == 0xC0 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && s[0] < 0xC2) || (n == 4 && s[0] > 0xF4)) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0))) return 0;
    if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))) return 0;
    return n;
}

void ds__put_escaped(ds_strbuf *b, const char *text)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    while (*s) {
        size_t n = utf8_len(s);
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            break;
        }
        if (rep) {
            ds__puts(b, rep);
        } else if (n == 0) {
            ds__puts(b, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
            n = 1;
        } else if (*s >= 0x20 || *s == '\t' || *s == '\n') {
            put_bytes(b, (const char *)s, n); /* XML 1.0 forbids other controls */
        }
        s += n ? n : 1;
    }
}

void ds__svg_begin(ds_strbuf *b, double w, double h, const ds_plot_opts *o)
{
    if (!o->fragment) ds__puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    ds__puts(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"");
    ds__put_num(b, w);
    ds__puts(b, "\" height=\"");
    ds__put_num(b, h);
    ds__puts(b, "\" viewBox=\"0 0 ");
    ds__put_num(b, w);
    ds__puts(b, " ");
    ds__put_num(b, h);
    ds__puts(b, "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
    if (o->title) {
        ds__puts(b, "<title>");
        ds__put_escaped(b, o->title);
        ds__puts(b, "</title>\n");
    }
    ds__puts(b, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
}

void ds__svg_end(ds_strbuf *b)
{
    ds__puts(b, "</svg>\n");
}

void ds__svg_text(ds_strbuf *b, double x, double y, const char *anchor, double size, double rotate,
                  const char *text)
{
    ds__puts(b, "<text x=\"");
    ds__put_num(b, x);
    ds__puts(b, "\" y=\"");
    ds__put_num(b, y);
    ds__printf(b, "\" text-anchor=\"%s\" font-size=\"", anchor);
    ds__put_num(b, size);
    ds__puts(b, "\"");
    if (rotate != 0) {
        ds__puts(b, " transform=\"rotate(");
        ds__put_num(b, rotate);
        ds__puts(b, " ");
        ds__put_num(b, x);
        ds__puts(b, " ");
        ds__put_num(b, y);
        ds__puts(b, ")\"");
    }
    ds__puts(b, ">");
    ds__put_escaped(b, text);
    ds__puts(b, "</text>\n");
}

ds_status ds__svg_status(const ds_strbuf *b)
{
    return b->failed ? ds__nomem("SVG text", b->cap * 2) : DS_OK;
}

ds_status ds_strbuf_write(const ds_strbuf *b, FILE *f)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        return ds__fail(DS_ERR_IO, "cannot write the figure: %s", strerror(errno));
    return DS_OK;
}

ds_status ds_strbuf_save(const ds_strbuf *b, const char *path)
{
    return ds__write_file_atomic(path, b->data ? b->data : "", b->len);
}
