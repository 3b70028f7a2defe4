/* stream.c - the stream file (layout in descent/stream.h): header encoding
 * and validation, the atomic writer, and opening a file as a data set whose
 * rows are read with pread, one window at a time (stream_iter.c). The
 * header is checked completely (magic, CRC, every size and the products of
 * sizes against the file's length) before anything is allocated. */
#include "data/stream_internal.h"
#include "descent/afile.h"
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char magic[8] = {'D', 'S', 'S', 'T', 'R', 'E', 'A', 'M'};

typedef struct header {
    uint64_t rows;
    uint32_t features, outputs, block_rows;
    int32_t classes;
} header;

static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void encode(const header *h, unsigned char out[DS_STREAM_HEADER_SIZE])
{
    memset(out, 0, DS_STREAM_HEADER_SIZE);
    memcpy(out, magic, 8);
    put_u32(out + 8, DS_STREAM_VERSION);
    put_u32(out + 12, DS_STREAM_HEADER_SIZE);
    put_u32(out + 16, (uint32_t)h->rows);
    put_u32(out + 20, (uint32_t)(h->rows >> 32));
    put_u32(out + 24, h->features);
    put_u32(out + 28, (uint32_t)h->classes);
    put_u32(out + 32, h->outputs);
    put_u32(out + 36, h->block_rows);
    put_u32(out + 60, (uint32_t)crc32(0L, out, 60));
}

/* Bytes of one row on disk: features floats and a label or the targets. */
static size_t row_bytes(const header *h)
{
    return 4 * ((size_t)h->features + (h->classes > 0 ? 1 : (size_t)h->outputs));
}

/* Checks the shapes (shared by the writer and the reader). */
static ds_status check_shape(const char *path, const header *h)
{
    if (h->features < 1 || h->features > DS_STREAM_MAX_WIDTH)
        return ds__fail(DS_ERR_FORMAT, "%s: features %u: need 1..%zu", path, h->features,
                        DS_STREAM_MAX_WIDTH);
    if (h->classes < 0 || (h->classes > 0) == (h->outputs > 0) || h->outputs > DS_STREAM_MAX_WIDTH)
        return ds__fail(DS_ERR_FORMAT,
                        "%s: classes %d, outputs %u: need classes > 0 and outputs 0, or classes 0 "
                        "and outputs 1..%zu",
                        path, (int)h->classes, h->outputs, DS_STREAM_MAX_WIDTH);
    if (h->block_rows < 1 || h->block_rows > DS_STREAM_MAX_BLOCK)
        return ds__fail(DS_ERR_FORMAT, "%s: block of %u rows: need 1..%zu", path, h->block_rows,
                        DS_STREAM_MAX_BLOCK);
    return DS_OK;
}

static ds_status decode(const char *path, const unsigned char in[DS_STREAM_HEADER_SIZE],
                        uint64_t file_size, header *h)
{
    if (memcmp(in, magic, 8) != 0)
        return ds__fail(DS_ERR_FORMAT, "%s: not a descent stream file (no DSSTREAM magic)", path);
    if (get_u32(in + 60) != (uint32_t)crc32(0L, in, 60))
        return ds__fail(DS_ERR_FORMAT, "%s: header CRC mismatch (corrupt file)", path);
    if (get_u32(in + 8) != DS_STREAM_VERSION || get_u32(in + 12) != DS_STREAM_HEADER_SIZE)
        return ds__fail(DS_ERR_FORMAT, "%s: version %u (header %u bytes): this build reads %d",
                        path, get_u32(in + 8), get_u32(in + 12), DS_STREAM_VERSION);
    for (int i = 40; i < 60; i++)
        if (in[i]) return ds__fail(DS_ERR_FORMAT, "%s: reserved header byte %d is not 0", path, i);
    *h = (header){.rows = get_u32(in + 16) | (uint64_t)get_u32(in + 20) << 32,
                  .features = get_u32(in + 24),
                  .classes = (int32_t)get_u32(in + 28),
                  .outputs = get_u32(in + 32),
                  .block_rows = get_u32(in + 36)};
    ds_status s = check_shape(path, h);
    if (s != DS_OK) return s;
    if (h->rows < 1 || h->rows > UINT32_MAX)
        return ds__fail(DS_ERR_FORMAT, "%s: %llu rows: need 1..%u", path,
                        (unsigned long long)h->rows, UINT32_MAX);
    /* rows < 2^32 and row_bytes < 2^23: the product fits in 64 bits. */
    uint64_t want = DS_STREAM_HEADER_SIZE + h->rows * (uint64_t)row_bytes(h);
    if (file_size != want)
        return ds__fail(DS_ERR_FORMAT, "%s: %s: header says %llu bytes, file has %llu", path,
                        file_size < want ? "truncated" : "trailing bytes", (unsigned long long)want,
                        (unsigned long long)file_size);
    return DS_OK;
}

