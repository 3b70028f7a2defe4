/* text.c - the growing string buffer (ds_strbuf, public in descent/strbuf.h)
 * and the text writers over it that the SVG figures and the HTML report
 * share. */
#include "descent/strbuf.h"

#include "core/internal.h"
#include "descent/afile.h"

#include <errno.h>
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

void ds_strbuf_append(ds_strbuf *b, const char *s, size_t n)
{
    if (reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ds_strbuf_puts(ds_strbuf *b, const char *s)
{
    ds_strbuf_append(b, s, strlen(s));
}

void ds_strbuf_printf(ds_strbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        ds_strbuf_append(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
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

void ds_strbuf_put_escaped(ds_strbuf *b, const char *text)
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
            ds_strbuf_puts(b, rep);
        } else if (n == 0) {
            ds_strbuf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
            n = 1;
        } else if (*s >= 0x20 || *s == '\t' || *s == '\n') {
            ds_strbuf_append(b, (const char *)s, n); /* XML 1.0 forbids other controls */
        }
        s += n ? n : 1;
    }
}

ds_status ds_strbuf_write(const ds_strbuf *b, FILE *f)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        return ds__fail(DS_ERR_IO, "cannot write the figure: %s", strerror(errno));
    return DS_OK;
}

ds_status ds_strbuf_save(const ds_strbuf *b, const char *path)
{
    return ds_write_file_atomic(path, b->data ? b->data : "", b->len);
}
