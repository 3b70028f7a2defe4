/* atomic_file.h - crash-safe output: a file is either the old version or the
 * complete new one, never a mix (private to the library).
 *
 * Protocol (the one SQLite and LevelDB rely on, see rename(2) and
 * https://lwn.net/Articles/457667/): write a temporary file in the SAME
 * folder (rename is atomic only within one file system), fsync it, rename it
 * over the target, then fsync the folder so the new directory entry itself
 * survives a crash. A failure at any point leaves the target untouched and
 * removes the temporary file. */
#ifndef DESCENT_ATOMIC_FILE_H
#define DESCENT_ATOMIC_FILE_H

#include "descent/error.h"

#include <stdio.h>

typedef struct ds__afile {
    FILE *f;    /* write here between _open and _commit/_abort */
    char *path; /* the target (owned copy) */
    char *tmp;  /* the temporary file's name (owned) */
} ds__afile;

/* Creates PATH.tmp.XXXXXX next to path and opens it for writing. On failure
 * (DS_ERR_IO naming the folder, DS_ERR_NOMEM) *a is zeroed and nothing exists. */
ds_status ds__afile_open(ds__afile *a, const char *path);

/* Flushes, fsyncs, closes and renames the temporary file over the target,
 * then fsyncs the folder. Always releases *a; on failure (DS_ERR_IO naming
 * the file and the errno text) the temporary file is removed and the target
 * keeps its previous content. */
ds_status ds__afile_commit(ds__afile *a);

/* Closes and removes the temporary file; the target is untouched. Safe on a
 * zeroed or already released *a. */
void ds__afile_abort(ds__afile *a);

/* Writes `len` bytes as the whole new content of `path`, atomically. */
ds_status ds__write_file_atomic(const char *path, const void *data, size_t len);

#endif
