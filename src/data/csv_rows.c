/* csv_rows.c - CSV feature rows read a block at a time (descent/stream.h),
 * for prediction on files larger than memory.
 *
 * The file is read through one buffer that holds at least one block of
 * lines: a block's lines are found with memchr and recorded as offsets, so
 * the unread tail can be moved to the front and the buffer refilled (or
 * grown, for a block larger than it) without losing them. The block's
 * lines are then parsed in parallel, each into its own row of x; a bad
 * line only records its kind of error, and the first bad one (in file
 * order) is parsed again to word the message, so the message does not
 * depend on the threads.
 *
 * Numbers: a field of at most 19 significant digits whose power of ten is
 * within 10^+-22 is converted with one correctly rounded double operation
 * (Clinger's fast path, exact for such inputs: W. D. Clinger, "How to read
 * floating point numbers accurately", PLDI 1990), then rounded to float;
 * any other field goes through ds_parse_double (strtod). Both give the
 * double strtod gives, so a row is the float ds_csv_load reads from it. */
#include "descent/stream.h"

#include "core/internal.h"
#include "data/data_internal.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK ((size_t)1 << 20)

enum { OK, WIDTH, NOTNUM, NONFINITE, RANGE, TOOLONG, BLANK };

/* Where and why a line is bad. */
typedef struct bad {
    int kind;
    size_t col, fields;  /* 1-based column; fields found (WIDTH) */
    const char *fb, *fe; /* the bad field */
} bad;

struct ds_csv_rows {
    ds__zfile f;
    char *path;
    char *buf;
    size_t cap, start, len; /* unread bytes are buf[start, len) */
    int eof;
    char delim;                    /* ',', ';' or '\t': the most frequent in line 1 */
    size_t features, ncols, label; /* label == ncols: no label column */
    size_t *slot;                  /* column k goes to x[slot[k]]; SIZE_MAX: the label */
    int missing;                   /* 1: a missing value reads as NaN */
    char **names;                  /* the header's names (one block), or NULL */
    size_t line;                   /* lines consumed so far */
    size_t blanks, first_blank;    /* blank lines not yet known to be trailing */
    size_t *off, *end, *lno;       /* the block's lines */
    unsigned char *kind;           /* their parse result */
    size_t nlines, maxlines;
};

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Any field strtod may read, blanks around it ignored: through
 * ds_parse_double, as csv.c does. */
static int slow_number(const char *b, const char *e, float *out)
{
    while (b < e && is_blank(*b))
        b++;
    while (e > b && is_blank(e[-1]))
        e--;
    char tmp[256];
    if ((size_t)(e - b) >= sizeof tmp) return TOOLONG;
    memcpy(tmp, b, (size_t)(e - b));
    tmp[e - b] = '\0';
    double v;
    if (ds_parse_double(tmp, &v) != 0) return isfinite(strtod(tmp, NULL)) ? NOTNUM : NONFINITE;
    if (fabs(v) > FLT_MAX) return RANGE;
    *out = (float)v;
    return OK;
}

/* Digits at *s into m (flagging 19 or more significant ones in *big, where
 * m may wrap: the slow path takes those); the number of digits. */
static size_t digits(const char **s, const char *e, uint64_t *m, int *big)
{
    const char *d0 = *s;
    uint64_t v = *m;
    for (; *s < e && is_digit(**s); (*s)++) {
        *big |= v >= 1000000000000000000ull;
        v = v * 10 + (uint64_t)(**s - '0');
    }
    *m = v;
    return (size_t)(*s - d0);
}

/* A decimal exponent "e-12" at *s, added to *exp10. 0 if it has no digit. */
static int exponent(const char **s, const char *e, int *exp10)
{
    int neg = 0, v = 0, n = 0;
    (*s)++;
    if (*s < e && (**s == '-' || **s == '+')) neg = *(*s)++ == '-';
    for (; *s < e && is_digit(**s); (*s)++, n++)
        v = v < 10000 ? v * 10 + (**s - '0') : v;
    *exp10 += neg ? -v : v;
    return n > 0;
}

