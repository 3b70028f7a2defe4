/* checkpoint.c - named, typed records in one CRC-checked file (layout in
 * include/descent/checkpoint.h). The loader trusts nothing: the header has
 * its own CRC, every size is checked against the bytes actually present
 * before anything is allocated, and the payload CRC (zlib crc32, the
 * polynomial of PNG and gzip, RFC 1952) catches flipped bits. */
#include "descent/checkpoint.h"
#include "descent/model.h"
#include "descent/optim.h"

#include "descent/afile.h"
#include "core/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint.c stores arrays as they lie in memory: little-endian hosts only"
#endif

#define HEADER_SIZE 32
static const char MAGIC[8] = {'D', 'E', 'S', 'C', 'E', 'N', 'T', '\x1a'};

typedef struct rec {
    char *name;
    ds_ckpt_type type;
    size_t count;
    void *data; /* count elements (+ a NUL for text) */
} rec;

struct ds_ckpt {
    rec *r;
    size_t n, cap;
};

static const char *const type_names[] = {"f32", "f64", "i64", "text"};

static size_t elem_size(ds_ckpt_type t)
{
    return t == DS_CKPT_F32 ? 4 : t == DS_CKPT_TEXT ? 1 : 8;
}

ds_ckpt *ds_ckpt_new(void)
{
    ds_ckpt *c = calloc(1, sizeof *c);
    if (!c) ds__nomem("a checkpoint", sizeof *c);
    return c;
}

void ds_ckpt_free(ds_ckpt *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->r[i].name);
        free(c->r[i].data);
    }
    free(c->r);
    free(c);
}

static rec *find(const ds_ckpt *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->r[i].name, name) == 0) return &c->r[i];
    return NULL;
}

ds_status ds_ckpt_put(ds_ckpt *c, const char *name, ds_ckpt_type type, const void *data,
                      size_t count)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > DS_CKPT_NAME_MAX)
        return ds__fail(DS_ERR_INVALID, "checkpoint record name must have 1..%d characters",
                        DS_CKPT_NAME_MAX);
    if ((unsigned)type > DS_CKPT_TEXT)
        return ds__fail(DS_ERR_INVALID, "checkpoint record '%s': unknown type %d", name, type);
    size_t bytes = count * elem_size(type);
    if (count && bytes / count != elem_size(type))
        return ds__fail(DS_ERR_INVALID, "checkpoint record '%s' is too large", name);
    void *copy = malloc(bytes + 1);
    char *nm = strdup(name);
    rec *old = find(c, name);
    if (!old && c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        rec *r = realloc(c->r, cap * sizeof *r);
        if (r) c->r = r, c->cap = cap;
    }
    if (!copy || !nm || (!old && c->n == c->cap)) {
        free(copy);
        free(nm);
        return ds__nomem("a checkpoint record", bytes);
    }
    if (bytes) memcpy(copy, data, bytes);
    ((char *)copy)[bytes] = '\0';
    rec *r = old ? old : &c->r[c->n++];
    if (old) free(old->name), free(old->data);
    *r = (rec){nm, type, count, copy};
    return DS_OK;
}

ds_status ds_ckpt_put_i64(ds_ckpt *c, const char *name, int64_t v)
{
    return ds_ckpt_put(c, name, DS_CKPT_I64, &v, 1);
}

ds_status ds_ckpt_put_f64(ds_ckpt *c, const char *name, double v)
{
    return ds_ckpt_put(c, name, DS_CKPT_F64, &v, 1);
}

ds_status ds_ckpt_put_text(ds_ckpt *c, const char *name, const char *text)
{
    return ds_ckpt_put(c, name, DS_CKPT_TEXT, text, strlen(text));
}

const void *ds_ckpt_find(const ds_ckpt *c, const char *name, ds_ckpt_type type, size_t *count)
{
    const rec *r = find(c, name);
    if (!r) {
        ds__fail(DS_ERR_NOT_FOUND, "checkpoint has no record '%s'", name);
        return NULL;
    }
    if (r->type != type) {
        ds__fail(DS_ERR_MISMATCH, "checkpoint record '%s' holds %s, expected %s", name,
                 type_names[r->type], type_names[type]);
        return NULL;
    }
    if (count) *count = r->count;
    return r->data;
}

