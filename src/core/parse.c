/* parse.c - strict number parsing shared by every spec and file parser
 * (contract in descent/parse.h). strtod/strtol accept leading blanks and
 * stop silently at junk; these wrappers reject anything but one whole,
 * finite number. */
#include "descent/parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int ds_parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s || *s == ' ' || *s == '\t') return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int ds_parse_long(const char *s, long *out)
{
    char *end;
    if (!s || !*s || *s == ' ' || *s == '\t') return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || errno == ERANGE) return -1;
    *out = v;
    return 0;
}
