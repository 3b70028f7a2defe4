/* internal.h - private helpers shared by the library's source files.
 * Nothing here is installed or part of the public API; names carry the
 * private prefix ds__. */
#ifndef DESCENT_INTERNAL_H
#define DESCENT_INTERNAL_H

#include "descent/error.h"

#include <stddef.h>

#if defined(__GNUC__)
#define DS__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DS__PRINTF(a, b)
#endif

/* Sets the thread's last-error message and returns s. */
ds_status ds__fail(ds_status s, const char *fmt, ...) DS__PRINTF(2, 3);

/* ds__fail(DS_ERR_NOMEM, ...) with a standard message. */
ds_status ds__nomem(const char *what, size_t bytes);

/* Parses a whole string as a finite double / as an integer; returns 0 on
 * success, -1 if the text is empty, has trailing characters or overflows. */
int ds__parse_double(const char *s, double *out);
int ds__parse_long(const char *s, long *out);

#endif
