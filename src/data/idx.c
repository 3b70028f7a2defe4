/* idx.c - the IDX reader (MNIST / Fashion-MNIST files), raw or gzip.
 *
 * Format (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT"): bytes 0-1
 * zero, byte 2 the element type (0x08 unsigned byte ... 0x0E double), byte 3
 * the number of dimensions, then one big-endian uint32 size per dimension,
 * then the elements. descent reads unsigned-byte files (every MNIST-family
 * file is one). zfile.c recognises gzip by its magic 1f 8b and reads
 * anything else as-is, so one code path serves both.
 *
 * Everything in the header is checked before anything is allocated: for a
 * raw file the body length must equal the header's exactly (from fstat); a
 * gzip file's length is unknown until inflated, so its declared size must be
 * within DS_IDX_MAX_ELEMENTS and within what deflate can expand the file to,
 * and the stream is then read to its end to prove it holds exactly that. */
#include "data/data_internal.h"
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Deflate expands at most 1032:1 (zlib FAQ / RFC 1951 block limits); the
 * slack covers headers and tiny files. */
#define DS__DEFLATE_MAX_RATIO 1032u
#define DS__IDX_CHUNK         (1u << 20)

typedef struct idx_file {
    const char *path;
    const char *what; /* "pixel" or "label", for messages */
    ds__zfile zf;
    int size_known;     /* raw regular file: file_size is its length */
    uint64_t file_size; /* bytes on disk */
    int ndims;
    uint32_t dims[4];
    uint64_t count; /* elements in the body */
} idx_file;

/* The message for a body that ends before the header's count. */
static ds_status truncated(const idx_file *f, uint64_t done)
{
    return ds__fail(DS_ERR_FORMAT, "%s: truncated: header says %llu %s bytes, file has %llu",
                    f->path, (unsigned long long)f->count, f->what, (unsigned long long)done);
}

/* Reads exactly n bytes of the header; a short read is "truncated". */
static ds_status read_header_bytes(idx_file *f, unsigned char *buf, unsigned n)
{
    size_t got;
    ds_status s = ds__zfile_read(&f->zf, buf, n, &got);
    if (s != DS_OK || got == n) return s;
    return ds__fail(DS_ERR_FORMAT, "%s: truncated: the IDX header needs %u more bytes", f->path,
                    n - (unsigned)got);
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case 0x09:
        return "signed byte";
    case 0x0B:
        return "short";
    case 0x0C:
        return "int";
    case 0x0D:
        return "float";
    case 0x0E:
        return "double";
    default:
        return "unknown";
    }
}

/* Checks magic, type and dimensions; sets ndims, dims and count. */
static ds_status parse_header(idx_file *f)
{
    unsigned char h[16];
    ds_status s = read_header_bytes(f, h, 4);
    if (s != DS_OK) return s;
    if (h[0] != 0 || h[1] != 0)
        return ds__fail(DS_ERR_FORMAT,
                        "%s: bad magic %02x %02x %02x %02x: an IDX file starts with two zero "
                        "bytes, a type byte and a dimension count",
                        f->path, h[0], h[1], h[2], h[3]);
    if (h[2] != 0x08)
        return ds__fail(DS_ERR_FORMAT,
                        "%s: element type 0x%02x (%s) not supported: descent reads unsigned-byte "
                        "(0x08) IDX files",
                        f->path, h[2], type_name(h[2]));
    if (h[3] < 1 || h[3] > 4)
        return ds__fail(DS_ERR_FORMAT, "%s: %u dimensions: an IDX file here has 1 to 4", f->path,
                        h[3]);
    f->ndims = h[3];
    if ((s = read_header_bytes(f, h, 4u * h[3])) != DS_OK) return s;
    f->count = 1;
    for (int i = 0; i < f->ndims; i++) {
        const unsigned char *b = h + 4 * i;
        f->dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (f->dims[i] == 0) return ds__fail(DS_ERR_FORMAT, "%s: dimension %d is 0", f->path, i);
        if (f->count > DS_IDX_MAX_ELEMENTS / f->dims[i])
            return ds__fail(DS_ERR_FORMAT,
                            "%s: sizes multiply to more than %llu elements (the accepted limit)",
                            f->path, (unsigned long long)DS_IDX_MAX_ELEMENTS);
        f->count *= f->dims[i];
    }
    return DS_OK;
}

/* Before allocating: does the file have room for the body the header claims? */
static ds_status check_length(const idx_file *f)
{
    uint64_t header = 4 + 4 * (uint64_t)f->ndims;
    if (f->size_known) {
        uint64_t body = f->file_size - header;
        if (body != f->count)
            return ds__fail(DS_ERR_FORMAT, "%s: %s: header says %llu %s bytes, file has %llu",
                            f->path, body < f->count ? "truncated" : "trailing bytes",
                            (unsigned long long)f->count, f->what, (unsigned long long)body);
    } else if (f->zf.gzip && f->file_size != UINT64_MAX &&
               f->count / DS__DEFLATE_MAX_RATIO > f->file_size + 1024) {
        return ds__fail(DS_ERR_FORMAT,
                        "%s: truncated: header says %llu %s bytes, more than a %llu-byte gzip "
                        "file can hold",
                        f->path, (unsigned long long)f->count, f->what,
                        (unsigned long long)f->file_size);
    }
    return DS_OK;
}

