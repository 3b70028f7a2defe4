/* spec.c - data spec strings ("fashion-mnist", "csv:data.csv,label=y",
 * "blobs:n=500,classes=4", ...; doc/data.md): NAME[:ITEM,ITEM,...] where an
 * item is KEY=VALUE (KEY a lower-case word) or a positional path. Each form
 * declares its keys as a table for the spec engine (core/spec.h), which
 * words every error about a key; a wrong number of paths is an error naming
 * the spec and showing the form. */
#include "core/spec.h"
#include "data/data_internal.h"
#include "data/prep_internal.h"
#include "descent/stream.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every key of every form; a form's table says which it takes. */
typedef struct opts {
    int64_t n, features, classes, test, seed, limit, window;
    double real; /* sparse zero, blobs spread, linear noise */
    const char *label;
    int task, header, delimiter, missing; /* ds_csv_task, _header, delimiter's index, _missing */
} opts;

typedef struct spec {
    const char *text;    /* the whole spec, for messages */
    const ds_prep *prep; /* ds_data_load_for's, or NULL */
    const struct form *form;
    char *pos[DS__SPEC_MAX_ITEMS];
    int npos;
    opts o;
} spec;

typedef struct form {
    const char *name, *usage;
    const ds__spec_key *keys;
    int min_pos, max_pos;
    ds_status (*load)(const spec *s, ds_data *out);
} form;

#define F(field) offsetof(opts, field)
#define WHOLE(key, lo, hi, dflt, text)                                                             \
    {                                                                                              \
        .name = #key, .type = DS__SPEC_INT, .offset = F(key), .min = lo, .max = hi, .def = dflt,   \
        .help = text                                                                               \
    }
#define ROWS              2147483647.0
#define N(dflt)           WHOLE(n, 1, ROWS, dflt, "training rows")
#define FEATURES(dflt)    WHOLE(features, 1, 1 << 20, dflt, "features per row")
#define CLASSES(lo, dflt) WHOLE(classes, lo, 1 << 20, dflt, "number of classes")
#define TEST              WHOLE(test, 0, ROWS, 0, "test rows generated after the training rows")
#define SEED              WHOLE(seed, 0, (double)LONG_MAX, 0, "seed (default: the run's)")
#define LIMIT             WHOLE(limit, 1, ROWS, 0, "keep the first N rows of each set")
#define REAL(key, lo, hi, dflt, text)                                                              \
    {                                                                                              \
        .name = key, .type = DS__SPEC_DOUBLE, .offset = F(real), .min = lo, .max = hi,             \
        .def = dflt, .help = text                                                                  \
    }

static const char *const tasks[] = {"classify", "regress", NULL}; /* by ds_csv_task */
static const char *const headers[] = {"auto", "yes", "no", NULL}; /* by ds_csv_header */
static const char *const delimiters[] = {"auto", "comma", "semicolon", "tab", NULL};
static const char delimiter_chars[] = {0, ',', ';', '\t'};              /* by delimiters' index */
static const char *const missings[] = {"refuse", "mean", "drop", NULL}; /* by ds_csv_missing */
#define WORDS(key, list, text)                                                                     \
    {                                                                                              \
        .name = #key, .type = DS__SPEC_ENUM, .offset = F(key), .words = list, .help = text         \
    }

static const ds__spec_key limit_keys[] = {LIMIT, {0}};
static const ds__spec_key idx_keys[] = {CLASSES(1, 0), LIMIT, {0}};
static const ds__spec_key csv_keys[] = {
    {.name = "label", .type = DS__SPEC_STRING, .offset = F(label), .help = "label column"},
    WORDS(task, tasks, "what the label is"),
    CLASSES(1, 0),
    WORDS(header, headers, "row 1 holds column names"),
    WORDS(delimiter, delimiters, "field separator"),
    WORDS(missing, missings, "empty, NA and ? fields"),
    LIMIT,
    {0}};
static const ds__spec_key sparse_keys[] = {
    N(100), FEATURES(1), REAL("zero", 0, 1, 0.8, "share of zero features"), TEST, SEED, LIMIT, {0}};
static const ds__spec_key blobs_keys[] = {
    N(300), FEATURES(2), CLASSES(2, 3), REAL("spread", 0, HUGE_VAL, 1, "cluster std"),
    TEST,   SEED,        LIMIT,         {0}};
static const ds__spec_key linear_keys[] = {
    N(1000), FEATURES(3), REAL("noise", 0, HUGE_VAL, 0.1, "noise std"), TEST, SEED, LIMIT, {0}};
static const ds__spec_key stream_keys[] = {
    WHOLE(window, 1, 4096, 0, "blocks in the shuffle window"), LIMIT, {0}};

static ds_status bad(const spec *s, const char *what, const char *item)
{
    return ds__fail(DS_ERR_PARSE, "data spec '%s': %s '%s'; accepted: %s", s->text, what, item,
                    s->form->usage);
}