/* The field that starts at p and ends at the next delimiter (or e), whose
 * end goes to *fe, parsed in one pass on the fast path (see the top). */
static int number_at(const char *p, const char *e, char delim, float *out, const char **fe)
{
    const char *s = p;
    while (s < e && is_blank(*s) && *s != delim)
        s++;
    int neg = s < e && *s == '-', big = 0, exp10 = 0;
    if (s < e && (*s == '-' || *s == '+')) s++;
    uint64_t m = 0;
    size_t n = digits(&s, e, &m, &big);
    if (s < e && *s == '.') {
        size_t f = (s++, digits(&s, e, &m, &big));
        n += f, exp10 -= (int)f;
    }
    int ok = n > 0 && !big && m <= (1ull << 53);
    if (ok && s < e && (*s == 'e' || *s == 'E')) ok = exponent(&s, e, &exp10);
    while (s < e && is_blank(*s) && *s != delim)
        s++;
    if (!ok || (s < e && *s != delim) || exp10 < -22 || exp10 > 22) {
        const char *c = memchr(p, delim, (size_t)(e - p));
        *fe = c ? c : e;
        return slow_number(p, *fe, out);
    }
    *fe = s;
    /* m <= 2^53 and 10^22 at most: below FLT_MAX, no range check needed */
    double d = exp10 < 0 ? (double)m / pow10_tab[-exp10] : (double)m * pow10_tab[exp10];
    *out = (float)(neg ? -d : d);
    return OK;
}

/* A missing value, as ds_csv_load names them: an empty field, NA or ? (blanks
 * around it ignored). */
static int is_missing(const char *b, const char *e)
{
    while (b < e && is_blank(*b))
        b++;
    while (e > b && is_blank(e[-1]))
        e--;
    return b == e || (e - b == 2 && memcmp(b, "NA", 2) == 0) || (e - b == 1 && *b == '?');
}

/* A row of the wrong width: the column `at` (an extra field, or the line's
 * end) and the number of fields. */
static int width(const char *line, const char *e, char delim, const char *at, bad *why)
{
    size_t fields = 1;
    for (const char *q = line; (q = memchr(q, delim, (size_t)(e - q))) != NULL; q++)
        fields++;
    *why = (bad){WIDTH, (size_t)(at - line) + 1, fields, at, at};
    return WIDTH;
}

/* Parses line [p, e) into x; the first problem, if any, into *why. */
static int parse_line(const ds_csv_rows *r, const char *p, const char *e, float *x, bad *why)
{
    const char *line = p;
    size_t k = 0;
    for (;; k++) {
        if (k == r->ncols) return width(line, e, r->delim, p, why);
        const char *fe = e, *c;
        int kind = OK;
        if (r->slot[k] != SIZE_MAX) kind = number_at(p, e, r->delim, &x[r->slot[k]], &fe);
        if (kind == NOTNUM && r->missing && is_missing(p, fe))
            x[r->slot[k]] = NAN, kind = OK;
        else if ((c = memchr(p, r->delim, (size_t)(e - p))) != NULL)
            fe = c;
        if (kind != OK) return *why = (bad){kind, (size_t)(p - line) + 1, 0, p, fe}, kind;
        if (fe == e) break;
        p = fe + 1;
    }
    return k + 1 == r->ncols ? OK : width(line, e, r->delim, e, why);
}

static ds_status report(const ds_csv_rows *r, size_t line, const bad *b)
{
    static const char *const what[] = {
        [NOTNUM] = "not a number",
        [NONFINITE] = "not a finite number (NaN and infinity are refused)",
        [RANGE] = "out of float range (|value| <= 3.4e38 accepted)",
        [TOOLONG] = "not a number (a field of 256 characters or more)",
    };
    if (b->kind == BLANK)
        return ds__fail(DS_ERR_FORMAT, "%s:%zu:1: blank line between rows", r->path, line);
    if (b->kind == WIDTH)
        return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: row has %zu fields, expected %zu%s", r->path,
                        line, b->col, b->fields, r->ncols,
                        r->label < r->ncols ? " (the features and the label)" : "");
    int len = (int)(b->fe - b->fb);
    return ds__fail(DS_ERR_FORMAT, "%s:%zu:%zu: %s: \"%.*s\"%s", r->path, line, b->col,
                    what[b->kind], len > 40 ? 40 : len, b->fb, len > 40 ? "..." : "");
}