static void idx_close(idx_file *f)
{
    ds__zfile_close(&f->zf);
}

/* Opens `path` and validates its header and length; nothing is allocated
 * but the read buffers. On failure the file is closed. */
static ds_status idx_open(idx_file *f, const char *path, const char *what)
{
    *f = (idx_file){.path = path, .what = what};
    ds_status s = ds__zfile_open(&f->zf, path);
    if (s != DS_OK) return s;
    struct stat st;
    if (fstat(f->zf.fd, &st) != 0) st.st_mode = 0;
    f->file_size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
    f->size_known = S_ISREG(st.st_mode) && !f->zf.gzip;
    s = parse_header(f);
    if (s == DS_OK) s = check_length(f);
    if (s != DS_OK) idx_close(f);
    return s;
}

/* Where the body's bytes go: convert n bytes that start at element `at`. */
typedef void (*idx_sink)(void *dst, uint64_t at, const unsigned char *src, size_t n);

static void sink_pixels(void *dst, uint64_t at, const unsigned char *src, size_t n)
{
    float *x = (float *)dst + at;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)src[i] / 255.0f;
}

static void sink_labels(void *dst, uint64_t at, const unsigned char *src, size_t n)
{
    int32_t *y = (int32_t *)dst + at;
    for (size_t i = 0; i < n; i++)
        y[i] = src[i];
}

/* Streams the body through `sink`, then proves the stream ends there. */
static ds_status idx_read_body(idx_file *f, idx_sink sink, void *dst)
{
    unsigned char *buf = malloc(DS__IDX_CHUNK);
    if (!buf) return ds__nomem("IDX read buffer", DS__IDX_CHUNK);
    uint64_t done = 0, extra = 0;
    size_t got = 1;
    ds_status s = DS_OK;
    while (s == DS_OK && done < f->count && got > 0) {
        uint64_t want = f->count - done < DS__IDX_CHUNK ? f->count - done : DS__IDX_CHUNK;
        if ((s = ds__zfile_read(&f->zf, buf, (size_t)want, &got)) != DS_OK) break;
        sink(dst, done, buf, got);
        done += got;
    }
    if (s == DS_OK && done < f->count) s = truncated(f, done);
    while (s == DS_OK && got > 0) { /* anything after the body is an error */
        s = ds__zfile_read(&f->zf, buf, DS__IDX_CHUNK, &got);
        extra += got;
    }
    free(buf);
    if (s == DS_OK && extra > 0)
        s = ds__fail(DS_ERR_FORMAT, "%s: trailing bytes: header says %llu %s bytes, file has %llu",
                     f->path, (unsigned long long)f->count, f->what,
                     (unsigned long long)(done + extra));
    return s;
}

/* Checks labels against `classes` (> 0) or sets it to max + 1. */
static ds_status check_labels(const idx_file *f, ds_dataset *d, int32_t classes)
{
    int32_t max = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (classes > 0 && d->labels[i] >= classes)
            return ds__fail(DS_ERR_FORMAT,
                            "%s: label %d at index %zu is out of range: %d classes (0..%d)",
                            f->path, d->labels[i], i, classes, classes - 1);
        if (d->labels[i] > max) max = d->labels[i];
    }
    d->classes = classes > 0 ? classes : max + 1;
    return DS_OK;
}

static ds_status check_pair(const idx_file *img, const idx_file *lab)
{
    if (lab->ndims != 1)
        return ds__fail(DS_ERR_FORMAT, "%s: a labels file has 1 dimension, this one has %d",
                        lab->path, lab->ndims);
    if (img->dims[0] != lab->dims[0])
        return ds__fail(DS_ERR_MISMATCH, "%s has %u images but %s has %u labels", img->path,
                        img->dims[0], lab->path, lab->dims[0]);
    return DS_OK;
}

ds_status ds_idx_load(const char *images_path, const char *labels_path, int32_t classes,
                      ds_dataset **out)
{
    *out = NULL;
    if (classes < 0) return ds__fail(DS_ERR_INVALID, "classes must be >= 0 (got %d)", classes);
    idx_file img, lab;
    ds_status s = idx_open(&img, images_path, "pixel");
    if (s != DS_OK) return s;
    if ((s = idx_open(&lab, labels_path, "label")) != DS_OK) {
        idx_close(&img);
        return s;
    }
    ds_dataset *d = NULL;
    if ((s = check_pair(&img, &lab)) == DS_OK) {
        d = ds_dataset_create(img.dims[0], (size_t)(img.count / img.dims[0]), 1, 0);
        s = d ? DS_OK : DS_ERR_NOMEM;
    }
    if (s == DS_OK) s = idx_read_body(&img, sink_pixels, d->x);
    if (s == DS_OK) s = idx_read_body(&lab, sink_labels, d->labels);
    if (s == DS_OK) s = check_labels(&lab, d, classes);
    idx_close(&img);
    idx_close(&lab);
    if (s != DS_OK)
        ds_dataset_free(d);
    else
        *out = d;
    return s;
}
