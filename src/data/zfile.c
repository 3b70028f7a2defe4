/* zfile.c - reads a data file that may be gzip-compressed (RFC 1952), for
 * the IDX and CSV readers.
 *
 * zlib's gzread would do, but it ignores whatever follows the last gzip
 * member ("trailing garbage is ignored"), so a damaged or concatenated-with-
 * junk file loads silently. Here inflate runs directly: a file starting
 * with 1f 8b is read member after member, and after a member only the end
 * of the file or another member's magic is accepted. Anything else is read
 * as raw bytes. */
#include "data/data_internal.h"
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZFILE_CHUNK (1u << 20)

/* Refills the input buffer; 0 bytes at the end of the file. */
static ds_status fill(ds__zfile *f)
{
    ssize_t got;
    do
        got = read(f->fd, f->in, ZFILE_CHUNK);
    while (got < 0 && errno == EINTR);
    if (got < 0) return ds__fail(DS_ERR_IO, "%s: read error: %s", f->path, strerror(errno));
    f->z.next_in = f->in;
    f->z.avail_in = (uInt)got;
    f->at_eof = got == 0;
    return DS_OK;
}

ds_status ds__zfile_open(ds__zfile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->fd = open(path, O_RDONLY);
    if (f->fd < 0) return ds__fail(DS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    f->in = malloc(ZFILE_CHUNK);
    ds_status s = f->in ? fill(f) : ds__nomem("read buffer", ZFILE_CHUNK);
    f->gzip = s == DS_OK && f->z.avail_in >= 2 && f->in[0] == 0x1f && f->in[1] == 0x8b;
    /* 15 + 16: a gzip wrapper, the largest window */
    if (s == DS_OK && f->gzip && inflateInit2(&f->z, 15 + 16) != Z_OK)
        s = ds__nomem("gzip state", sizeof f->z);
    f->inflating = f->gzip && s == DS_OK;
    if (s != DS_OK) ds__zfile_close(f);
    return s;
}

/* After a member's end: the file must end, or hold another member. */
static ds_status next_member(ds__zfile *f)
{
    ds_status s = f->z.avail_in == 0 ? fill(f) : DS_OK;
    if (s != DS_OK || f->z.avail_in == 0) return f->done = 1, s;
    if (f->z.avail_in == 1 && !f->at_eof) { /* a magic split by the buffer: rare, read on */
        f->in[0] = f->z.next_in[0];
        ssize_t got = read(f->fd, f->in + 1, ZFILE_CHUNK - 1);
        f->z.next_in = f->in, f->z.avail_in = 1 + (uInt)(got > 0 ? got : 0);
    }
    if (f->z.avail_in >= 2 && f->z.next_in[0] == 0x1f && f->z.next_in[1] == 0x8b)
        return inflateReset(&f->z) == Z_OK ? DS_OK : ds__nomem("gzip state", 0);
    return ds__fail(DS_ERR_FORMAT,
                    "%s: trailing bytes after the gzip data: a gzip file ends with its last "
                    "member (recompress it, or give the uncompressed file)",
                    f->path);
}

/* Inflates into buf[0, n); *got is what came out. */
static ds_status inflate_some(ds__zfile *f, unsigned char *buf, size_t n, size_t *got)
{
    f->z.next_out = buf;
    f->z.avail_out = (uInt)n;
    while (f->z.avail_out > 0 && !f->done) {
        ds_status s = f->z.avail_in == 0 && !f->at_eof ? fill(f) : DS_OK;
        if (s != DS_OK) return s;
        int rc = inflate(&f->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END && (s = next_member(f)) != DS_OK) return s;
        if (rc == Z_BUF_ERROR && f->z.avail_in == 0 && f->at_eof)
            return ds__fail(DS_ERR_FORMAT, "%s: truncated: the gzip stream ends early", f->path);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return ds__fail(DS_ERR_FORMAT, "%s: corrupt gzip data (zlib: %s)", f->path,
                            f->z.msg ? f->z.msg : "error");
    }
    *got = n - f->z.avail_out;
    return DS_OK;
}

ds_status ds__zfile_read(ds__zfile *f, void *buf, size_t n, size_t *got)
{
    unsigned char *out = buf;
    size_t done = 0;
    while (done < n) {
        size_t k = 0;
        ds_status s = DS_OK;
        if (f->inflating) {
            /* avail_out is 32-bit: at most 1 GiB a call */
            s = inflate_some(f, out + done, n - done < (1u << 30) ? n - done : (1u << 30), &k);
        } else if ((f->z.avail_in > 0 || (s = fill(f)) == DS_OK) && f->z.avail_in > 0) {
            k = f->z.avail_in < n - done ? f->z.avail_in : n - done;
            memcpy(out + done, f->z.next_in, k);
            f->z.next_in += k, f->z.avail_in -= (uInt)k;
        }
        if (s != DS_OK) return s;
        if (k == 0) break; /* the end of the data */
        done += k;
    }
    *got = done;
    return DS_OK;
}

void ds__zfile_close(ds__zfile *f)
{
    if (f->inflating) inflateEnd(&f->z);
    if (f->fd >= 0) close(f->fd);
    free(f->in);
    f->fd = -1, f->in = NULL, f->inflating = 0;
}