/* Moves the unread bytes (from the block's first line on) to the front of
 * the buffer, grows it when less than a chunk is free, and reads more. */
static ds_status refill(ds_csv_rows *r)
{
    size_t base = r->nlines ? r->off[0] : r->start;
    memmove(r->buf, r->buf + base, r->len - base);
    r->len -= base, r->start -= base;
    for (size_t i = 0; i < r->nlines; i++)
        r->off[i] -= base, r->end[i] -= base;
    if (r->cap - r->len < READ_CHUNK) {
        char *nb = r->cap > SIZE_MAX / 2 ? NULL : realloc(r->buf, r->cap * 2);
        if (!nb) return ds__nomem("CSV block", r->cap * 2);
        r->buf = nb, r->cap *= 2;
    }
    size_t want = r->cap - r->len, got;
    ds_status s = ds__zfile_read(&r->f, r->buf + r->len, want, &got);
    if (s != DS_OK) return s;
    r->eof = got < want;
    r->len += got;
    return DS_OK;
}

/* Records the line buf[b, e) (its '\n' excluded) in the block. A blank
 * line waits until a later row shows it was not at the end. */
static ds_status take(ds_csv_rows *r, size_t b, size_t e)
{
    r->line++;
    if (e > b && r->buf[e - 1] == '\r') e--;
    if (e == b) {
        if (!r->blanks++) r->first_blank = r->line;
        return DS_OK;
    }
    if (r->blanks) return report(r, r->first_blank, &(bad){.kind = BLANK});
    r->off[r->nlines] = b, r->end[r->nlines] = e, r->lno[r->nlines] = r->line;
    r->nlines++;
    return DS_OK;
}

/* The next (up to) max lines into the block. */
static ds_status collect(ds_csv_rows *r, size_t max)
{
    ds_status s = DS_OK;
    r->nlines = 0;
    for (;;) {
        while (s == DS_OK && r->nlines < max) {
            char *nl = memchr(r->buf + r->start, '\n', r->len - r->start);
            if (!nl) break;
            size_t e = (size_t)(nl - r->buf);
            s = take(r, r->start, e);
            r->start = e + 1;
        }
        if (s != DS_OK || r->nlines == max || r->eof) break;
        s = refill(r);
        if (s != DS_OK) return s;
    }
    if (s == DS_OK && r->nlines < max && r->start < r->len) { /* no '\n' at the end */
        s = take(r, r->start, r->len);
        r->start = r->len;
    }
    return s;
}

static ds_status reserve_lines(ds_csv_rows *r, size_t max)
{
    if (max <= r->maxlines) return DS_OK;
    if (max > ((size_t)1 << 26))
        return ds__fail(DS_ERR_INVALID, "CSV rows: %zu rows a block (at most 67108864)", max);
    free(r->off), free(r->end), free(r->lno), free(r->kind);
    r->off = malloc(max * sizeof *r->off);
    r->end = malloc(max * sizeof *r->end);
    r->lno = malloc(max * sizeof *r->lno);
    r->kind = malloc(max);
    r->maxlines = r->off && r->end && r->lno && r->kind ? max : 0;
    return r->maxlines ? DS_OK : ds__nomem("CSV block lines", max * 25);
}

/* 1 if the field [b, e) is the label column's name (blanks and one pair
 * of quotes around it ignored). */
static int is_label_name(const char *b, const char *e, const char *label)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (e - b >= 2 && *b == '"' && e[-1] == '"') b++, e--;
    size_t n = strlen(label);
    return (size_t)(e - b) == n && memcmp(b, label, n) == 0;
}

/* The delimiter of a file: the most frequent of comma, semicolon and tab
 * in its first line (a comma on a tie or when there is none). */
static char delimiter(const char *p, const char *e)
{
    size_t n[3] = {0, 0, 0};
    for (; p < e; p++)
        n[0] += *p == ',', n[1] += *p == ';', n[2] += *p == '\t';
    return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] && n[2] > n[1] ? '\t' : ',';
}

