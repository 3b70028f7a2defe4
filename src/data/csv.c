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

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct csv_ctx {
    const char *path;
    const ds_csv_options *opt;
    const ds_dataset *like; /* a test file: the training set its columns match */
    char **names;           /* header names, in place in the buffer */
    size_t ncols;           /* fields per row */
    size_t *col_of;         /* column k of this file is column col_of[k] of the
                               training file (k itself when reading that file) */
    size_t label;           /* the training file's index of the label column */
    size_t line;            /* current line number */
} csv_ctx;

ds_csv_options ds_csv_default_options(void)
{
    return (ds_csv_options){.label = NULL, .task = DS_CSV_CLASSIFY, .classes = 0};
}

/* Reads the whole (maybe gzip) file into a NUL-terminated buffer. */
static ds_status read_all(const char *path, char **out, size_t *len)
{
    ds__zfile f;
    ds_status s = ds__zfile_open(&f, path);
    if (s != DS_OK) return s;
    size_t cap = 1u << 16, n = 0, got = 1;
    char *buf = malloc(cap);
    if (!buf) s = ds__nomem("CSV buffer", cap);
    while (s == DS_OK && got > 0) {
        if (cap - n < 2) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb)
                s = ds__nomem("CSV buffer", cap * 2);
            else
                buf = nb, cap *= 2;
            continue;
        }
        s = ds__zfile_read(&f, buf + n, cap - n - 1, &got);
        n += got;
    }
    ds__zfile_close(&f);
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

/* Appends 'name' to a message list of at most 512 bytes (cut short when full). */
static void list_name(char list[512], const char *name)
{
    size_t used = strlen(list);
    if (used < 504) snprintf(list + used, 512 - used, "%s'%s'", used ? ", " : "", name);
}

/* Picks the label column: an exact name, else a 0-based index. */
static ds_status find_label(csv_ctx *c)
{
    const char *want = c->opt->label ? c->opt->label : "label";
    for (size_t i = 0; i < c->ncols; i++)
        if (strcmp(c->names[i], want) == 0) return c->label = i, DS_OK;
    long idx;
    if (ds_parse_long(want, &idx) == 0 && idx >= 0 && (size_t)idx < c->ncols)
        return c->label = (size_t)idx, DS_OK;
    char list[512] = "";
    for (size_t i = 0; i < c->ncols; i++)
        list_name(list, c->names[i]);
    return ds__fail(DS_ERR_NOT_FOUND,
                    "%s:1: no label column '%s': give a column name or a 0-based index < %zu "
                    "(columns: %s)",
                    c->path, want, c->ncols, list);
}

/* A header that splits into one column: name the separator it seems to
 * use instead, as "1 column" would hide the real problem. */
static ds_status one_column(const csv_ctx *c, const char *p, const char *end)
{
    const char *sep = memchr(p, ';', (size_t)(end - p))    ? "semicolon"
                      : memchr(p, '\t', (size_t)(end - p)) ? "tab"
                                                           : NULL;
    if (sep)
        return ds__fail(DS_ERR_FORMAT,
                        "%s:1: the header looks %s-separated: descent reads comma-separated CSV "
                        "(convert the separators to commas)",
                        c->path, sep);
    return ds__fail(DS_ERR_FORMAT,
                    "%s:1: the header has 1 column: need features and a label column, "
                    "separated by commas",
                    c->path);
}

/* A test file: column k takes the training column of the same name (the
 * first of that name not yet taken, so repeated names pair up in order).
 * Every training column must be present and no other. */
static ds_status match_columns(csv_ctx *c)
{
    const ds_dataset *tr = c->like;
    unsigned char *taken = calloc(tr->ncolumns + 1, 1);
    if (!taken) return ds__nomem("CSV columns", tr->ncolumns);
    char extra[512] = "", missing[512] = "";
    for (size_t k = 0; k < c->ncols; k++) {
        size_t j = 0;
        while (j < tr->ncolumns && (taken[j] || strcmp(tr->columns[j], c->names[k]) != 0))
            j++;
        if (j == tr->ncolumns) list_name(extra, c->names[k]);
        taken[j] = 1;
        c->col_of[k] = j;
    }
    for (size_t j = 0; j < tr->ncolumns; j++)
        if (!taken[j]) list_name(missing, tr->columns[j]);
    free(taken);
    c->label = tr->label_column;
    if (!*extra && !*missing) return DS_OK;
    return ds__fail(DS_ERR_MISMATCH,
                    "%s:1: the test file needs the training file's columns (matched by name, in "
                    "any order)%s%s%s%s",
                    c->path, *missing ? "; missing: " : "", missing,
                    *extra ? "; not in the training file: " : "", extra);
}