ds_status ds_ckpt_get(const ds_ckpt *c, const char *name, ds_ckpt_type type, void *dst,
                      size_t count)
{
    size_t have;
    const void *data = ds_ckpt_find(c, name, type, &have);
    if (!data) return find(c, name) ? DS_ERR_MISMATCH : DS_ERR_NOT_FOUND;
    if (have != count)
        return ds__fail(DS_ERR_MISMATCH, "checkpoint record '%s' has %zu values, expected %zu",
                        name, have, count);
    if (count) memcpy(dst, data, count * elem_size(type));
    return DS_OK;
}

ds_status ds_ckpt_get_i64(const ds_ckpt *c, const char *name, int64_t *v)
{
    return ds_ckpt_get(c, name, DS_CKPT_I64, v, 1);
}

ds_status ds_ckpt_get_f64(const ds_ckpt *c, const char *name, double *v)
{
    return ds_ckpt_get(c, name, DS_CKPT_F64, v, 1);
}

size_t ds_ckpt_count(const ds_ckpt *c)
{
    return c->n;
}

const char *ds_ckpt_name(const ds_ckpt *c, size_t i)
{
    return i < c->n ? c->r[i].name : NULL;
}

/* ---- serialization ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* zlib's crc32 takes a uInt length: feed large buffers in pieces. */
static uint32_t crc_of(const unsigned char *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, k);
        p += k, n -= k;
    }
    return (uint32_t)crc;
}

static size_t payload_size(const ds_ckpt *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += 4 + strlen(c->r[i].name) + 4 + 8 + c->r[i].count * elem_size(c->r[i].type);
    return n;
}

ds_status ds_ckpt_save(const ds_ckpt *c, const char *path)
{
    size_t psize = payload_size(c);
    /* before the temporary file exists: a full disk fails here, naming the
     * cause, with the previous checkpoint untouched and nothing to clean */
    ds_status s = ds__check_disk(path, HEADER_SIZE + psize);
    if (s != DS_OK) return s;
    unsigned char *buf = malloc(HEADER_SIZE + psize), *p = buf + HEADER_SIZE;
    if (!buf) return ds__nomem("a checkpoint", HEADER_SIZE + psize);
    for (size_t i = 0; i < c->n; i++) {
        const rec *r = &c->r[i];
        size_t len = strlen(r->name), bytes = r->count * elem_size(r->type);
        put_u32(p, (uint32_t)len);
        memcpy(p + 4, r->name, len);
        p += 4 + len;
        put_u32(p, (uint32_t)r->type);
        put_u64(p + 4, r->count);
        if (bytes) memcpy(p + 12, r->data, bytes);
        p += 12 + bytes;
    }
    memcpy(buf, MAGIC, 8);
    put_u32(buf + 8, DS_CKPT_VERSION);
    put_u32(buf + 12, (uint32_t)c->n);
    put_u64(buf + 16, psize);
    put_u32(buf + 24, crc_of(buf + HEADER_SIZE, psize));
    put_u32(buf + 28, crc_of(buf, 28));
    s = ds_write_file_atomic(path, buf, HEADER_SIZE + psize);
    free(buf);
    return s;
}

/* Checks the header against the bytes present; returns the record count. */
static ds_status check_header(const unsigned char *d, size_t size, const char *what, uint32_t *nrec)
{
    if (size < HEADER_SIZE || memcmp(d, MAGIC, 8) != 0)
        return ds__fail(DS_ERR_FORMAT, "'%s': %s", what,
                        size < 8 || memcmp(d, MAGIC, 8) != 0
                            ? "not a descent checkpoint (bad magic)"
                            : "truncated checkpoint (incomplete header)");
    if (get_u32(d + 28) != crc_of(d, 28))
        return ds__fail(DS_ERR_FORMAT, "'%s': checkpoint header CRC mismatch (corrupt file)", what);
    uint32_t version = get_u32(d + 8);
    if (version != DS_CKPT_VERSION)
        return ds__fail(DS_ERR_FORMAT,
                        "'%s': checkpoint format version %u, this build reads version %u", what,
                        version, DS_CKPT_VERSION);
    uint64_t psize = get_u64(d + 16);
    if (psize != size - HEADER_SIZE)
        return ds__fail(DS_ERR_FORMAT,
                        "'%s': %s checkpoint (header says %llu payload bytes, "
                        "file has %zu)",
                        what, psize > size - HEADER_SIZE ? "truncated" : "oversized",
                        (unsigned long long)psize, size - HEADER_SIZE);
    if (get_u32(d + 24) != crc_of(d + HEADER_SIZE, size - HEADER_SIZE))
        return ds__fail(DS_ERR_FORMAT, "'%s': checkpoint payload CRC mismatch (corrupt file)",
                        what);
    *nrec = get_u32(d + 12);
    /* the smallest record takes 17 bytes: a bound before trusting the count */
    if (*nrec > psize / 17)
        return ds__fail(DS_ERR_FORMAT, "'%s': checkpoint claims %u records in %llu bytes", what,
                        *nrec, (unsigned long long)psize);
    return DS_OK;
}

