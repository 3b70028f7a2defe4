/* descent/error.h - status codes and the last-error message.
 *
 * Every fallible library function returns a ds_status (or NULL for
 * constructors) and, on failure, leaves a human-readable message that names
 * the offending item and what is accepted, in the style of stb_image's
 * stbi_failure_reason(). The message is thread-local, so threads that use
 * separate objects never see each other's errors. The library never prints,
 * never calls exit() or abort(). */
#ifndef DESCENT_ERROR_H
#define DESCENT_ERROR_H

#include "descent/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ds_status {
    DS_OK = 0,
    DS_ERR_INVALID,     /* bad argument or option value (user input) */
    DS_ERR_PARSE,       /* malformed spec, number or text */
    DS_ERR_NOMEM,       /* allocation failed */
    DS_ERR_IO,          /* open/read/write/rename failed */
    DS_ERR_FORMAT,      /* file content malformed, truncated or corrupt */
    DS_ERR_MISMATCH,    /* sizes or descriptions disagree (model vs data, ...) */
    DS_ERR_NONFINITE,   /* a loss or gradient became NaN or infinite */
    DS_ERR_NOT_FOUND,   /* a named item (state buffer, column) does not exist */
    DS_ERR_UNSUPPORTED, /* valid request this build or rule cannot serve */
    DS_ERR_INTERRUPTED, /* stopped on request (signal) */
    DS_ERR_MPI          /* a distributed operation failed */
} ds_status;

/* A short constant name for a status ("invalid argument", ...). Never NULL. */
DS_API const char *ds_status_str(ds_status s);

/* The message left by the last failing call on this thread, or "" if none.
 * The pointer stays valid until the next failing call on this thread. */
DS_API const char *ds_last_error(void);

/* Leaves a printf-formatted message for ds_last_error() and returns s, for
 * code that plugs into the library and reports failures the library's way
 * (a ds_comm of ds_train_params, libdescent-mpi):
 *     return ds_set_error(DS_ERR_IO, "cannot read '%s'", path); */
DS_API ds_status ds_set_error(ds_status s, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The status of that call (DS_OK if none): lets a program tell, say, an
 * allocation failure from bad input without reading the message. */
DS_API ds_status ds_last_status(void);

/* Clears the message (ds_last_error() then returns ""). */
DS_API void ds_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