/* Features in file order, the label column skipped. */
static ds_status positional(ds_csv_rows *r)
{
    r->slot = malloc(r->ncols * sizeof *r->slot);
    if (!r->slot) return ds__nomem("CSV columns", r->ncols * sizeof *r->slot);
    for (size_t k = 0, j = 0; k < r->ncols; k++)
        r->slot[k] = k == r->label ? SIZE_MAX : j++;
    return DS_OK;
}

/* The header's names (blanks and one pair of quotes around each dropped),
 * for ds_csv_rows_match: pointers, then the text, in one block. */
static ds_status keep_names(ds_csv_rows *r, const char *p, const char *e)
{
    size_t bytes = r->ncols * sizeof(char *) + (size_t)(e - p) + 1;
    r->names = malloc(bytes);
    if (!r->names) return ds__nomem("CSV header", bytes);
    char *text = (char *)(r->names + r->ncols);
    memcpy(text, p, (size_t)(e - p));
    text[e - p] = '\0';
    for (size_t k = 0; k < r->ncols; k++) {
        char *c = strchr(text, r->delim), *b = text, *fe = c ? c : text + strlen(text);
        while (b < fe && is_blank(*b))
            b++;
        while (fe > b && is_blank(fe[-1]))
            fe--;
        if (fe - b >= 2 && *b == '"' && fe[-1] == '"') b++, fe--;
        *fe = '\0';
        r->names[k] = b;
        text = c ? c + 1 : text;
    }
    return DS_OK;
}

/* The first line: a header if a field is not a number; the columns give
 * the label column (none, "label" or the last). A data line is left to be
 * read as the first row. */
static ds_status first_line(ds_csv_rows *r, const char *label)
{
    ds_status s = reserve_lines(r, 1);
    if (s == DS_OK) s = collect(r, 1);
    if (s != DS_OK) return s;
    if (!r->nlines)
        return ds__fail(DS_ERR_FORMAT, "%s: empty file: expected rows of numbers", r->path);
    const char *p = r->buf + r->off[0], *e = r->buf + r->end[0];
    r->delim = delimiter(p, e);
    size_t named = SIZE_MAX;
    int header = 0;
    r->ncols = 0;
    for (;; r->ncols++) {
        const char *c = memchr(p, r->delim, (size_t)(e - p)), *fe = c ? c : e;
        const char *end;
        float v;
        header |= number_at(p, fe, r->delim, &v, &end) != OK;
        if (named == SIZE_MAX && is_label_name(p, fe, label ? label : "label")) named = r->ncols;
        if (!c) break;
        p = c + 1;
    }
    r->ncols++;
    if (r->ncols != r->features && r->ncols != r->features + 1)
        return ds__fail(DS_ERR_MISMATCH,
                        "%s:1: %zu columns, but the model takes %zu inputs: give %zu columns, or "
                        "%zu with the label",
                        r->path, r->ncols, r->features, r->features, r->features + 1);
    r->label = r->ncols == r->features       ? r->ncols
               : header && named != SIZE_MAX ? named
                                             : r->ncols - 1;
    s = positional(r);
    if (s == DS_OK && header) s = keep_names(r, r->buf + r->off[0], r->buf + r->end[0]);
    if (s != DS_OK) return s;
    if (!header) {
        r->start = r->off[0], r->line = 0, r->nlines = 0;
        return DS_OK;
    }
    size_t rest = r->start;
    while (rest < r->len && (r->buf[rest] == '\n' || r->buf[rest] == '\r'))
        rest++;
    if (rest == r->len && r->eof)
        return ds__fail(DS_ERR_FORMAT, "%s: header only: no data rows after line 1", r->path);
    return DS_OK;
}