/* Parses one record at *pos (bounds-checked against end) into c. */
static ds_status read_record(ds_ckpt *c, const unsigned char *d, size_t *pos, size_t end,
                             const char *what)
{
    size_t left = end - *pos;
    uint32_t len = left >= 4 ? get_u32(d + *pos) : 0;
    if (len == 0 || len > DS_CKPT_NAME_MAX || left < 4 + (size_t)len + 12)
        return ds__fail(DS_ERR_FORMAT, "'%s': bad record at payload offset %zu", what,
                        *pos - HEADER_SIZE);
    char name[DS_CKPT_NAME_MAX + 1];
    memcpy(name, d + *pos + 4, len);
    name[len] = '\0';
    const unsigned char *p = d + *pos + 4 + len;
    uint32_t type = get_u32(p);
    uint64_t count = get_u64(p + 4);
    left -= 4 + (size_t)len + 12;
    if (type > DS_CKPT_TEXT || count > left / elem_size((ds_ckpt_type)type))
        return ds__fail(DS_ERR_FORMAT, "'%s': record '%s' has a bad type or size", what, name);
    if (find(c, name)) return ds__fail(DS_ERR_FORMAT, "'%s': duplicate record '%s'", what, name);
    ds_status s = ds_ckpt_put(c, name, (ds_ckpt_type)type, p + 12, (size_t)count);
    *pos += 4 + (size_t)len + 12 + (size_t)count * elem_size((ds_ckpt_type)type);
    return s;
}

/* A model description must name as many parameters as the file stores:
 * checked at load, before any reader builds the model it describes, so a
 * crafted description (valid CRCs, "mlp:4-100000000-3" over 67 floats)
 * cannot make it allocate gigabytes. */
static ds_status check_model_size(const ds_ckpt *c, const char *what)
{
    size_t stored = 0, described = 0;
    const char *desc = ds_ckpt_find(c, "model.desc", DS_CKPT_TEXT, NULL);
    if (!desc || !ds_ckpt_find(c, "model.params", DS_CKPT_F32, &stored)) return DS_OK;
    if (ds_model_desc_params(desc, &described) != DS_OK)
        return ds__fail(DS_ERR_FORMAT, "'%s': model.desc '%.200s': %s", what, desc,
                        ds_last_error());
    if (described != stored)
        return ds__fail(DS_ERR_FORMAT,
                        "'%s': model.desc '%.200s' has %zu parameters but model.params holds %zu "
                        "(a damaged or crafted file)",
                        what, desc, described, stored);
    return DS_OK;
}

ds_status ds_ckpt_load_mem(const void *data, size_t size, const char *what, ds_ckpt **out)
{
    const unsigned char *d = data;
    uint32_t nrec = 0;
    *out = NULL;
    ds_status s = check_header(d, size, what, &nrec);
    if (s != DS_OK) return s;
    ds_ckpt *c = ds_ckpt_new();
    if (!c) return DS_ERR_NOMEM;
    size_t pos = HEADER_SIZE;
    for (uint32_t i = 0; s == DS_OK && i < nrec; i++)
        s = read_record(c, d, &pos, size, what);
    if (s == DS_OK && pos != size)
        s = ds__fail(DS_ERR_FORMAT, "'%s': %zu stray bytes after the last record", what,
                     size - pos);
    if (s == DS_OK) s = check_model_size(c, what);
    if (s != DS_OK) {
        ds_ckpt_free(c);
        return s;
    }
    *out = c;
    return DS_OK;
}