/* limit=N: keeps the first N rows of each set. */
static void apply_limit(const spec *s, ds_data *d)
{
    if (s->o.limit > 0) {
        ds__dataset_truncate(d->train, (size_t)s->o.limit);
        if (d->test) ds__dataset_truncate(d->test, (size_t)s->o.limit);
    }
}

static ds_status load_idx_pairs(const char *const paths[4], int pairs, long classes, ds_data *out)
{
    ds_status st = ds_idx_load(paths[0], paths[1], (int32_t)classes, &out->train);
    if (st == DS_OK && pairs == 2)
        st = ds_idx_load(paths[2], paths[3], ds_dataset_classes(out->train), &out->test);
    if (st == DS_OK && pairs == 2) st = ds__dataset_check_test(out->train, out->test, paths[2]);
    return st;
}

static ds_status load_fashion(const spec *s, ds_data *out)
{
    static const char *const files[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    const char *dir = s->npos ? s->pos[0] : DS_FASHION_MNIST_DIR;
    size_t len = strlen(dir) + 32;
    char *buf = malloc(4 * len);
    if (!buf) return ds__nomem("paths", 4 * len);
    const char *paths[4];
    for (int i = 0; i < 4; i++) {
        snprintf(buf + i * len, len, "%s/%s", dir, files[i]);
        paths[i] = buf + i * len;
    }
    ds_status st = load_idx_pairs(paths, 2, 10, out);
    if (st == DS_ERR_IO) { /* say how to get the files (copy: the message is the argument) */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ds_last_error());
        st = ds__fail(st, "%s (install Debian's dataset-fashion-mnist, or give fashion-mnist:DIR)",
                      msg);
    }
    free(buf);
    return st;
}

static ds_status load_idx(const spec *s, ds_data *out)
{
    if (s->npos != 2 && s->npos != 4) return bad(s, "need 2 or 4 paths in", s->text);
    return load_idx_pairs((const char *const *)s->pos, s->npos / 2, (long)s->o.classes, out);
}

/* A model's CSV columns as a data set to match files to (ds__csv_load_test
 * reads only these fields). */
static ds_dataset columns_of(const ds_prep *p)
{
    ds_dataset like = {.columns = p->columns, .ncolumns = p->ncolumns};
    like.label_column = p->label_column;
    return like;
}

static ds_status load_csv(const spec *s, ds_data *out)
{
    ds_csv_options o = ds_csv_default_options();
    o.classes = (int32_t)s->o.classes;
    o.label = s->o.label;
    o.task = (ds_csv_task)s->o.task;
    o.header = (ds_csv_header)s->o.header;
    o.delimiter = delimiter_chars[s->o.delimiter];
    o.missing = (ds_csv_missing)s->o.missing;
    const ds_prep *p = s->prep;
    o.class_names = p && p->classes ? (const char *const *)p->names : NULL;
    o.nclass_names = o.class_names ? p->classes : 0;
    ds_dataset like = p ? columns_of(p) : (ds_dataset){0};
    ds_status st = like.columns ? ds__csv_load_test(s->pos[0], &o, &like, &out->train)
                                : ds_csv_load(s->pos[0], &o, &out->train);
    if (st == DS_OK && s->npos == 2) {
        if (o.task == DS_CSV_CLASSIFY) o.classes = ds_dataset_classes(out->train);
        if (ds_dataset_class_name(out->train, 0)) { /* the test file: the training names */
            o.class_names = (const char *const *)out->train->class_names;
            o.nclass_names = ds_dataset_classes(out->train);
        }
        st = ds__csv_load_test(s->pos[1], &o, like.columns ? &like : out->train, &out->test);
    }
    return st;
}

/* Generators: n rows + test rows from one stream, the tail becoming the test set. */
static ds_status check_rows(const spec *s)
{
    return s->o.n + s->o.test > 2147483647 ? bad(s, "too many rows:", "n + test") : DS_OK;
}

static ds_status split_test(const opts *g, ds_dataset *all, ds_data *out)
{
    if (g->test == 0) return out->train = all, DS_OK;
    out->train = ds__dataset_slice(all, 0, (size_t)g->n);
    out->test = out->train ? ds__dataset_slice(all, (size_t)g->n, (size_t)g->test) : NULL;
    ds_dataset_free(all);
    return out->test ? DS_OK : DS_ERR_NOMEM;
}

static ds_status load_toy(const spec *s, ds_data *out)
{
    (void)s;
    return ds_gen_toy(&out->train);
}

static ds_status load_sparse(const spec *s, ds_data *out)
{
    const opts *g = &s->o;
    ds_dataset *all;
    ds_status st = check_rows(s);
    if (st == DS_OK)
        st = ds_gen_sparse((size_t)(g->n + g->test), (size_t)g->features, g->real,
                           (uint64_t)g->seed, &all);
    return st == DS_OK ? split_test(g, all, out) : st;
}