ds_status ds_csv_rows_open(const char *path, size_t features, const char *label, ds_csv_rows **out)
{
    if (!out) return ds__fail(DS_ERR_INVALID, "ds_csv_rows_open: out is NULL");
    *out = NULL;
    if (!path || features == 0)
        return ds__fail(DS_ERR_INVALID, "ds_csv_rows_open: a path and features >= 1 are needed");
    ds_csv_rows *r = calloc(1, sizeof *r);
    if (!r) return ds__nomem("CSV reader", sizeof *r);
    r->f.fd = -1;
    r->features = features;
    r->cap = 4 * READ_CHUNK;
    r->path = strdup(path);
    r->buf = malloc(r->cap);
    ds_status s =
        r->path && r->buf ? ds__zfile_open(&r->f, r->path) : ds__nomem("CSV buffer", r->cap);
    if (s == DS_OK) s = refill(r);
    if (s == DS_OK && r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->start = 3;
    if (s == DS_OK) s = first_line(r, label);
    if (s != DS_OK) {
        ds_csv_rows_free(r);
        return s;
    }
    *out = r;
    return DS_OK;
}

int ds_csv_rows_has_label(const ds_csv_rows *r)
{
    return r->label < r->ncols;
}

ds_status ds_csv_rows_next(ds_csv_rows *r, float *x, size_t max, int threads, size_t *got)
{
    if (got) *got = 0;
    if (!r || !x || !got || max == 0)
        return ds__fail(DS_ERR_INVALID, "ds_csv_rows_next: NULL argument or max 0");
    ds_status s = reserve_lines(r, max);
    if (s == DS_OK) s = collect(r, max);
    if (s != DS_OK) return s;
    size_t n = r->nlines, f = r->features;
    int nt = threads > 0 ? threads : omp_get_num_procs();
#pragma omp parallel for num_threads(nt) schedule(static) if (n * r->ncols >= DS__PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        bad why;
        r->kind[i] =
            (unsigned char)parse_line(r, r->buf + r->off[i], r->buf + r->end[i], x + i * f, &why);
    }
    for (size_t i = 0; i < n; i++)
        if (r->kind[i] != OK) {
            bad why;
            parse_line(r, r->buf + r->off[i], r->buf + r->end[i], x + i * f, &why);
            return report(r, r->lno[i], &why);
        }
    *got = n;
    return DS_OK;
}

void ds_csv_rows_free(ds_csv_rows *r)
{
    if (!r) return;
    ds__zfile_close(&r->f);
    free(r->path), free(r->buf);
    free(r->off), free(r->end), free(r->lno), free(r->kind);
    free(r->slot), free(r->names);
    free(r);
}

/* The training column j's place in a feature row (the label skipped). */
static size_t feature_of(size_t j, size_t label)
{
    return j < label ? j : j - 1;
}

static ds_status match_error(const ds_csv_rows *r, const char *what, const char *name)
{
    return ds__fail(DS_ERR_MISMATCH,
                    "%s:1: %s '%s': the columns are matched by name to the training file's "
                    "(in any order; the label column may be left out)",
                    r->path, what, name);
}

ds_status ds_csv_rows_match(ds_csv_rows *r, const char *const *columns, size_t n, size_t label)
{
    if (!r || !columns || label >= n || n != r->features + 1)
        return ds__fail(DS_ERR_INVALID,
                        "ds_csv_rows_match: %zu columns with the label, the "
                        "model takes %zu features",
                        n, r ? r->features : 0);
    if (!r->names) return DS_OK;
    unsigned char *taken = calloc(n, 1);
    if (!taken) return ds__nomem("CSV columns", n);
    ds_status s = DS_OK;
    for (size_t k = 0; s == DS_OK && k < r->ncols; k++) {
        size_t j = 0;
        while (j < n && (taken[j] || strcmp(columns[j], r->names[k]) != 0))
            j++;
        if (j == n) {
            s = match_error(r, "a column not in the training file", r->names[k]);
            break;
        }
        taken[j] = 1;
        r->slot[k] = j == label ? SIZE_MAX : feature_of(j, label);
        if (j == label) r->label = k;
    }
    for (size_t j = 0; s == DS_OK && j < n; j++)
        if (!taken[j] && j != label) s = match_error(r, "no column", columns[j]);
    if (s == DS_OK && !taken[label]) r->label = r->ncols;
    free(taken);
    return s;
}

void ds_csv_rows_allow_missing(ds_csv_rows *r, int allow)
{
    r->missing = allow != 0;
}
