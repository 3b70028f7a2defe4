/* spec.c - data spec strings ("fashion-mnist", "csv:data.csv,label=y",
 * "blobs:n=500,classes=4", ...; doc/data.md): NAME[:ITEM,ITEM,...] where an
 * item is KEY=VALUE (KEY a lower-case word) or a positional path. Each form
 * names its keys; an unknown key, a bad value or a wrong number of paths is
 * an error naming the item and showing the form. */
#include "data/data_internal.h"
#include "descent/stream.h"
#include "core/internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_MAX_ITEMS 16

typedef struct spec {
    const char *text; /* the whole spec, for messages */
    const struct form *form;
    const char *pos[SPEC_MAX_ITEMS];
    const char *key[SPEC_MAX_ITEMS], *val[SPEC_MAX_ITEMS];
    int npos, nkeys;
    uint64_t seed;
} spec;

typedef struct form {
    const char *name, *usage, *keys; /* keys: ",k1,k2," */
    int min_pos, max_pos;
    ds_status (*load)(const spec *s, ds_data *out);
} form;

static ds_status bad(const spec *s, const char *what, const char *item)
{
    return ds__fail(DS_ERR_PARSE, "data spec '%s': %s '%s'; accepted: %s", s->text, what, item,
                    s->form->usage);
}

static const char *get(const spec *s, const char *key)
{
    for (int i = s->nkeys - 1; i >= 0; i--)
        if (strcmp(s->key[i], key) == 0) return s->val[i];
    return NULL;
}

/* A whole-number key in [lo, hi], or dflt when absent. */
static ds_status get_long(const spec *s, const char *key, long dflt, long lo, long hi, long *out)
{
    const char *v = get(s, key);
    long x = dflt;
    if (v && (ds__parse_long(v, &x) != 0 || x < lo || x > hi)) {
        return ds__fail(DS_ERR_PARSE,
                        "data spec '%s': %s=%s: need a whole number in [%ld, %ld]; accepted: %s",
                        s->text, key, v, lo, hi, s->form->usage);
    }
    *out = x;
    return DS_OK;
}

static ds_status get_double(const spec *s, const char *key, double dflt, double *out)
{
    const char *v = get(s, key);
    *out = dflt;
    if (v && ds__parse_double(v, out) != 0) return bad(s, "not a number:", v);
    return DS_OK;
}

/* limit=N: keeps the first N rows of each set. */
static ds_status apply_limit(const spec *s, ds_data *d)
{
    long lim;
    ds_status st = get_long(s, "limit", 0, 1, 2147483647L, &lim);
    if (st == DS_OK && lim > 0) {
        ds__dataset_truncate(d->train, (size_t)lim);
        if (d->test) ds__dataset_truncate(d->test, (size_t)lim);
    }
    return st;
}

static ds_status load_idx_pairs(const char *const paths[4], int pairs, long classes, ds_data *out)
{
    ds_status st = ds_idx_load(paths[0], paths[1], (int32_t)classes, &out->train);
    if (st == DS_OK && pairs == 2)
        st = ds_idx_load(paths[2], paths[3], ds_dataset_classes(out->train), &out->test);
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
    long classes;
    ds_status st = get_long(s, "classes", 0, 1, 2147483647L, &classes);
    if (st != DS_OK) return st;
    if (s->npos != 2 && s->npos != 4) return bad(s, "need 2 or 4 paths in", s->text);
    return load_idx_pairs(s->pos, s->npos / 2, classes, out);
}

static ds_status load_csv(const spec *s, ds_data *out)
{
    ds_csv_options o = ds_csv_default_options();
    long classes;
    const char *task = get(s, "task");
    ds_status st = get_long(s, "classes", 0, 1, 2147483647L, &classes);
    if (st != DS_OK) return st;
    o.classes = (int32_t)classes;
    o.label = get(s, "label");
    if (task && strcmp(task, "regress") == 0)
        o.task = DS_CSV_REGRESS;
    else if (task && strcmp(task, "classify") != 0)
        return bad(s, "task must be classify or regress, not", task);
    st = ds_csv_load(s->pos[0], &o, &out->train);
    if (st == DS_OK && s->npos == 2) {
        if (o.task == DS_CSV_CLASSIFY) o.classes = ds_dataset_classes(out->train);
        st = ds_csv_load(s->pos[1], &o, &out->test);
    }
    return st;
}

/* Generators: n rows + test rows from one stream, the tail becoming the test set. */
typedef struct gen_args {
    long n, features, classes, test;
    double real; /* zero, spread or noise */
} gen_args;

static ds_status gen_common(const spec *s, long n, long features, gen_args *g)
{
    ds_status st = get_long(s, "n", n, 1, 2147483647L, &g->n);
    if (st == DS_OK) st = get_long(s, "features", features, 1, 1L << 20, &g->features);
    if (st == DS_OK) st = get_long(s, "test", 0, 0, 2147483647L, &g->test);
    if (st == DS_OK && g->n + g->test > 2147483647L) st = bad(s, "too many rows:", "n + test");
    return st;
}

static ds_status split_test(const gen_args *g, ds_dataset *all, ds_data *out)
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
    gen_args g;
    ds_dataset *all;
    ds_status st = gen_common(s, 100, 1, &g);
    if (st == DS_OK) st = get_double(s, "zero", 0.8, &g.real);
    if (st == DS_OK)
        st = ds_gen_sparse((size_t)(g.n + g.test), (size_t)g.features, g.real, s->seed, &all);
    return st == DS_OK ? split_test(&g, all, out) : st;
}