/* ---- Writer ------------------------------------------------------------- */

struct ds_stream_writer {
    ds_afile f;
    header h;
};

ds_status ds_stream_writer_open(const char *path, size_t features, int32_t classes, size_t outputs,
                                size_t block_rows, ds_stream_writer **out)
{
    *out = NULL;
    if (!host_little_endian())
        return ds__fail(DS_ERR_UNSUPPORTED, "stream files need a little-endian host");
    header h = {.features = (uint32_t)features,
                .classes = classes,
                .outputs = (uint32_t)outputs,
                .block_rows = (uint32_t)(block_rows ? block_rows : DS_STREAM_BLOCK_ROWS)};
    if (features > DS_STREAM_MAX_WIDTH || outputs > DS_STREAM_MAX_WIDTH ||
        block_rows > DS_STREAM_MAX_BLOCK || check_shape(path, &h) != DS_OK)
        return ds__fail(DS_ERR_INVALID,
                        "%s: features %zu, classes %d, outputs %zu, block %zu rows: need features "
                        "1..%zu, classes > 0 xor outputs > 0, block 1..%zu",
                        path, features, (int)classes, outputs, block_rows, DS_STREAM_MAX_WIDTH,
                        DS_STREAM_MAX_BLOCK);
    ds_stream_writer *w = calloc(1, sizeof *w);
    if (!w) return ds__nomem("stream writer", sizeof *w);
    w->h = h;
    ds_status s = ds_afile_open(&w->f, path, 0); /* its header is rewritten: a file */
    unsigned char head[DS_STREAM_HEADER_SIZE];
    encode(&h, head); /* rows 0 for now: an unfinished file never validates */
    if (s == DS_OK && fwrite(head, 1, sizeof head, w->f.f) != sizeof head)
        s = ds__fail(DS_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    if (s != DS_OK) {
        ds_stream_writer_abort(w);
        return s;
    }
    *out = w;
    return DS_OK;
}

ds_status ds_stream_writer_append(ds_stream_writer *w, const ds_batch *b)
{
    const header *h = &w->h;
    if (b->features != h->features || (h->classes > 0 ? !b->labels : !b->targets) ||
        (h->classes == 0 && b->outputs != h->outputs))
        return ds__fail(DS_ERR_MISMATCH, "%s: appended rows do not have the file's shape",
                        w->f.path);
    if (h->rows + b->n > UINT32_MAX)
        return ds__fail(DS_ERR_INVALID, "%s: more than %u rows", w->f.path, UINT32_MAX);
    for (size_t i = 0; i < b->n; i++) {
        size_t ok = fwrite(b->x + i * h->features, 4, h->features, w->f.f) == h->features;
        if (h->classes > 0) {
            if (b->labels[i] < 0 || b->labels[i] >= h->classes)
                return ds__fail(DS_ERR_INVALID, "%s: label %d of row %zu not in [0, %d)", w->f.path,
                                (int)b->labels[i], i, (int)h->classes);
            ok = ok && fwrite(b->labels + i, 4, 1, w->f.f) == 1;
        } else {
            ok = ok && fwrite(b->targets + i * h->outputs, 4, h->outputs, w->f.f) == h->outputs;
        }
        if (!ok) return ds__fail(DS_ERR_IO, "%s: write failed: %s", w->f.path, strerror(errno));
    }
    w->h.rows += b->n;
    return DS_OK;
}

ds_status ds_stream_writer_commit(ds_stream_writer *w)
{
    unsigned char head[DS_STREAM_HEADER_SIZE];
    ds_status s = DS_OK;
    encode(&w->h, head);
    if (w->h.rows == 0)
        s = ds__fail(DS_ERR_INVALID, "%s: a stream file needs at least one row", w->f.path);
    else if (fseek(w->f.f, 0, SEEK_SET) != 0 || fwrite(head, 1, sizeof head, w->f.f) != sizeof head)
        s = ds__fail(DS_ERR_IO, "%s: write failed: %s", w->f.path, strerror(errno));
    if (s != DS_OK) {
        ds_stream_writer_abort(w);
        return s;
    }
    s = ds_afile_commit(&w->f);
    free(w);
    return s;
}

void ds_stream_writer_abort(ds_stream_writer *w)
{
    if (!w) return;
    ds_afile_abort(&w->f);
    free(w);
}

/* ---- Reader -------------------------------------------------------------- */

void ds__stream_close(struct ds__stream *s)
{
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    free(s->path);
    free(s);
}

ds_status ds__stream_read(const struct ds__stream *s, size_t first, size_t count, void *buf)
{
    size_t len = count * s->row_bytes, done = 0;
    off_t at = (off_t)DS_STREAM_HEADER_SIZE + (off_t)first * (off_t)s->row_bytes;
    while (done < len) {
        ssize_t k = pread(s->fd, (char *)buf + done, len - done, at + (off_t)done);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return ds__fail(DS_ERR_IO, "%s: read failed: %s", s->path, strerror(errno));
        if (k == 0)
            return ds__fail(DS_ERR_FORMAT, "%s: file shrank while reading rows %zu..%zu", s->path,
                            first, first + count);
        done += (size_t)k;
    }
    return DS_OK;
}

/* Reads and validates the header of the open file fd. */
static ds_status read_header(const char *path, int fd, header *h)
{
    unsigned char head[DS_STREAM_HEADER_SIZE];
    struct stat st;
    if (fstat(fd, &st) != 0) return ds__fail(DS_ERR_IO, "%s: %s", path, strerror(errno));
    if (st.st_size < DS_STREAM_HEADER_SIZE)
        return ds__fail(DS_ERR_FORMAT, "%s: %lld bytes, shorter than the %d-byte header", path,
                        (long long)st.st_size, DS_STREAM_HEADER_SIZE);
    ssize_t k = pread(fd, head, sizeof head, 0);
    if (k != (ssize_t)sizeof head)
        return ds__fail(DS_ERR_IO, "%s: cannot read the header: %s", path, strerror(errno));
    return decode(path, head, (uint64_t)st.st_size, h);
}

ds_status ds_stream_open(const char *path, size_t window, ds_dataset **out)
{
    *out = NULL;
    if (!host_little_endian())
        return ds__fail(DS_ERR_UNSUPPORTED, "%s: stream files need a little-endian host", path);
    if (window > 4096)
        return ds__fail(DS_ERR_INVALID, "%s: window %zu: need 1..4096", path, window);
    header h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ds__fail(DS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    ds_status s = read_header(path, fd, &h);
    struct ds__stream *st = s == DS_OK ? calloc(1, sizeof *st) : NULL;
    ds_dataset *d = st ? calloc(1, sizeof *d) : NULL;
    char *name = d ? strdup(path) : NULL;
    if (s == DS_OK && !name) s = ds__nomem("stream data set", sizeof *d);
    if (s != DS_OK) {
        free(st), free(d), free(name), close(fd);
        return s;
    }
    *st = (struct ds__stream){.fd = fd,
                              .path = name,
                              .rows = (size_t)h.rows,
                              .block_rows = h.block_rows,
                              .row_bytes = row_bytes(&h),
                              .window = window ? window : DS_STREAM_WINDOW};
    *d = (ds_dataset){.n = (size_t)h.rows,
                      .features = h.features,
                      .outputs = h.outputs,
                      .classes = h.classes,
                      .stream = st};
    *out = d;
    return DS_OK;
}

int ds_dataset_is_streamed(const ds_dataset *d)
{
    return d && d->stream != NULL;
}