/* Header: column names (one pair of surrounding quotes dropped). */
static ds_status parse_header(csv_ctx *c, char *p, char *end)
{
    c->ncols = count_fields(p, end);
    if (c->ncols < 2) return one_column(c, p, end);
    size_t *cols = malloc(c->ncols * sizeof *cols);
    c->names = malloc(c->ncols * sizeof *c->names);
    c->col_of = malloc(c->ncols * sizeof *c->col_of);
    if (!cols || !c->names || !c->col_of) {
        free(cols);
        return ds__nomem("CSV header", c->ncols * 3 * sizeof(void *));
    }
    split(p, end, c->names, cols, c->ncols);
    free(cols);
    for (size_t i = 0; i < c->ncols; i++) {
        size_t l = strlen(c->names[i]);
        if (l >= 2 && c->names[i][0] == '"' && c->names[i][l - 1] == '"') {
            c->names[i][l - 1] = '\0';
            c->names[i]++;
        }
        c->col_of[i] = i;
    }
    return c->like ? match_columns(c) : find_label(c);
}

/* Keeps the header in d (one block: pointers, then the names) so that a
 * test file can be matched to it by name. */
static ds_status keep_columns(const csv_ctx *c, ds_dataset *d)
{
    size_t bytes = c->ncols * sizeof(char *);
    for (size_t i = 0; i < c->ncols; i++)
        bytes += strlen(c->names[i]) + 1;
    char **cols = malloc(bytes);
    if (!cols) return ds__nomem("CSV column names", bytes);
    char *at = (char *)(cols + c->ncols);
    for (size_t i = 0; i < c->ncols; i++) {
        size_t l = strlen(c->names[i]) + 1;
        cols[i] = memcpy(at, c->names[i], l);
        at += l;
    }
    d->columns = cols;
    d->ncolumns = c->ncols;
    d->label_column = c->label;
    return DS_OK;
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
    if (ds_parse_double(field, &v) != 0)
        return field_error(c, col,
                           isfinite(strtod(field, NULL))
                               ? "not a number"
                               : "not a finite number (NaN and infinity are refused)",
                           field);
    if (fabs(v) > FLT_MAX)
        return field_error(c, col, "out of float range (|value| <= 3.4e38 accepted)", field);
    size_t j = c->col_of[k];
    if (j != c->label) {
        d->x[r * d->features + (j < c->label ? j : j - 1)] = (float)v;
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
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 BOM: not part of a name */
        buf += 3, len -= 3;
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
    if ((s = parse_rows(c, p, end, d)) == DS_OK && !c->like) s = keep_columns(c, d);
    if (s != DS_OK)
        ds_dataset_free(d);
    else
        *out = d;
    return s;
}

/* Reads path as the training file (like NULL) or as a test file for like. */
static ds_status load(const char *path, const ds_csv_options *opt, const ds_dataset *like,
                      ds_dataset **out)
{
    *out = NULL;
    ds_csv_options dflt = ds_csv_default_options();
    csv_ctx c = {.path = path, .opt = opt ? opt : &dflt, .like = like};
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
    free(c.col_of);
    free(buf);
    return s;
}

ds_status ds_csv_load(const char *path, const ds_csv_options *opt, ds_dataset **out)
{
    return load(path, opt, NULL, out);
}

ds_status ds__csv_load_test(const char *path, const ds_csv_options *opt, const ds_dataset *train,
                            ds_dataset **out)
{
    if (!train->columns)
        return ds__fail(DS_ERR_INVALID, "%s: the training set was not read from a CSV file", path);
    return load(path, opt, train, out);
}