static ds_status load_blobs(const spec *s, ds_data *out)
{
    const opts *g = &s->o;
    ds_dataset *all;
    ds_status st = check_rows(s);
    if (st == DS_OK)
        st = ds_gen_blobs((size_t)(g->n + g->test), (size_t)g->features, (int32_t)g->classes,
                          g->real, (uint64_t)g->seed, &all);
    return st == DS_OK ? split_test(g, all, out) : st;
}

static ds_status load_linear(const spec *s, ds_data *out)
{
    const opts *g = &s->o;
    ds_dataset *all;
    ds_status st = check_rows(s);
    if (st == DS_OK)
        st = ds_gen_linear((size_t)(g->n + g->test), (size_t)g->features, g->real,
                           (uint64_t)g->seed, &all);
    return st == DS_OK ? split_test(g, all, out) : st;
}

/* A stream file (descent/stream.h): rows stay on disk. */
static ds_status load_stream(const spec *s, ds_data *out)
{
    return ds_stream_open(s->pos[0], (size_t)s->o.window, &out->train);
}

static const form forms[] = {
    {"fashion-mnist", "fashion-mnist[:DIR][,limit=N]", limit_keys, 0, 1, load_fashion},
    {"idx", "idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS][,classes=K][,limit=N]", idx_keys, 2, 4,
     load_idx},
    {"csv",
     "csv:PATH[,TEST_PATH][,label=COL][,task=classify|regress][,classes=K][,header=auto|yes|no]"
     "[,delimiter=auto|comma|semicolon|tab][,missing=refuse|mean|drop][,limit=N]",
     csv_keys, 1, 2, load_csv},
    {"toy", "toy", limit_keys, 0, 0, load_toy},
    {"sparse", "sparse[:n=100,features=1,zero=0.8,test=0,seed=S,limit=N]", sparse_keys, 0, 0,
     load_sparse},
    {"blobs", "blobs[:n=300,features=2,classes=3,spread=1,test=0,seed=S,limit=N]", blobs_keys, 0, 0,
     load_blobs},
    {"linear", "linear[:n=1000,features=3,noise=0.1,test=0,seed=S,limit=N]", linear_keys, 0, 0,
     load_linear},
    {"stream", "stream:PATH[,window=8][,limit=N]", stream_keys, 1, 1, load_stream},
};
#define NFORMS (sizeof forms / sizeof forms[0])

static const form *find_form(const char *name)
{
    for (size_t i = 0; i < NFORMS; i++)
        if (strcmp(forms[i].name, name) == 0) return &forms[i];
    return NULL;
}

static ds_status unknown_form(const char *text)
{
    char list[768] = "";
    for (size_t i = 0, used = 0; i < NFORMS && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? " | " : "",
                                 forms[i].usage);
    return ds__fail(DS_ERR_PARSE, "data spec '%s': unknown data set; accepted: %s", text, list);
}

/* Reads the items of sp into s: keys through the form's table (with its
 * defaults, the seed argument's for seed), then the count of paths. */
static ds_status read_spec(spec *s, ds__spec *sp, uint64_t seed)
{
    char ctx[DS__SPEC_MAX_TEXT + 16];
    snprintf(ctx, sizeof ctx, "data spec '%s'", s->text);
    ds__spec_defaults(s->form->keys, &s->o);
    s->o.seed = (int64_t)seed;
    ds_status st =
        ds__spec_apply(ctx, s->form->keys, sp, &s->o, s->pos, s->form->max_pos, &s->npos);
    if (st == DS_OK && s->npos < s->form->min_pos)
        st = bad(s, sp->colon ? "wrong number of paths in" : "paths missing in", s->text);
    return st;
}

ds_status ds_data_load(const char *text, uint64_t seed, ds_data *out)
{
    return ds_data_load_for(text, seed, NULL, out);
}

ds_status ds_data_load_for(const char *text, uint64_t seed, const ds_prep *prep, ds_data *out)
{
    *out = (ds_data){NULL, NULL};
    if (!text) text = "";
    ds__spec *sp = malloc(sizeof *sp);
    if (!sp) return ds__nomem("data spec", sizeof *sp);
    spec s = {.text = text, .prep = prep};
    ds_status st = ds__spec_split(text, strlen(text), "data spec", sp);
    if (st == DS_OK && !(s.form = find_form(sp->name))) st = unknown_form(text);
    if (st == DS_OK) st = read_spec(&s, sp, seed);
    if (st == DS_OK) st = s.form->load(&s, out);
    if (st == DS_OK) apply_limit(&s, out);
    free(sp);
    if (st != DS_OK) ds_data_free(out);
    return st;
}

void ds_data_free(ds_data *d)
{
    if (!d) return;
    ds_dataset_free(d->train);
    ds_dataset_free(d->test);
    d->train = d->test = NULL;
}