static ds_status load_blobs(const spec *s, ds_data *out)
{
    gen_args g;
    ds_dataset *all;
    ds_status st = gen_common(s, 300, 2, &g);
    if (st == DS_OK) st = get_long(s, "classes", 3, 2, 1L << 20, &g.classes);
    if (st == DS_OK) st = get_double(s, "spread", 1.0, &g.real);
    if (st == DS_OK)
        st = ds_gen_blobs((size_t)(g.n + g.test), (size_t)g.features, (int32_t)g.classes, g.real,
                          s->seed, &all);
    return st == DS_OK ? split_test(&g, all, out) : st;
}

static ds_status load_linear(const spec *s, ds_data *out)
{
    gen_args g;
    ds_dataset *all;
    ds_status st = gen_common(s, 1000, 3, &g);
    if (st == DS_OK) st = get_double(s, "noise", 0.1, &g.real);
    if (st == DS_OK)
        st = ds_gen_linear((size_t)(g.n + g.test), (size_t)g.features, g.real, s->seed, &all);
    return st == DS_OK ? split_test(&g, all, out) : st;
}

/* A stream file (descent/stream.h): rows stay on disk. */
static ds_status load_stream(const spec *s, ds_data *out)
{
    long window;
    ds_status st = get_long(s, "window", 0, 1, 4096, &window);
    return st == DS_OK ? ds_stream_open(s->pos[0], (size_t)window, &out->train) : st;
}

static const form forms[] = {
    {"fashion-mnist", "fashion-mnist[:DIR][,limit=N]", ",limit,", 0, 1, load_fashion},
    {"idx", "idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS][,classes=K][,limit=N]", ",classes,limit,",
     2, 4, load_idx},
    {"csv", "csv:PATH[,TEST_PATH][,label=COL][,task=classify|regress][,classes=K][,limit=N]",
     ",label,task,classes,limit,", 1, 2, load_csv},
    {"toy", "toy", ",limit,", 0, 0, load_toy},
    {"sparse", "sparse[:n=100,features=1,zero=0.8,test=0,seed=S,limit=N]",
     ",n,features,zero,test,seed,limit,", 0, 0, load_sparse},
    {"blobs", "blobs[:n=300,features=2,classes=3,spread=1,test=0,seed=S,limit=N]",
     ",n,features,classes,spread,test,seed,limit,", 0, 0, load_blobs},
    {"linear", "linear[:n=1000,features=3,noise=0.1,test=0,seed=S,limit=N]",
     ",n,features,noise,test,seed,limit,", 0, 0, load_linear},
    {"stream", "stream:PATH[,window=8][,limit=N]", ",window,limit,", 1, 1, load_stream},
};
#define NFORMS (sizeof forms / sizeof forms[0])

/* A key is a lower-case word; anything else (a path with '=') is positional. */
static int is_key(const char *item, const char *eq)
{
    if (eq == item) return 0;
    for (const char *p = item; p < eq; p++)
        if (!islower((unsigned char)*p) && *p != '_') return 0;
    return 1;
}

/* Splits the items after "NAME:" in place (args is a private copy). */
static ds_status split_items(spec *s, char *args)
{
    for (char *item = args; item;) {
        char *comma = strchr(item, ',');
        if (comma) *comma = '\0';
        char *eq = strchr(item, '=');
        if (s->npos + s->nkeys >= SPEC_MAX_ITEMS) return bad(s, "too many items at", item);
        if (eq && is_key(item, eq)) {
            *eq = '\0';
            char probe[64];
            snprintf(probe, sizeof probe, ",%s,", item);
            if (strlen(item) > 60 || !strstr(s->form->keys, probe))
                return bad(s, "unknown key", item);
            s->key[s->nkeys] = item;
            s->val[s->nkeys++] = eq + 1;
        } else {
            if (!*item) return bad(s, "empty item in", s->text);
            s->pos[s->npos++] = item;
        }
        item = comma ? comma + 1 : NULL;
    }
    if (s->npos < s->form->min_pos || s->npos > s->form->max_pos)
        return bad(s, "wrong number of paths in", s->text);
    return DS_OK;
}

static const form *find_form(const char *name, size_t len)
{
    for (size_t i = 0; i < NFORMS; i++)
        if (strlen(forms[i].name) == len && strncmp(forms[i].name, name, len) == 0)
            return &forms[i];
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

ds_status ds_data_load(const char *text, uint64_t seed, ds_data *out)
{
    *out = (ds_data){NULL, NULL};
    if (!text) text = "";
    const char *colon = strchr(text, ':');
    spec s = {.text = text,
              .seed = seed,
              .form = find_form(text, colon ? (size_t)(colon - text) : strlen(text))};
    if (!s.form) return unknown_form(text);
    char *copy = strdup(colon ? colon + 1 : "");
    if (!copy) return ds__nomem("data spec", strlen(text));
    long sd;
    ds_status st = colon ? split_items(&s, copy) : DS_OK;
    if (st == DS_OK && !colon && s.form->min_pos > 0) st = bad(&s, "paths missing in", text);
    if (st == DS_OK && get(&s, "seed") && (st = get_long(&s, "seed", 0, 0, LONG_MAX, &sd)) == DS_OK)
        s.seed = (uint64_t)sd;
    if (st == DS_OK) st = s.form->load(&s, out);
    if (st == DS_OK) st = apply_limit(&s, out);
    free(copy);
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
