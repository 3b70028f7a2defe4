/* descent/checkpoint.h - the one checkpoint format of descent.
 *
 * A checkpoint is a set of named, typed records: the model (its description
 * and parameters), the optimizer (its canonical spec and every named state
 * entry, matched by name, never by position), the schedule, plateau and EMA
 * state, the RNG and the position in the data. The training API
 * (descent/train.h) fills and reads one; this header is the container and
 * its file format, usable on its own (e.g. to save an optimizer's state
 * around a hand-written model).
 *
 * File layout (all integers little-endian):
 *   header, 32 bytes:
 *     0  char[8]  magic "DESCENT\x1a" (\x1a stops `type` on some systems)
 *     8  u32      format version (DS_CKPT_VERSION)
 *     12 u32      number of records
 *     16 u64      payload size in bytes
 *     24 u32      CRC-32 (zlib crc32) of the payload
 *     28 u32      CRC-32 of bytes 0..27, so a damaged header is caught before
 *                 its sizes are trusted
 *   payload: the records, each
 *     u32 name length (1..DS_CKPT_NAME_MAX), the name (no NUL),
 *     u32 type (ds_ckpt_type), u64 element count, count * size(type) bytes.
 * Every size is validated against the file's actual size before anything is
 * allocated. Files are written atomically (temporary file in the same folder,
 * fsync, rename, fsync of the folder), so a crash during a save leaves the
 * previous checkpoint intact. */
#ifndef DESCENT_CHECKPOINT_H
#define DESCENT_CHECKPOINT_H

#include "descent/export.h"

#include "descent/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DS_CKPT_VERSION  1u
#define DS_CKPT_NAME_MAX 255

typedef enum ds_ckpt_type {
    DS_CKPT_F32 = 0, /* float */
    DS_CKPT_F64 = 1, /* double */
    DS_CKPT_I64 = 2, /* int64_t (also raw 64-bit words such as RNG state) */
    DS_CKPT_TEXT = 3 /* bytes; count excludes the terminating NUL */
} ds_ckpt_type;

typedef struct ds_ckpt ds_ckpt;

/* An empty checkpoint, or NULL (DS_ERR_NOMEM). Free with ds_ckpt_free. */
DS_API ds_ckpt *ds_ckpt_new(void);

/* Frees the checkpoint and every record. NULL is a no-op. */
DS_API void ds_ckpt_free(ds_ckpt *c);

/* Adds (or replaces) record `name`, copying count elements from data.
 * DS_ERR_INVALID for an empty or too long name, DS_ERR_NOMEM; the checkpoint
 * is unchanged on failure. */
DS_API ds_status ds_ckpt_put(ds_ckpt *c, const char *name, ds_ckpt_type type, const void *data,
                             size_t count);

/* Shorthands for one value and for a NUL-terminated text. */
DS_API ds_status ds_ckpt_put_i64(ds_ckpt *c, const char *name, int64_t v);
DS_API ds_status ds_ckpt_put_f64(ds_ckpt *c, const char *name, double v);
DS_API ds_status ds_ckpt_put_text(ds_ckpt *c, const char *name, const char *text);

/* The record's data (owned by the checkpoint, valid until it changes or is
 * freed) and its count, or NULL if there is no record `name` of that type
 * (DS_ERR_NOT_FOUND message, or DS_ERR_MISMATCH naming both types). Text
 * records are NUL-terminated. */
DS_API const void *ds_ckpt_find(const ds_ckpt *c, const char *name, ds_ckpt_type type,
                                size_t *count);

/* Copies record `name` into dst; its count must be exactly `count`.
 * DS_ERR_NOT_FOUND, or DS_ERR_MISMATCH naming the record and both counts. */
DS_API ds_status ds_ckpt_get(const ds_ckpt *c, const char *name, ds_ckpt_type type, void *dst,
                             size_t count);
DS_API ds_status ds_ckpt_get_i64(const ds_ckpt *c, const char *name, int64_t *v);
DS_API ds_status ds_ckpt_get_f64(const ds_ckpt *c, const char *name, double *v);

/* Number of records and the name of record i (insertion order), for tools. */
DS_API size_t ds_ckpt_count(const ds_ckpt *c);
DS_API const char *ds_ckpt_name(const ds_ckpt *c, size_t i);

/* Writes the checkpoint to `path` atomically, keeping the file's mode (a
 * symlink's target is replaced; a device or FIFO is written in place; a
 * directory is refused with DS_ERR_INVALID). DS_ERR_IO naming the file
 * (also when its folder has less free space than the file needs: checked
 * before the temporary file is created); on failure the previous file at
 * `path`, if any, is untouched. */
DS_API ds_status ds_ckpt_save(const ds_ckpt *c, const char *path);

/* Reads a checkpoint into *out (the caller frees it). On failure *out is
 * NULL and the status is DS_ERR_IO (cannot open/read), DS_ERR_NOMEM or
 * DS_ERR_FORMAT, with a message naming the file and the problem: "not a
 * descent checkpoint", "truncated", "header/payload CRC mismatch", "format
 * version N, this build reads version 1", a bad record. */
DS_API ds_status ds_ckpt_load(const char *path, ds_ckpt **out);

/* Same, from memory (`what` names the source in messages). */
DS_API ds_status ds_ckpt_load_mem(const void *data, size_t size, const char *what, ds_ckpt **out);

struct ds_optim;

/* Stores the optimizer: "optim.spec" (ds_opt_format of every group's
 * options, "|"-separated) and every state entry as "optim.<entry name>". */
DS_API ds_status ds_ckpt_put_optim(ds_ckpt *c, const struct ds_optim *opt);

/* Restores the state saved by ds_ckpt_put_optim into an optimizer built with
 * the same options over same-sized groups. DS_ERR_MISMATCH when the stored
 * spec differs from opt's (message shows both) or an entry's size differs;
 * DS_ERR_NOT_FOUND for a missing entry. On failure opt's state may be partly
 * overwritten: call ds_optim_reset or discard it. */
DS_API ds_status ds_ckpt_get_optim(const ds_ckpt *c, struct ds_optim *opt);

#ifdef __cplusplus
}
#endif
#endif