ds_status ds_ckpt_load(const char *path, ds_ckpt **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ds__fail(DS_ERR_IO, "cannot open checkpoint '%s': %s", path, strerror(errno));
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    unsigned char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    int ok = buf && fseek(f, 0, SEEK_SET) == 0 && fread(buf, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    ds_status s =
        ok ? ds_ckpt_load_mem(buf, (size_t)size, path, out)
           : ds__fail(size < 0 ? DS_ERR_IO : DS_ERR_NOMEM, "cannot read checkpoint '%s'", path);
    free(buf);
    return s;
}

/* ---- optimizer state, by name ---- */

/* The spec of every group, "|"-separated, into a malloc'd string. */
static char *optim_spec(const struct ds_optim *opt)
{
    size_t cap = 0;
    int n = ds_optim_group_count(opt);
    for (int g = 0; g < n; g++)
        cap += (size_t)ds_opt_format(ds_optim_group_params(opt, g), 0, 0);
    char *s = malloc(cap + (size_t)n + 1), *p = s;
    if (!s) return NULL;
    *p = '\0';
    for (int g = 0; g < n; g++) {
        if (g) *p++ = '|';
        p += ds_opt_format(ds_optim_group_params(opt, g), p, cap + (size_t)n + 1 - (size_t)(p - s));
    }
    return s;
}

static ds_ckpt_type ckpt_type_of(ds_state_type t)
{
    return t == DS_STATE_F32 ? DS_CKPT_F32 : t == DS_STATE_F64 ? DS_CKPT_F64 : DS_CKPT_I64;
}

ds_status ds_ckpt_put_optim(ds_ckpt *c, const struct ds_optim *opt)
{
    char *spec = optim_spec(opt);
    if (!spec) return ds__nomem("an optimizer spec", 0);
    ds_status s = ds_ckpt_put_text(c, "optim.spec", spec);
    free(spec);
    for (size_t i = 0; s == DS_OK && i < ds_optim_state_count(opt); i++) {
        const ds_state_info *e = ds_optim_state_info(opt, i);
        size_t bytes = e->count * (e->type == DS_STATE_F32 ? 4 : 8);
        void *tmp = malloc(bytes ? bytes : 1);
        char name[DS_CKPT_NAME_MAX + 1];
        snprintf(name, sizeof name, "optim.%s", e->name);
        if (!tmp) return ds__nomem("optimizer state", bytes);
        s = ds_optim_state_get(opt, e->name, e->type, tmp, e->count);
        if (s == DS_OK) s = ds_ckpt_put(c, name, ckpt_type_of(e->type), tmp, e->count);
        free(tmp);
    }
    return s;
}

ds_status ds_ckpt_get_optim(const ds_ckpt *c, struct ds_optim *opt)
{
    const char *stored = ds_ckpt_find(c, "optim.spec", DS_CKPT_TEXT, NULL);
    if (!stored) return DS_ERR_NOT_FOUND;
    char *mine = optim_spec(opt);
    if (!mine) return ds__nomem("an optimizer spec", 0);
    int same = strcmp(mine, stored) == 0;
    ds_status s =
        same ? DS_OK
             : ds__fail(DS_ERR_MISMATCH, "checkpoint was written by optimizer '%s', not '%s'",
                        stored, mine);
    free(mine);
    for (size_t i = 0; s == DS_OK && i < ds_optim_state_count(opt); i++) {
        const ds_state_info *e = ds_optim_state_info(opt, i);
        char name[DS_CKPT_NAME_MAX + 1];
        snprintf(name, sizeof name, "optim.%s", e->name);
        size_t count;
        const void *data = ds_ckpt_find(c, name, ckpt_type_of(e->type), &count);
        if (!data) return find(c, name) ? DS_ERR_MISMATCH : DS_ERR_NOT_FOUND;
        if (count != e->count)
            return ds__fail(DS_ERR_MISMATCH,
                            "optimizer state '%s' has %zu values in the checkpoint, %zu here",
                            e->name, count, e->count);
        s = ds_optim_state_set(opt, e->name, e->type, data, count);
    }
    return s;
}
