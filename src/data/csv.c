/* csv.c - the CSV reader: a header row, then numbers only.
 *
 * Follows the RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180) subset that
 * numeric tables use: comma separators, CRLF or LF line ends, a header row
 * (names may be "quoted"); no quoted data fields. The file is read whole
 * (gzip allowed) and split in place, so fields of any length are handled
 * without fixed buffers. Errors carry path:line:column (1-based; the column
 * counts bytes from the start of the line). */
#include "data/data_internal.h"
#include "core/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct csv_ctx {
    const char *path;
    const ds_csv_options *opt;
    char **names;  /* header names, in place in the buffer */
    size_t ncols;  /* fields per row */
    size_t label;  /* index of the label column */
    size_t line;   /* current line number */
    char *line_at; /* start of the current line */
} csv_ctx;

ds_csv_options ds_csv_default_options(void)
{
    return (ds_csv_options){.label = NULL, .task = DS_CSV_CLASSIFY, .classes = 0};
}

/* Reads the whole (maybe gzip) file into a NUL-terminated buffer. */
static ds_status read_all(const char *path, char **out, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) return ds__fail(DS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    gzbuffer(gz, 1u << 20);
    size_t cap = 1u << 16, n = 0;
    char *buf = malloc(cap);
    ds_status s = buf ? DS_OK : ds__nomem("CSV buffer", cap);
    while (s == DS_OK) {
        if (cap - n < 2) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb)
                s = ds__nomem("CSV buffer", cap * 2);
            else
                buf = nb, cap *= 2;
            continue;
        }
        size_t want = cap - n - 1 < (1u << 30) ? cap - n - 1 : (1u << 30);
        int got = gzread(gz, buf + n, (unsigned)want);
        int err = Z_OK;
        const char *msg = got < 0 ? gzerror(gz, &err) : "";
        if (got < 0)
            s = ds__fail(err == Z_ERRNO ? DS_ERR_IO : DS_ERR_FORMAT, "%s: cannot read: %s", path,
                         err == Z_ERRNO ? strerror(errno) : msg);
        if (got <= 0) break;
        n += (size_t)got;
    }
    gzclose(gz);
    if (s != DS_OK) {
        free(buf);
        return s;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return DS_OK;
}

/* Trims blanks around [*b, *e) and returns the field NUL-terminated. */
static char *trim(char *b, char *e)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *e = '\0';
    return b;
}

/* Splits line [p, end) at commas in place: fields[i] (up to max) get each
 * trimmed field, cols[i] its 1-based column. Returns the field count. */
static size_t split(char *p, char *end, char **fields, size_t *cols, size_t max)
{
    size_t k = 0;
    char *line = p;
    for (;;) {
        char *c = memchr(p, ',', (size_t)(end - p));
        char *e = c ? c : end;
        if (k < max) {
            cols[k] = (size_t)(p - line) + 1;
            fields[k] = trim(p, e);
        }
        k++;
        if (!c) return k;
        p = c + 1;
    }
}

static size_t count_fields(const char *p, const char *end)
{
    size_t k = 1;
    for (; (p = memchr(p, ',', (size_t)(end - p))) != NULL; p++)
        k++;
    return k;
}

/* Picks the label column: an exact name, else a 0-based index. */
static ds_status find_label(csv_ctx *c)
{
    const char *want = c->opt->label ? c->opt->label : "label";
    for (size_t i = 0; i < c->ncols; i++)
        if (strcmp(c->names[i], want) == 0) return c->label = i, DS_OK;
    long idx;
    if (ds__parse_long(want, &idx) == 0 && idx >= 0 && (size_t)idx < c->ncols)
        return c->label = (size_t)idx, DS_OK;
    char list[512] = "";
    for (size_t i = 0, used = 0; i < c->ncols && used < sizeof list - 8; i++)
        used +=
            (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", i ? ", " : "", c->names[i]);
    return ds__fail(DS_ERR_NOT_FOUND,
                    "%s:1: no label column '%s': give a column name or a 0-based index < %zu "
                    "(columns: %s)",
                    c->path, want, c->ncols, list);
}

/* Header: column names (one pair of surrounding quotes dropped). */
static ds_status parse_header(csv_ctx *c, char *p, char *end)
{
    c->ncols = count_fields(p, end);
    if (c->ncols < 2)
        return ds__fail(DS_ERR_FORMAT,
                        "%s:1: the header has 1 column: need features and a label column", c->path);
    size_t *cols = malloc(c->ncols * sizeof *cols);
    c->names = malloc(c->ncols * sizeof *c->names);
    if (!cols || !c->names) {
        free(cols);
        return ds__nomem("CSV header", c->ncols * 2 * sizeof(void *));
    }
    split(p, end, c->names, cols, c->ncols);
    free(cols);
    for (size_t i = 0; i < c->ncols; i++) {
        size_t l = strlen(c->names[i]);
        if (l >= 2 && c->names[i][0] == '"' && c->names[i][l - 1] == '"') {
            c->names[i][l - 1] = '\0';
            c->names[i]++;
        }
    }
    return find_label(c);
}

static ds_status field_error(const csv_ctx *c, size_t col, const char *what, const char *field)
{
    return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: %s: \"%.40s\"%s", c->path, c->line, col, what,
                    field, strlen(field) > 40 ? "..." : "");
}

