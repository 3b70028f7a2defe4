/* text.h - appending text to a ds_strbuf: strings and XML-escaped text.
 * The SVG writer (src/plot) and the HTML report (src/report) share these,
 * so the page has one escaping rule. Private to the library; the buffer,
 * raw and formatted appends are public (descent/strbuf.h). */
#ifndef DESCENT_TEXT_H
#define DESCENT_TEXT_H

#include "core/internal.h"
#include "descent/strbuf.h"

#include <stddef.h>

/* Each appends to b; after an allocation failure (b->failed) they do nothing. */
void ds__puts(ds_strbuf *b, const char *s);
/* Text content or attribute value: XML-escaped (& < > " '), control
 * characters dropped, invalid UTF-8 bytes replaced by U+FFFD, so the
 * document stays well-formed whatever the input. */
void ds__put_escaped(ds_strbuf *b, const char *s);

#endif
