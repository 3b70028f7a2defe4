/* trainlog.c - strict reader of the CSV logs that `descent train --log`
 * writes (one row per epoch), for `descent plot --log`. Anything but the
 * exact header and seven well-formed fields per row is an error naming the
 * file and line, so a truncated or foreign file is never plotted as if it
 * were a log. */
#include "plot/plot_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char header[] = "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds";
static const char *const names[DS_LOG_NCOLS] = {"epoch",    "step",         "lr",     "train_loss",
                                                "val_loss", "val_accuracy", "seconds"};

/* One field: integers for epoch and step; numbers elsewhere; the val_*
 * columns may be empty; losses may be nan/inf (a diverged run). */
static int parse_field(int c, const char *s, double *out)
{
    long l;
    if (c == DS_LOG_EPOCH || c == DS_LOG_STEP) {
        if (ds_parse_long(s, &l) || l < 0) return -1;
        *out = (double)l;
        return 0;
    }
    int loss = c == DS_LOG_TRAIN_LOSS || c == DS_LOG_VAL_LOSS;
    if ((*s == '\0' && (c == DS_LOG_VAL_LOSS || c == DS_LOG_VAL_ACCURACY)) ||
        (loss && strcmp(s, "nan") == 0)) {
        *out = NAN;
        return 0;
    }
    if (loss && (strcmp(s, "inf") == 0 || strcmp(s, "-inf") == 0)) {
        *out = *s == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    return ds_parse_double(s, out);
}

/* Splits line (modified in place) into the 7 values of row[]. */
static ds_status parse_row(const char *path, long lineno, char *line, double *row)
{
    int nf = 1;
    for (const char *p = line; *p; p++)
        nf += *p == ',';
    if (nf != DS_LOG_NCOLS)
        return ds__fail(DS_ERR_FORMAT, "%s:%ld: expected %d comma-separated fields, got %d", path,
                        lineno, DS_LOG_NCOLS, nf);
    char *field = line;
    for (int c = 0; c < DS_LOG_NCOLS; c++) {
        char *comma = strchr(field, ',');
        if (comma) *comma = '\0';
        if (parse_field(c, field, &row[c]))
            return ds__fail(DS_ERR_FORMAT, "%s:%ld: %s '%s' is not %s", path, lineno, names[c],
                            field,
                            c <= DS_LOG_STEP ? "a non-negative integer"
                            : c >= DS_LOG_VAL_LOSS && c <= DS_LOG_VAL_ACCURACY ? "a number or empty"
                                                                               : "a finite number");
        field = comma ? comma + 1 : field;
    }
    return DS_OK;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* Reads the rows after the header into a growing row-major array. */
static ds_status read_rows(FILE *f, const char *path, double **rows, size_t *n)
{
    char *line = NULL;
    size_t cap = 0, rcap = 0;
    long lineno = 1;
    ds_status st = DS_OK;
    while (st == DS_OK && getline(&line, &cap, f) >= 0) {
        lineno++;
        chomp(line);
        if (*n == rcap) {
            rcap = rcap ? 2 * rcap : 64;
            double *p = realloc(*rows, rcap * DS_LOG_NCOLS * sizeof *p);
            if (!p) {
                st = ds__nomem("log rows", rcap * DS_LOG_NCOLS * sizeof *p);
                break;
            }
            *rows = p;
        }
        st = parse_row(path, lineno, line, *rows + *n * DS_LOG_NCOLS);
        if (st == DS_OK) ++*n;
    }
    if (st == DS_OK && ferror(f)) st = ds__fail(DS_ERR_IO, "cannot read '%s'", path);
    free(line);
    return st;
}

/* Checks the first line; DS_OK if it is the log header. */
static ds_status read_header(FILE *f, const char *path)
{
    char *line = NULL;
    size_t cap = 0;
    ds_status st = DS_OK;
    if (getline(&line, &cap, f) < 0) {
        st = ds__fail(DS_ERR_FORMAT, "%s:1: empty file (expected the header '%s')", path, header);
    } else {
        chomp(line);
        if (strcmp(line, header) != 0)
            st = ds__fail(DS_ERR_FORMAT, "%s:1: header is not '%s' (is this a descent train log?)",
                          path, header);
    }
    free(line);
    return st;
}

ds_status ds_plot_read_train_log(const char *path, ds_plot_train_log *log)
{
    memset(log, 0, sizeof *log);
    FILE *f = fopen(path, "r");
    if (!f) return ds__fail(DS_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    double *rows = NULL;
    size_t n = 0;
    ds_status st = read_header(f, path);
    if (st == DS_OK) st = read_rows(f, path, &rows, &n);
    fclose(f);
    double *block = st == DS_OK ? malloc((n ? n : 1) * DS_LOG_NCOLS * sizeof *block) : NULL;
    if (st == DS_OK && !block) st = ds__nomem("log", n * DS_LOG_NCOLS * sizeof *block);
    if (st == DS_OK) {
        log->n = n;
        for (int c = 0; c < DS_LOG_NCOLS; c++) {
            log->col[c] = block + (size_t)c * n;
            for (size_t r = 0; r < n; r++)
                log->col[c][r] = rows[r * DS_LOG_NCOLS + c];
        }
    }
    free(rows);
    return st;
}

void ds_plot_train_log_free(ds_plot_train_log *log)
{
    if (!log) return;
    free(log->col[0]);
    memset(log, 0, sizeof *log);
}
