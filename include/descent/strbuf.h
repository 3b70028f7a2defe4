/* descent/strbuf.h - a growing text buffer, for the SVG renderers
 * (descent/plot.h) and for any text a program builds up and saves whole.
 *
 *     ds_strbuf b = {0};
 *     ds_strbuf_printf(&b, "epoch,loss\n%d,%g\n", 1, 0.5);
 *     ds_status s = b.failed ? DS_ERR_NOMEM : ds_strbuf_save(&b, "log.csv");
 *     ds_strbuf_free(&b);
 *
 * An allocation failure sets `failed` and makes every later append a no-op,
 * so a caller checks once at the end. Nothing is printed. */
#ifndef DESCENT_STRBUF_H
#define DESCENT_STRBUF_H

#include "descent/export.h"

#include "descent/error.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DS_PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define DS_PRINTF_LIKE(a, b)
#endif

/* A growing NUL-terminated string. Zero-initialise it ({0}). */
typedef struct ds_strbuf {
    char *data; /* the text (NULL until something is appended) */
    size_t len; /* bytes of text, without the NUL */
    size_t cap; /* bytes allocated */
    int failed; /* 1 after an allocation failure */
} ds_strbuf;

/* Appends n bytes of s / printf-formatted text. After an allocation failure
 * (b->failed) they do nothing. */
DS_API void ds_strbuf_append(ds_strbuf *b, const char *s, size_t n);
DS_API void ds_strbuf_printf(ds_strbuf *b, const char *fmt, ...) DS_PRINTF_LIKE(2, 3);

/* Appends the string s (as ds_strbuf_append of its length). */
DS_API void ds_strbuf_puts(ds_strbuf *b, const char *s);

/* Appends s as XML text content or attribute value: escaped (& < > " '),
 * control characters dropped, invalid UTF-8 bytes replaced by U+FFFD, so an
 * SVG or HTML document stays well-formed whatever the input. */
DS_API void ds_strbuf_put_escaped(ds_strbuf *b, const char *s);

/* Frees the text and zeroes *b (safe on a zeroed buffer; NULL is a no-op). */
DS_API void ds_strbuf_free(ds_strbuf *b);

/* Writes the text to f. DS_ERR_IO with a message if the write fails. */
DS_API ds_status ds_strbuf_write(const ds_strbuf *b, FILE *f);

/* Writes the text to `path` atomically: a temporary file in the same folder,
 * fsync, then rename over `path` (keeping its mode; a symlink's target is
 * replaced; a device or FIFO is written in place; a directory is refused
 * with DS_ERR_INVALID). On any failure the temporary file is removed and
 * `path` is untouched (DS_ERR_IO naming the path). */
DS_API ds_status ds_strbuf_save(const ds_strbuf *b, const char *path);

#ifdef __cplusplus
}
#endif
#endif
