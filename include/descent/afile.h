/* afile.h - crash-safe output that never harms what is at the path. Every
 * file descent writes (checkpoints, logs, figures, reports, stream files)
 * goes through it, and a program can use it for its own outputs.
 *
 * The target is looked at first (lstat, as git's lockfile, coreutils'
 * install and SQLite do), then:
 * - nothing there, or a regular file: the protocol SQLite and LevelDB rely
 *   on (see rename(2) and https://lwn.net/Articles/457667/): write a
 *   temporary file in the SAME folder (rename is atomic only within one file
 *   system), fsync it, rename it over the target, then fsync the folder so
 *   the new directory entry itself survives a crash. A reader sees the old
 *   version or the complete new one, never a mix; a failure at any point
 *   leaves the target untouched and removes the temporary file. A replaced
 *   file keeps its permission bits, and its owner and group when running as
 *   root; a new file gets 0666 minus the umask, as `>` in a shell.
 * - a symlink: followed (chains too, up to 40 links; a dangling link names
 *   the file to create) and its final target replaced as above, so the link
 *   stays a link and points at the new content.
 * - a character device, a FIFO or a socket: a stream, opened and written in
 *   place (no O_CREAT, no O_TRUNC, never renamed over); a socket is
 *   connected to (AF_UNIX, SOCK_STREAM). Bytes already written to a stream
 *   cannot be taken back, so a failure there may leave part of the output.
 *   Only where the caller allows it (DS_AFILE_STREAM_OK): an output that
 *   is re-read or seeked must be a file.
 * - a directory, a block device or anything else: refused (DS_ERR_INVALID
 *   naming the path and its type), nothing touched. */
#ifndef DESCENT_AFILE_H
#define DESCENT_AFILE_H

#include "descent/error.h"
#include "descent/export.h"

#include <stdio.h>
#include <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What writing to a path does, from ds_afile_target. */
typedef enum ds_target_kind {
    DS_TARGET_NEW,    /* nothing there yet: a new file is created */
    DS_TARGET_FILE,   /* a regular file: replaced atomically */
    DS_TARGET_STREAM, /* a character device, FIFO or socket: written in place */
} ds_target_kind;

typedef struct ds_target {
    ds_target_kind kind;
    char *path;     /* the path with every symlink followed (owned) */
    struct stat st; /* of that file; zeroed for DS_TARGET_NEW */
} ds_target;

/* Looks at `path` without changing anything: follows symlinks and stats
 * what they lead to. DS_ERR_INVALID for a directory, a block device or
 * another type (the message names the path and the type), or a symlink
 * loop; DS_ERR_IO when the path cannot be examined; DS_ERR_NOMEM. On
 * failure *t is zeroed. Release with ds_target_free. */
DS_API ds_status ds_afile_target(const char *path, ds_target *t);
DS_API void ds_target_free(ds_target *t);

/* ds_afile_open flags. */
enum { DS_AFILE_STREAM_OK = 1 }; /* a device, FIFO or socket is written in place */

typedef struct ds_afile {
    FILE *f;    /* write here between _open and _commit/_abort */
    char *path; /* the file written: the target, symlinks followed (owned) */
    char *tmp;  /* the temporary file's name (owned); NULL for a stream */
} ds_afile;

/* Opens the output `path` as described above: for a file, creates
 * TARGET.tmp.XXXXXX next to the target; for a stream (with
 * DS_AFILE_STREAM_OK, else DS_ERR_INVALID), opens it in place (a FIFO
 * waits for its reader, as `>` in a shell does). On failure (DS_ERR_INVALID,
 * DS_ERR_IO naming the path, DS_ERR_NOMEM) *a is zeroed and nothing exists. */
DS_API ds_status ds_afile_open(ds_afile *a, const char *path, int flags);

/* Flushes, fsyncs, closes and renames the temporary file over the target,
 * then fsyncs the folder; a stream is flushed and closed. Always releases
 * *a; on failure (DS_ERR_IO naming the file and the errno text) the
 * temporary file is removed and the target keeps its previous content. */
DS_API ds_status ds_afile_commit(ds_afile *a);

/* Closes and removes the temporary file; the target is untouched. Safe on a
 * zeroed or already released *a. */
DS_API void ds_afile_abort(ds_afile *a);

/* Writes `len` bytes as the whole new content of `path`: atomically for a
 * file, in place for a stream (DS_AFILE_STREAM_OK). */
DS_API ds_status ds_write_file_atomic(const char *path, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
