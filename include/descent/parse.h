/* descent/parse.h - strict number parsing, the one rule behind every spec,
 * file and command-line number descent reads.
 *
 * strtod/strtol accept leading blanks and stop silently at junk ("1e-3x"
 * reads as 0.001); these accept one whole number and nothing else, so a
 * typo is an error instead of a different value. */
#ifndef DESCENT_PARSE_H
#define DESCENT_PARSE_H

#include "descent/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses the whole of s as a finite double (strtod's syntax: "0.1", "1e-3",
 * "-2", "0x1p-4"). Returns 0 and sets *out, or -1 leaving *out unchanged
 * when s is NULL or empty, starts with a blank, has trailing characters,
 * overflows, or is "inf"/"nan". No message is left (callers name the
 * field). */
DS_API int ds_parse_double(const char *s, double *out);

/* The same for a base-10 long: -1 on empty, leading blank, trailing
 * characters or overflow (ERANGE). */
DS_API int ds_parse_long(const char *s, long *out);

#ifdef __cplusplus
}
#endif
#endif
