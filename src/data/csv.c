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
    char sep;               /* the delimiter */
    int header;             /* row 1 holds the names */
    char **names;           /* header names (in place in the buffer), or "1", "2", ... */
    char *numbered;         /* the block of the "1", "2", ... names of a headerless file */
    size_t ncols;           /* fields per row */
    size_t *col_of;         /* column k of this file is column col_of[k] of the
                               training file (k itself when reading that file) */
    size_t label;           /* the training file's index of the label column */
    size_t line;            /* current line number */
    ds__csv_label *labels;  /* classification: each kept row's label field */
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

/* Drops one pair of surrounding double quotes (a header name, a label). */
static char *unquote(char *f)
{
    size_t l = strlen(f);
    if (l >= 2 && f[0] == '"' && f[l - 1] == '"') {
        f[l - 1] = '\0';
        f++;
    }
    return f;
}

/* Splits line [p, end) at sep in place: fields[i] (up to max) get each
 * trimmed field, cols[i] its 1-based column. Returns the field count. A tab
 * delimiter keeps tabs out of the trimming (they are the separators). */
static size_t split(char *p, char *end, char sep, char **fields, size_t *cols, size_t max)
{
    size_t k = 0;
    char *line = p;
    for (;;) {
        char *c = memchr(p, sep, (size_t)(end - p));
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

static size_t count_char(const char *p, const char *end, char ch)
{
    size_t k = 0;
    for (; (p = memchr(p, ch, (size_t)(end - p))) != NULL; p++)
        k++;
    return k;
}

/* The delimiter: the option, else the most frequent of , ; and tab in
 * row 1 (a tie goes to the first of them). */
static char pick_delimiter(const csv_ctx *c, const char *p, const char *end)
{
    static const char seps[3] = {',', ';', '\t'};
    if (c->opt->delimiter) return c->opt->delimiter;
    char best = ',';
    size_t most = 0;
    for (int i = 0; i < 3; i++) {
        size_t k = count_char(p, end, seps[i]);
        if (k > most) most = k, best = seps[i];
    }
    return best;
}

static const char *sep_name(char sep)
{
    return sep == ';' ? "semicolon" : sep == '\t' ? "tab" : "comma";
}

/* Appends 'name' to a message list of at most 512 bytes (cut short when full). */
static void list_name(char list[512], const char *name)
{
    size_t used = strlen(list);
    if (used < 504) snprintf(list + used, 512 - used, "%s'%s'", used ? ", " : "", name);
}

/* Picks the label column: an exact header name, else a 0-based index;
 * by default the column named "label", else the last one. */
static ds_status find_label(csv_ctx *c)
{
    const char *want = c->opt->label ? c->opt->label : "label";
    for (size_t i = 0; c->header && i < c->ncols; i++)
        if (strcmp(c->names[i], want) == 0) return c->label = i, DS_OK;
    if (!c->opt->label) return c->label = c->ncols - 1, DS_OK;
    long idx;
    if (ds_parse_long(want, &idx) == 0 && idx >= 0 && (size_t)idx < c->ncols)
        return c->label = (size_t)idx, DS_OK;
    char list[512] = "";
    for (size_t i = 0; c->header && i < c->ncols; i++)
        list_name(list, c->names[i]);
    return ds__fail(DS_ERR_NOT_FOUND,
                    "%s:1: no label column '%s': give a column name or a 0-based index < %zu "
                    "(columns: %s)",
                    c->path, want, c->ncols, c->header ? list : "no header");
}

/* Row 1 splits into one column: name the separator it seems to use
 * instead, as "1 column" would hide the real problem. */
static ds_status one_column(const csv_ctx *c, const char *p, const char *end)
{
    for (const char *s = ",;\t"; *s; s++)
        if (*s != c->sep && memchr(p, *s, (size_t)(end - p)))
            return ds__fail(DS_ERR_FORMAT,
                            "%s:1: the first row looks %s-separated, not %s-separated: give "
                            "delimiter=%s (or delimiter=auto)",
                            c->path, sep_name(*s), sep_name(c->sep), sep_name(*s));
    return ds__fail(DS_ERR_FORMAT,
                    "%s:1: the first row has 1 column: need features and a label column, "
                    "separated by commas, semicolons or tabs",
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

/* A missing value: an empty field, NA or ?. */
static int is_missing(const char *f)
{
    return !*f || strcmp(f, "NA") == 0 || strcmp(f, "?") == 0;
}

static int is_number(const char *f)
{
    double v;
    return ds_parse_double(f, &v) == 0;
}

/* header=auto: row 1 [p1, e1) is a header if one of its fields is neither
 * a number nor missing where row 2 [p2, e2) has a number; a lone row, if
 * none of its fields is a number. Reads copies (splitting cuts in place). */
static ds_status detect_header(csv_ctx *c, const char *p1, const char *e1, const char *p2,
                               const char *e2)
{
    size_t l1 = (size_t)(e1 - p1), l2 = p2 ? (size_t)(e2 - p2) : 0, n = c->ncols;
    char *buf = malloc(l1 + l2 + 2);
    char **f = malloc(2 * n * sizeof *f);
    size_t *cols = malloc(2 * n * sizeof *cols);
    if (!buf || !f || !cols) {
        free(buf), free(f), free(cols);
        return ds__nomem("CSV header detection", l1 + l2 + 4 * n * sizeof *f);
    }
    memcpy(buf, p1, l1), memcpy(buf + l1 + 1, p2 ? p2 : "", l2);
    size_t k1 = split(buf, buf + l1, c->sep, f, cols, n);
    size_t k2 = p2 ? split(buf + l1 + 1, buf + l1 + 1 + l2, c->sep, f + n, cols + n, n) : 0;
    int header = 0, numbers = 0;
    for (size_t i = 0; i < k1 && i < n; i++) {
        int word = !is_number(f[i]) && !is_missing(f[i]);
        numbers += !word && !is_missing(f[i]);
        header |= word && i < k2 && is_number(f[n + i]);
    }
    c->header = p2 ? header : numbers == 0;
    free(buf), free(f), free(cols);
    return DS_OK;
}

/* Names "1", "2", ... for a headerless file. */
static ds_status number_columns(csv_ctx *c)
{
    c->numbered = malloc(c->ncols * 21);
    if (!c->numbered) return ds__nomem("CSV column names", c->ncols * 21);
    for (size_t i = 0; i < c->ncols; i++) {
        c->names[i] = c->numbered + i * 21;
        snprintf(c->names[i], 21, "%zu", i + 1);
    }
    return DS_OK;
}

/* Row 1 [p, end): the delimiter, the column count, whether it is a header
 * (row 2 starts at p2, NULL if none), the names and the label column. */
static ds_status parse_header(csv_ctx *c, char *p, char *end, const char *p2, const char *e2)
{
    c->sep = pick_delimiter(c, p, end);
    c->ncols = count_char(p, end, c->sep) + 1;
    if (c->ncols < 2) return one_column(c, p, end);
    c->names = malloc(c->ncols * sizeof *c->names);
    c->col_of = malloc(c->ncols * sizeof *c->col_of);
    if (!c->names || !c->col_of) return ds__nomem("CSV header", c->ncols * 2 * sizeof(void *));
    ds_status s = DS_OK;
    c->header = c->opt->header == DS_CSV_HEADER_YES;
    if (c->opt->header == DS_CSV_HEADER_AUTO) s = detect_header(c, p, end, p2, e2);
    size_t *cols = malloc(c->ncols * sizeof *cols);
    if (s == DS_OK && !cols) s = ds__nomem("CSV header", c->ncols * sizeof *cols);
    if (s == DS_OK && c->header) split(p, end, c->sep, c->names, cols, c->ncols);
    if (s == DS_OK && !c->header) s = number_columns(c);
    free(cols);
    for (size_t i = 0; s == DS_OK && i < c->ncols; i++) {
        if (c->header) c->names[i] = unquote(c->names[i]);
        c->col_of[i] = i;
    }
    if (s != DS_OK) return s;
    return c->like ? match_columns(c) : find_label(c);
}

/* Keeps the header in d (one block: pointers, then the names) so that a
 * test file can be matched to it by name. */
static ds_status keep_columns(const csv_ctx *c, ds_dataset *d)
{
    d->columns = ds__names_copy((const char *const *)c->names, c->ncols);
    if (!d->columns) return DS_ERR_NOMEM;
    d->ncolumns = c->ncols;
    d->label_column = c->label;
    return DS_OK;
}

static ds_status field_error(const csv_ctx *c, size_t col, const char *what, const char *field)
{
    return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: %s: \"%.40s\"%s", c->path, c->line, col, what,
                    field, strlen(field) > 40 ? "..." : "");
}

static ds_status missing_error(const csv_ctx *c, size_t col, int label)
{
    return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: missing %s (an empty field, NA or ?)%s", c->path,
                    c->line, col, label ? "label" : "value",
                    label ? ": a label cannot be filled (missing=drop leaves the row out)"
                          : ": refused (missing=mean fills it with the training mean, "
                            "missing=drop leaves the row out)");
}

/* A number of field k into *v. */
static ds_status number(const csv_ctx *c, const char *field, size_t col, double *v)
{
    if (ds_parse_double(field, v) != 0)
        return field_error(c, col,
                           isfinite(strtod(field, NULL))
                               ? "not a number"
                               : "not a finite number (NaN and infinity are refused)",
                           field);
    if (fabs(*v) > FLT_MAX)
        return field_error(c, col, "out of float range (|value| <= 3.4e38 accepted)", field);
    return DS_OK;
}

/* Stores one field of row r (column k, at byte column col). */
static ds_status store(csv_ctx *c, ds_dataset *d, size_t r, size_t k, char *field, size_t col)
{
    size_t j = c->col_of[k];
    double v = NAN;
    if (j == c->label && is_missing(field)) return missing_error(c, col, 1);
    if (j == c->label && !d->targets) {
        c->labels[r] = (ds__csv_label){unquote(field), c->line, col};
        return DS_OK;
    }
    if (j != c->label && is_missing(field)) {
        if (c->opt->missing != DS_CSV_MISSING_MEAN) return missing_error(c, col, 0);
    } else {
        ds_status s = number(c, field, col, &v);
        if (s != DS_OK) return s;
    }
    if (j == c->label)
        d->targets[r] = (float)v;
    else
        d->x[r * d->features + (j < c->label ? j : j - 1)] = (float)v;
    return DS_OK;
}

/* 1 if row [fields] has a missing value (missing=drop leaves it out). */
static int row_missing(char **fields, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (is_missing(fields[i])) return 1;
    return 0;
}

/* One data row, [p, end), into row *r (advanced unless the row is dropped). */
static ds_status parse_row(csv_ctx *c, ds_dataset *d, size_t *r, char *p, char *end, char **fields,
                           size_t *cols)
{
    if (p == end) return ds__fail(DS_ERR_FORMAT, "%s:%zu:1: blank line", c->path, c->line);
    size_t k = split(p, end, c->sep, fields, cols, c->ncols + 1);
    if (k != c->ncols)
        return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: row has %zu fields, %s has %zu", c->path,
                        c->line, k > c->ncols ? cols[c->ncols] : (size_t)(end - p) + 1, k,
                        c->header ? "the header" : "the first row", c->ncols);
    if (c->opt->missing == DS_CSV_MISSING_DROP && row_missing(fields, k)) return DS_OK;
    for (size_t i = 0; i < k; i++) {
        ds_status s = store(c, d, *r, i, fields[i], cols[i]);
        if (s != DS_OK) return s;
    }
    ++*r;
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

/* The data rows from p; *kept gets the rows not dropped. */
static ds_status parse_rows(csv_ctx *c, char *p, char *end, ds_dataset *d, size_t *kept)
{
    char **fields = malloc((c->ncols + 1) * sizeof *fields);
    size_t *cols = malloc((c->ncols + 1) * sizeof *cols), r = 0;
    if (!d->targets) c->labels = malloc(d->n * sizeof *c->labels);
    ds_status s = fields && cols && (d->targets || c->labels)
                      ? DS_OK
                      : ds__nomem("CSV rows", d->n * sizeof *c->labels);
    for (size_t i = 0; s == DS_OK && i < d->n; i++) {
        char *next, *e = line_end(p, end, &next);
        c->line++;
        s = parse_row(c, d, &r, p, e, fields, cols);
        p = next;
    }
    free(fields);
    free(cols);
    if (s == DS_OK && r == 0)
        s = ds__fail(DS_ERR_FORMAT, "%s: every row has a missing value: missing=drop left none",
                     c->path);
    *kept = r;
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
        return ds__fail(DS_ERR_FORMAT, "%s: empty file: expected rows of numbers", c->path);
    char *p, *p3, *e = line_end(buf, end, &p);
    char *e2 = p < end ? line_end(p, end, &p3) : NULL;
    ds_status s = parse_header(c, buf, e, p < end ? p : NULL, e2);
    if (s != DS_OK) return s;
    if (!c->header) p = buf;
    c->line = c->header;
    size_t rows = p < end ? 1 + count_char(p, end, '\n') : 0, kept;
    if (rows == 0)
        return ds__fail(DS_ERR_FORMAT, "%s: header only: no data rows after line 1", c->path);
    int regress = c->opt->task == DS_CSV_REGRESS;
    ds_dataset *d = ds_dataset_create(rows, c->ncols - 1, regress ? 0 : 1, regress ? 1 : 0);
    if (!d) return DS_ERR_NOMEM;
    s = parse_rows(c, p, end, d, &kept);
    if (s == DS_OK) ds__dataset_truncate(d, kept);
    if (s == DS_OK && !regress) s = ds__csv_labels(c->path, c->opt, c->labels, d);
    if (s == DS_OK && !c->like) s = keep_columns(c, d);
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
    ds_status s = ds__csv_check_options(path, c.opt);
    char *buf = NULL;
    size_t len = 0;
    if (s == DS_OK) s = read_all(path, &buf, &len);
    if (s == DS_OK) s = parse(&c, buf, len, out);
    free(c.names);
    free(c.numbered);
    free(c.col_of);
    free(c.labels);
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
