/* error.c - thread-local last-error message behind ds_last_error().
 *
 * Library code reports failure with ds__fail(status, fmt, ...), which formats
 * the message and returns the status so call sites stay one line:
 *     return ds__fail(DS_ERR_INVALID, "lr must be >= 0 (got %g)", lr); */
#include "descent/error.h"
#include "core/internal.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char ds__msg[1024];
static _Thread_local ds_status ds__status;

const char *ds_status_str(ds_status s)
{
    static const char *const names[] = {
        [DS_OK] = "ok",
        [DS_ERR_INVALID] = "invalid argument",
        [DS_ERR_PARSE] = "parse error",
        [DS_ERR_NOMEM] = "out of memory",
        [DS_ERR_IO] = "input/output error",
        [DS_ERR_FORMAT] = "malformed file",
        [DS_ERR_MISMATCH] = "size mismatch",
        [DS_ERR_NONFINITE] = "non-finite value",
        [DS_ERR_NOT_FOUND] = "not found",
        [DS_ERR_UNSUPPORTED] = "unsupported",
        [DS_ERR_INTERRUPTED] = "interrupted",
        [DS_ERR_MPI] = "MPI failure",
    };
    if ((unsigned)s < sizeof names / sizeof names[0] && names[s]) return names[s];
    return "unknown status";
}

const char *ds_last_error(void)
{
    return ds__msg;
}

ds_status ds_last_status(void)
{
    return ds__status;
}

void ds_clear_error(void)
{
    ds__msg[0] = '\0';
    ds__status = DS_OK;
}

ds_status ds_set_error(ds_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ds__msg, sizeof ds__msg, fmt, ap);
    va_end(ap);
    ds__status = s;
    return s;
}

ds_status ds__nomem(const char *what, size_t bytes)
{
    return ds__fail(DS_ERR_NOMEM, "out of memory allocating %zu bytes for %s", bytes, what);
}
