/* cmd_predict.c - `descent predict`: one output row per input row, in
 * input order, from a saved model (descent/infer.h).
 *
 * Streaming: the rows go through in blocks (--block, 4096 by default): a
 * CSV file is read block by block (descent/stream.h, ds_csv_rows), a
 * stream file through the unshuffled iterator, so memory is bounded by the
 * block whatever the file's size; IDX and generated sets are loaded as
 * eval loads them. Each block is predicted in one call (the forward pass
 * eval uses) and written before the next is read.
 *
 * Bad input writes nothing: the output file is written through the atomic
 * writer and abandoned on a bad row. An output written in place (standard
 * output, a FIFO or a device) cannot be taken back, so there a CSV input
 * is read through once first, to refuse a bad row before the first byte. */
#include "commands.h"
#include "outputs.h"

#include "descent/data.h"
#include "descent/infer.h"
#include "descent/prep.h"
#include "descent/stream.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    const char *file, *data, *output, *format;
    long block, threads;
    int proba;
} o;

static const cli_arg predict_args[] = {
    {"model-file", CLI_ARG_STRING, &o.file, "FILE", "model from descent train --save (required)"},
    {"data", CLI_ARG_STRING, &o.data, "SPEC",
     "rows to predict: a CSV file (PATH or csv:PATH, with or without the label column), "
     "stream:FILE, idx:..., fashion-mnist (the test split) (required)"},
    {"output", CLI_ARG_STRING, &o.output, "FILE", "where to write (default -: standard output)"},
    {"proba", CLI_ARG_FLAG, &o.proba, NULL, "classifiers: one probability column per class"},
    {"format", CLI_ARG_STRING, &o.format, "csv|json", "output format (default csv)"},
    {"block", CLI_ARG_INT, &o.block, "N", "rows read and predicted at a time (default 4096)"},
    {"threads", CLI_ARG_INT, &o.threads, "N", "threads (default 0: all cores)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short predict_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command predict_cmd = {
    .name = "predict",
    .usage = "descent predict --model-file FILE --data SPEC [-o FILE] [--proba] "
             "[--format csv|json]",
    .summary = "predict the rows of a data set with a saved model",
    .details = "Classifiers print the class (and with --proba the probabilities), other\n"
               "models their outputs. CSV input may carry the label column or not (the\n"
               "model's input size tells); files larger than memory stream through.\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input (nothing written).",
    .args = predict_args,
    .shorts = predict_shorts,
};

/* Where the rows come from: a CSV file read block by block, or a data set
 * (in memory or a stream file) through the unshuffled iterator. */
typedef struct source {
    ds_csv_rows *csv;
    ds_data data;
    ds_iter *it;
    float *x; /* the CSV block */
} source;

/* A CSV file given as PATH or csv:PATH (no options): streamed. */
static const char *csv_path(const char *spec)
{
    if (strncmp(spec, "csv:", 4) == 0) return strchr(spec + 4, ',') ? NULL : spec + 4;
    if (strchr(spec, ':')) return NULL;
    size_t n = strlen(spec);
    return (n > 4 && strcmp(spec + n - 4, ".csv") == 0) ||
                   (n > 7 && strcmp(spec + n - 7, ".csv.gz") == 0)
               ? spec
               : NULL;
}

/* The training CSV file's label column name, if the model recorded it. */
static const char *label_name(const ds_prep *prep)
{
    return prep && ds_prep_column_count(prep)
               ? ds_prep_column_name(prep, ds_prep_label_column(prep))
               : NULL;
}

/* A CSV file with a header: its columns matched by name to the training
 * file's, which the model recorded. */
static ds_status match_columns(ds_csv_rows *r, const ds_prep *prep)
{
    size_t n = ds_prep_column_count(prep);
    const char **names = malloc(n * sizeof *names);
    if (!names) return ds_set_error(DS_ERR_NOMEM, "no memory for %zu column names", n);
    for (size_t i = 0; i < n; i++)
        names[i] = ds_prep_column_name(prep, i);
    ds_status st = ds_csv_rows_match(r, names, n, ds_prep_label_column(prep));
    free(names);
    return st;
}

/* Rows as they are read: the model's preprocessing (prep) is applied by
 * the inference API; prep only names the label column and the classes. */
static ds_status source_open(source *s, size_t features, size_t block, const ds_prep *prep)
{
    memset(s, 0, sizeof *s);
    const char *csv = csv_path(o.data);
    if (csv) {
        s->x = malloc(block * features * sizeof *s->x);
        if (!s->x) return ds_set_error(DS_ERR_NOMEM, "no memory for a block of %zu rows", block);
        ds_status st = ds_csv_rows_open(csv, features, label_name(prep), &s->csv);
        /* a model with a preprocessing fills missing values with the means */
        if (st == DS_OK && prep && ds_prep_inputs(prep)) ds_csv_rows_allow_missing(s->csv, 1);
        return st == DS_OK && prep && ds_prep_column_count(prep) ? match_columns(s->csv, prep) : st;
    }
    ds_status st = ds_data_load_for(o.data, 0, prep, &s->data);
    if (st != DS_OK) return st;
    const ds_dataset *set = s->data.test ? s->data.test : s->data.train;
    if (ds_dataset_features(set) != features)
        return ds_set_error(DS_ERR_MISMATCH, "the model takes %zu inputs, data '%s' has %zu",
                            features, o.data, ds_dataset_features(set));
    s->it = ds_iter_init(set, block, 0, 0);
    return s->it ? DS_OK : ds_last_status();
}

/* The next block: *rows points at *n rows (0 at the end). */
static ds_status source_next(source *s, size_t block, const float **rows, size_t *n)
{
    if (s->csv) {
        *rows = s->x;
        return ds_csv_rows_next(s->csv, s->x, block, (int)o.threads, n);
    }
    ds_batch b;
    ds_iter_next(s->it, &b);
    *rows = b.x, *n = b.n;
    return DS_OK;
}

static void source_close(source *s)
{
    ds_csv_rows_free(s->csv);
    ds_iter_free(s->it);
    ds_data_free(&s->data);
    free(s->x);
}

/* Reads a CSV input through once without predicting: a bad row is refused
 * before anything reaches an output written in place. */
static ds_status check_rows(size_t features, size_t block, const ds_prep *prep)
{
    source s;
    ds_status st = source_open(&s, features, block, prep);
    const float *rows;
    size_t n = 1;
    while (st == DS_OK && n > 0)
        st = source_next(&s, block, &rows, &n);
    source_close(&s);
    return st;
}

/* ---- Output -------------------------------------------------------------- */

typedef struct writer {
    FILE *f;
    int json;
    size_t k, classes, rows;
    const ds_prep *prep; /* class names, when the labels were strings */
} writer;

/* A class name as a CSV field or a JSON string (quotes doubled in CSV,
 * escaped in JSON; control characters cannot occur in a CSV field). */
static void put_name(const writer *w, const char *name)
{
    int quote = w->json || strpbrk(name, ",\"\r\n") != NULL;
    if (quote) fputc('"', w->f);
    for (const char *c = name; *c; c++) {
        if (*c == '"') fputc(w->json ? '\\' : '"', w->f);
        if (*c == '\\' && w->json) fputc('\\', w->f);
        fputc(*c, w->f);
    }
    if (quote) fputc('"', w->f);
}

/* The name of class c when the training labels were strings, else NULL. */
static const char *class_name(const writer *w, int32_t c)
{
    return w->prep ? ds_prep_class_name(w->prep, c) : NULL;
}

/* Class c: its name when the training labels were strings, else its index. */
static void put_class(const writer *w, int32_t c)
{
    const char *name = class_name(w, c);
    if (name)
        put_name(w, name);
    else
        fprintf(w->f, "%d", (int)c);
}

static void put_header(const writer *w)
{
    if (w->json) {
        fputs("[", w->f);
        return;
    }
    if (w->classes) {
        fputs("class", w->f);
        for (size_t j = 0; o.proba && j < w->k; j++) {
            const char *name = class_name(w, (int32_t)j);
            fputc(',', w->f);
            if (name) {
                char col[300];
                snprintf(col, sizeof col, "prob_%s", name);
                put_name(w, col);
            } else {
                fprintf(w->f, "prob_%zu", j);
            }
        }
    } else if (w->k == 1) {
        fputs("output", w->f);
    } else {
        for (size_t j = 0; j < w->k; j++)
            fprintf(w->f, "%soutput_%zu", j ? "," : "", j);
    }
    fputs("\n", w->f);
}

/* One row: the class and/or the values v[0..k-1] (%.9g: the float exactly). */
static void put_row(writer *w, const int32_t *cls, const float *v)
{
    int vals = !cls || o.proba;
    if (w->json) {
        fputs(w->rows ? ",\n{" : "\n{", w->f);
        if (cls) fputs("\"class\": ", w->f), put_class(w, *cls);
        if (vals) fprintf(w->f, "%s\"%s\": [", cls ? ", " : "", cls ? "proba" : "outputs");
    } else if (cls) {
        put_class(w, *cls);
    }
    for (size_t j = 0; vals && j < w->k; j++)
        fprintf(w->f, "%s%.9g", (j || (cls && !w->json)) ? (w->json ? ", " : ",") : "",
                (double)v[j]);
    if (w->json) fputs(vals ? "]}" : "}", w->f);
    if (!w->json) fputs("\n", w->f);
    w->rows++;
}

/* ---- The command --------------------------------------------------------- */

typedef struct job {
    ds_infer *inf;
    size_t block;
    int threads;
    float *out;
    int32_t *cls;
} job;

/* The n rows of a block, split in one contiguous share per thread, each
 * predicted by its own call (the inference API serves concurrent calls). */
static ds_status predict_block(job *j, const float *rows, size_t n, int classify)
{
    size_t f = ds_infer_inputs(j->inf), k = ds_infer_outputs(j->inf);
    int nt = n < 64 ? 1 : j->threads, bad = 0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(| : bad)
    for (int t = 0; t < nt; t++) {
        size_t lo = n * (size_t)t / (size_t)nt, hi = n * (size_t)(t + 1) / (size_t)nt;
        ds_status st = classify ? ds_infer_classify(j->inf, rows + lo * f, hi - lo, j->cls + lo,
                                                    j->out + lo * k)
                                : ds_infer_predict(j->inf, rows + lo * f, hi - lo, j->out + lo * k);
        bad |= st != DS_OK;
    }
    return bad ? ds_set_error(DS_ERR_INVALID, "prediction failed") : DS_OK;
}

/* Predicts every block of the source into w. */
static ds_status predict_all(job *j, source *s, writer *w)
{
    const float *rows;
    size_t n;
    ds_status st;
    while ((st = source_next(s, j->block, &rows, &n)) == DS_OK && n > 0) {
        st = predict_block(j, rows, n, w->classes != 0);
        for (size_t i = 0; st == DS_OK && i < n; i++)
            put_row(w, w->classes ? &j->cls[i] : NULL, j->out + i * w->k);
    }
    return st;
}

static int exit_code(ds_status st)
{
    return st == DS_ERR_NOMEM || st == DS_ERR_IO ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
}

static int write_predictions(job *j, int in_place)
{
    writer w = {.json = o.format && strcmp(o.format, "json") == 0,
                .k = ds_infer_outputs(j->inf),
                .classes = ds_infer_classes(j->inf),
                .prep = ds_infer_prep(j->inf)};
    size_t f = ds_infer_inputs(j->inf);
    ds_status st = in_place && csv_path(o.data) ? check_rows(f, j->block, w.prep) : DS_OK;
    source s = {0};
    if (st == DS_OK) st = source_open(&s, f, j->block, w.prep);
    if (st != DS_OK) {
        source_close(&s);
        return cli_lib_error(&predict_cmd, exit_code(st));
    }
    ds_afile a;
    if ((st = cli_open_output(&a, o.output)) == DS_OK) {
        w.f = a.f;
        put_header(&w);
        st = predict_all(j, &s, &w);
        if (w.json) fputs(w.rows ? "\n]\n" : "]\n", w.f);
        if (st == DS_OK)
            st = ds_afile_commit(&a);
        else
            ds_afile_abort(&a);
    }
    source_close(&s);
    return st == DS_OK ? CLI_EXIT_OK : cli_lib_error(&predict_cmd, exit_code(st));
}

static int check_options(void)
{
    if (!o.file) return cli_usage_error(&predict_cmd, "missing --model-file FILE");
    if (!o.data) return cli_usage_error(&predict_cmd, "missing --data SPEC");
    if (o.format && strcmp(o.format, "csv") != 0 && strcmp(o.format, "json") != 0)
        return cli_usage_error(&predict_cmd, "--format: unknown format '%s' (accepted: csv, json)",
                               o.format);
    if (o.block < 1 || o.block > (1L << 24))
        return cli_usage_error(&predict_cmd, "--block must be 1..16777216 (got %ld)", o.block);
    if (o.threads < 0 || o.threads > 4096)
        return cli_usage_error(&predict_cmd, "--threads must be 0..4096 (got %ld)", o.threads);
    return -1;
}

static int run_predict(int argc, char **argv)
{
    o.block = 4096;
    int rc = cli_parse(&predict_cmd, argc, argv, NULL);
    if (rc >= 0 || (rc = check_options()) >= 0) return rc;
    if (!o.output) o.output = "-";
    cli_file out = {"output", o.output, CLI_STREAM | CLI_STDOUT, 0};
    cli_file in[] = {{"model-file", o.file, 0, 0},
                     {"data", o.data, csv_path(o.data) ? 0 : CLI_SPEC, 0}};
    in[1].path = csv_path(o.data) ? csv_path(o.data) : o.data;
    if ((rc = cli_check_outputs(&predict_cmd, &out, 1, in, 2)) >= 0) return rc;
    /* One thread per share of a block, each with one-thread products (the
     * slots' compute contexts): the shares keep the cores busy in the
     * forward pass, and a backend's own threads, idle while a block is
     * parsed, would spin for the cores the parser needs (measured with
     * OpenBLAS: 1M rows of 100 features, 1.6x the rate). */
    job j = {.block = (size_t)o.block, .threads = o.threads ? (int)o.threads : omp_get_num_procs()};
    ds_infer_params p = ds_infer_default_params();
    p.max_rows = j.block, p.slots = j.threads, p.threads = 1;
    if (ds_infer_load(o.file, &p, &j.inf) != DS_OK)
        return cli_lib_error(&predict_cmd, CLI_EXIT_USAGE);
    j.out = malloc(j.block * ds_infer_outputs(j.inf) * sizeof *j.out);
    j.cls = malloc(j.block * sizeof *j.cls);
    rc = j.out && j.cls ? write_predictions(&j, out.stream) : CLI_EXIT_FAIL;
    if (rc == CLI_EXIT_FAIL && (!j.out || !j.cls)) fprintf(stderr, "descent predict: no memory\n");
    free(j.out);
    free(j.cls);
    ds_infer_free(j.inf);
    return rc;
}

const cli_subcommand cli_cmd_predict = {&predict_cmd, run_predict};