/* Stores one parsed value of row r, field k. */
static ds_status store(const csv_ctx *c, ds_dataset *d, size_t r, size_t k, const char *field,
                       size_t col)
{
    double v;
    if (ds__parse_double(field, &v) != 0) return field_error(c, col, "not a number", field);
    if (k != c->label) {
        d->x[r * d->features + (k < c->label ? k : k - 1)] = (float)v;
    } else if (d->targets) {
        d->targets[r] = (float)v;
    } else {
        int32_t lim = c->opt->classes > 0 ? c->opt->classes : INT32_MAX;
        if (!(v >= 0 && v < lim && v == floor(v)))
            return field_error(c, col,
                               c->opt->classes > 0
                                   ? "label must be a whole number in [0, classes)"
                                   : "label must be a whole number >= 0 (task=regress for "
                                     "numeric targets)",
                               field);
        d->labels[r] = (int32_t)v;
        if (d->labels[r] >= d->classes) d->classes = d->labels[r] + 1;
    }
    return DS_OK;
}

/* One data row, [p, end), into row r. */
static ds_status parse_row(csv_ctx *c, ds_dataset *d, size_t r, char *p, char *end, char **fields,
                           size_t *cols)
{
    if (p == end) return ds__fail(DS_ERR_FORMAT, "%s:%zu:1: blank line", c->path, c->line);
    size_t k = split(p, end, fields, cols, c->ncols + 1);
    if (k != c->ncols)
        return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: row has %zu fields, the header has %zu",
                        c->path, c->line, k > c->ncols ? cols[c->ncols] : (size_t)(end - p) + 1, k,
                        c->ncols);
    for (size_t i = 0; i < k; i++) {
        ds_status s = store(c, d, r, i, fields[i], cols[i]);
        if (s != DS_OK) return s;
    }
    return DS_OK;
}

/* End of the line that starts at p (at '\n' or the buffer end, before '\r'). */
static char *line_end(char *p, char *buf_end, char **next)
{
    char *nl = memchr(p, '\n', (size_t)(buf_end - p));
    char *e = nl ? nl : buf_end;
    *next = nl ? nl + 1 : buf_end;
    if (e > p && e[-1] == '\r') e--;
    return e;
}

static ds_status parse_rows(csv_ctx *c, char *p, char *end, ds_dataset *d)
{
    char **fields = malloc((c->ncols + 1) * sizeof *fields);
    size_t *cols = malloc((c->ncols + 1) * sizeof *cols);
    ds_status s = fields && cols ? DS_OK : ds__nomem("CSV row", c->ncols * 16);
    if (!d->targets) d->classes = c->opt->classes > 0 ? c->opt->classes : 1;
    for (size_t r = 0; s == DS_OK && r < d->n; r++) {
        char *next, *e = line_end(p, end, &next);
        c->line++;
        s = parse_row(c, d, r, p, e, fields, cols);
        p = next;
    }
    free(fields);
    free(cols);
    return s;
}

static ds_status parse(csv_ctx *c, char *buf, size_t len, ds_dataset **out)
{
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    char *end = buf + len, *nul = memchr(buf, '\0', len);
    if (nul)
        return ds__fail(DS_ERR_FORMAT, "%s: binary data (a NUL byte) at offset %zu", c->path,
                        (size_t)(nul - buf));
    if (len == 0)
        return ds__fail(DS_ERR_FORMAT, "%s: empty file: expected a header row of column names",
                        c->path);
    char *p, *e = line_end(buf, end, &p);
    c->line = 1;
    ds_status s = parse_header(c, buf, e);
    if (s != DS_OK) return s;
    size_t rows = p < end ? 1 : 0;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        rows++;
    if (rows == 0)
        return ds__fail(DS_ERR_FORMAT, "%s: header only: no data rows after line 1", c->path);
    int regress = c->opt->task == DS_CSV_REGRESS;
    ds_dataset *d = ds_dataset_create(rows, c->ncols - 1, regress ? 0 : 1, regress ? 1 : 0);
    if (!d) return DS_ERR_NOMEM;
    if ((s = parse_rows(c, p, end, d)) != DS_OK)
        ds_dataset_free(d);
    else
        *out = d;
    return s;
}

ds_status ds_csv_load(const char *path, const ds_csv_options *opt, ds_dataset **out)
{
    *out = NULL;
    ds_csv_options dflt = ds_csv_default_options();
    csv_ctx c = {.path = path, .opt = opt ? opt : &dflt};
    if (c.opt->classes < 0 || (c.opt->task != DS_CSV_CLASSIFY && c.opt->task != DS_CSV_REGRESS))
        return ds__fail(DS_ERR_INVALID,
                        "%s: CSV options: classes must be >= 0 and task "
                        "classify or regress",
                        path);
    char *buf = NULL;
    size_t len = 0;
    ds_status s = read_all(path, &buf, &len);
    if (s != DS_OK) return s;
    s = parse(&c, buf, len, out);
    free(c.names);
    free(buf);
    return s;
}
