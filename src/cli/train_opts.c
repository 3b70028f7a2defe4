/* train_opts.c - checks the shared training options and builds a run from
 * them (train_opts.h): the one place `descent train`, `descent tune` and
 * `descent bench train` interpret --model ... --threads. */
#include "train_opts.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double cli_ck_f64(const ds_ckpt *ck, const char *name, double dflt)
{
    double v;
    return ck && ds_ckpt_get_f64(ck, name, &v) == DS_OK ? v : dflt;
}

long cli_ck_i64(const ds_ckpt *ck, const char *name, long dflt)
{
    int64_t v;
    return ck && ds_ckpt_get_i64(ck, name, &v) == DS_OK ? (long)v : dflt;
}

static const char *ck_text(const ds_ckpt *ck, const char *name)
{
    return ck ? ds_ckpt_find(ck, name, DS_CKPT_TEXT, NULL) : NULL;
}

int cli_pinned(const cli_command *cmd, const cli_train_opts *t, const char *option, int same,
               const char *recorded, const char *given)
{
    if (same) return -1;
    return cli_usage_error(cmd,
                           "--%s %s differs from %s, which recorded %s: a resumed run keeps "
                           "what its checkpoint fixes (only --epochs, --threads, --fine-tune-lr "
                           "and the output paths may change)",
                           option, given, t->resume ? t->resume : "the checkpoint", recorded);
}

int cli_pinned_f64(const cli_command *cmd, const cli_train_opts *t, const char *option,
                   const ds_ckpt *ck, const char *name, double given)
{
    double v;
    char a[32], b[32];
    if (isnan(given) || !ck || ds_ckpt_get_f64(ck, name, &v) != DS_OK) return -1;
    snprintf(a, sizeof a, "%g", v);
    snprintf(b, sizeof b, "%g", given);
    return cli_pinned(cmd, t, option, v == given, a, b);
}

int cli_pinned_i64(const cli_command *cmd, const cli_train_opts *t, const char *option,
                   const ds_ckpt *ck, const char *name, long given)
{
    int64_t v;
    char a[32], b[32];
    if (given == CLI_UNSET_L || !ck || ds_ckpt_get_i64(ck, name, &v) != DS_OK) return -1;
    snprintf(a, sizeof a, "%lld", (long long)v);
    snprintf(b, sizeof b, "%ld", given);
    return cli_pinned(cmd, t, option, v == given, a, b);
}

/* The value of KEY in a model description ("mlp:4-3 act=relu loss=xent");
 * 0 if it has none (a neuron has no act). */
static int desc_value(const char *desc, const char *key, char *out, size_t size)
{
    char word[32];
    snprintf(word, sizeof word, " %s=", key);
    const char *at = desc ? strstr(desc, word) : NULL;
    if (!at) return 0;
    at += strlen(word);
    snprintf(out, size, "%.*s", (int)strcspn(at, " "), at);
    return 1;
}

/* The model options given with --resume against the checkpoint's (a given
 * --model is compared with the whole description by ds_trainer_restore). */
static int model_pins(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                      const ds_model_params *mp)
{
    const char *desc = ck_text(ck, "model.desc"), *init = ck_text(ck, "model.init");
    char rec[64];
    int rc = -1;
    if (t->act && desc_value(desc, "act", rec, sizeof rec))
        rc = cli_pinned(cmd, t, "act", strcmp(rec, ds_act_name(mp->act)) == 0, rec, t->act);
    if (rc < 0 && t->loss && desc_value(desc, "loss", rec, sizeof rec))
        rc = cli_pinned(cmd, t, "loss", strcmp(rec, ds_loss_name(mp->loss)) == 0, rec, t->loss);
    if (rc < 0 && t->init && init) {
        ds_model_params q = ds_model_default_params();
        int same = ds_init_parse(init, &q) == DS_OK && q.init == mp->init &&
                   (q.init != DS_INIT_CONST || q.init_value == mp->init_value);
        rc = cli_pinned(cmd, t, "init", same, init, t->init);
    }
    if (rc < 0 && t->precision && desc) {
        if (!desc_value(desc, "precision", rec, sizeof rec)) snprintf(rec, sizeof rec, "fp32");
        rc = cli_pinned(cmd, t, "precision", strcmp(rec, ds_precision_name(mp->precision)) == 0,
                        rec, t->precision);
    }
    if (rc < 0) rc = cli_pinned_f64(cmd, t, "l2", ck, "model.l2", t->l2);
    if (rc < 0) rc = cli_pinned_i64(cmd, t, "seed", ck, "train.seed", t->seed);
    return rc;
}

/* Model options; an exit status or -1. */
static int model_options(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                         cli_train_job *job)
{
    ds_model_params *mp = &job->mp;
    *mp = ds_model_default_params();
    if (t->act && ds_act_parse(t->act, &mp->act) != DS_OK) return cli_option_error(cmd, "act");
    if (t->loss && ds_loss_parse(t->loss, &mp->loss) != DS_OK) return cli_option_error(cmd, "loss");
    if (t->init && ds_init_parse(t->init, mp) != DS_OK) return cli_option_error(cmd, "init");
    if (t->precision && ds_precision_parse(t->precision, &mp->precision) != DS_OK)
        return cli_option_error(cmd, "precision");
    mp->l2 = isnan(t->l2) ? cli_ck_f64(ck, "model.l2", 0) : t->l2;
    if (!(mp->l2 >= 0)) return cli_usage_error(cmd, "--l2 must be >= 0 (got %g)", mp->l2);
    long seed = t->seed != CLI_UNSET_L ? t->seed : cli_ck_i64(ck, "train.seed", 0);
    if (seed < 0) return cli_usage_error(cmd, "--seed must be >= 0 (got %ld)", seed);
    mp->seed = (uint64_t)seed;
    job->model_spec = t->model ? t->model : CLI_DEFAULT_MODEL;
    job->model_desc = t->model ? NULL : ck_text(ck, "model.desc");
    return model_pins(cmd, t, ck, mp);
}

/* The optimizer: --opt, else the checkpoint's weights group, else adam. */
static int opt_options(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                       cli_train_job *job)
{
    char spec[1024];
    const char *stored = ck_text(ck, "optim.spec");
    snprintf(spec, sizeof spec, "%s", t->opt ? t->opt : stored ? stored : "adam:lr=1e-3");
    char *bar = strchr(spec, '|');
    if (bar && !t->opt) *bar = '\0';
    if (ds_opt_parse(spec, &job->op) != DS_OK) return cli_option_error(cmd, "opt");
    if (!t->opt || !stored) return -1;
    /* the weights group's spec as the checkpoint writes it */
    char mine[1024], rec[1024];
    ds_opt_format(&job->op, mine, sizeof mine);
    snprintf(rec, sizeof rec, "%.*s", (int)strcspn(stored, "|"), stored);
    return cli_pinned(cmd, t, "opt", strcmp(mine, rec) == 0, rec, t->opt);
}

/* The schedule options given with --resume against the checkpoint's. */
static int schedule_pins(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                         const ds_train_params *p)
{
    const char *sched = ck_text(ck, "train.schedule");
    char mine[1024];
    ds_schedule_format(&p->schedule, mine, sizeof mine);
    int rc = t->schedule && sched
                 ? cli_pinned(cmd, t, "schedule", strcmp(mine, sched) == 0, sched, t->schedule)
                 : -1;
    int64_t per_step;
    if (rc < 0 && t->unit && ck &&
        ds_ckpt_get_i64(ck, "train.schedule_per_step", &per_step) == DS_OK)
        rc = cli_pinned(cmd, t, "schedule-unit", per_step == p->schedule_per_step,
                        per_step ? "step" : "epoch", t->unit);
    return rc;
}

/* The batch size given with --resume against the checkpoint's (0: full). */
static int batch_pin(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                     size_t batch)
{
    long rec = cli_ck_i64(ck, "train.batch_size", -1);
    char text[32];
    if (!t->batch || rec < 0) return -1;
    snprintf(text, sizeof text, rec == DS_BATCH_FULL ? "full" : "%ld", rec);
    return cli_pinned(cmd, t, "batch", (size_t)rec == batch, text, t->batch);
}

/* Loop options; an exit status or -1. */
static int loop_options(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                        cli_train_job *job)
{
    ds_train_params *p = &job->tp;
    *p = ds_train_default_params();
    p->seed = job->mp.seed;
    p->epochs = t->epochs != CLI_UNSET_L ? t->epochs : cli_ck_i64(ck, "train.epochs", 5);
    if (p->epochs < 1)
        return cli_usage_error(cmd, "--epochs must be >= 1 (got %ld)", (long)p->epochs);
    if (t->batch && ds_batch_size_parse(t->batch, &p->batch) != DS_OK)
        return cli_option_error(cmd, "batch");
    if (!t->batch) p->batch = (size_t)cli_ck_i64(ck, "train.batch_size", 64);
    const char *sched = t->schedule ? t->schedule : ck_text(ck, "train.schedule");
    if (ds_schedule_parse(sched, &p->schedule) != DS_OK) return cli_option_error(cmd, "schedule");
    if (t->unit && strcmp(t->unit, "step") != 0 && strcmp(t->unit, "epoch") != 0)
        return cli_usage_error(cmd, "--schedule-unit must be step or epoch (got '%s')", t->unit);
    p->schedule_per_step =
        t->unit ? strcmp(t->unit, "step") == 0 : (int)cli_ck_i64(ck, "train.schedule_per_step", 0);
    /* not given: the count the checkpoint was written with, for the same bits */
    long threads = t->threads != CLI_UNSET_L ? t->threads : cli_ck_i64(ck, "train.threads", 0);
    if (threads < 0 || threads > 4096)
        return cli_usage_error(cmd, "--threads must be 0..4096 (got %ld)", threads);
    p->threads = (int)threads;
    int rc = batch_pin(cmd, t, ck, p->batch);
    return rc >= 0 ? rc : schedule_pins(cmd, t, ck, p);
}

void cli_absolute_path(const char *path, char *out, size_t size)
{
    /* the folder resolved (no "..", one spelling per folder), the last
     * component kept: a symlink stays the link the user named */
    char dir[PATH_MAX], real[PATH_MAX];
    const char *base = cli_split_path(path, dir, sizeof dir);
    if (!*base && realpath(path, real) && (size_t)snprintf(out, size, "%s", real) < size) return;
    if (*base && realpath(dir, real) &&
        (size_t)snprintf(out, size, "%s/%s", strcmp(real, "/") ? real : "", base) < size)
        return;
    snprintf(out, size, "%s", path);
}

/* Writes spec to out (size bytes) with each file or folder path made
 * absolute, so a checkpoint resumes from any working folder: the
 * positional items (no "key=") of the forms that take paths. A spec too
 * long for out is kept as it is. */
static void absolute_spec(const char *spec, char *out, size_t size)
{
    static const char *const with_paths[] = {"fashion-mnist:", "idx:", "csv:", "stream:"};
    int paths = 0;
    for (size_t i = 0; i < sizeof with_paths / sizeof *with_paths; i++)
        paths |= strncmp(spec, with_paths[i], strlen(with_paths[i])) == 0;
    const char *item = spec + strcspn(spec, ":") + 1;
    size_t len = (size_t)snprintf(out, size, "%.*s", (int)(item - spec), spec);
    for (int first = 1; paths && len < size; first = 0) {
        char one[2048], abs[4096];
        size_t k = strcspn(item, ","), key = strspn(item, "abcdefghijklmnopqrstuvwxyz_");
        snprintf(one, sizeof one, "%.*s", (int)k, item);
        if (k > 0 && !(key > 0 && item[key] == '=')) /* not key=value: a path */
            cli_absolute_path(one, abs, sizeof abs);
        else
            snprintf(abs, sizeof abs, "%s", one);
        len += (size_t)snprintf(out + len, size - len, "%s%s", first ? "" : ",", abs);
        if (!item[k]) return;
        item += k + 1;
    }
    snprintf(out, size, "%s", spec);
}

int cli_csv_spec(const cli_command *cmd, const cli_csv_opts *c, const char *spec, char *out,
                 size_t size)
{
    static const char *const option[4] = {"label-column", "header", "delimiter", "missing"};
    static const char *const key[4] = {"label", "header", "delimiter", "missing"};
    const char *value[4] = {c->label, c->header, c->delimiter, c->missing};
    size_t len = (size_t)snprintf(out, size, "%s", spec);
    for (int i = 0; i < 4; i++) {
        if (!value[i]) continue;
        if (strncmp(spec, "csv:", 4) != 0)
            return cli_usage_error(cmd, "--%s applies to CSV data (csv:PATH), not '%s'", option[i],
                                   spec);
        if (!*value[i] || strchr(value[i], ','))
            return cli_usage_error(cmd, "--%s '%s': give a value without commas", option[i],
                                   value[i]);
        len += (size_t)snprintf(out + (len < size ? len : size), len < size ? size - len : 0,
                                ",%s=%s", key[i], value[i]);
    }
    if (len >= size) return cli_usage_error(cmd, "the data spec with the CSV options is too long");
    return -1;
}

/* --normalize, else the checkpoint's, else none; a different one given on
 * resume is refused. */
static int norm_options(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                        cli_train_job *job)
{
    const char *rec = ck_text(ck, "prep.norm");
    if (ds_norm_parse(t->normalize ? t->normalize : rec ? rec : "none", &job->norm) != DS_OK)
        return cli_option_error(cmd, "normalize");
    if (!t->normalize || !ck) return -1;
    const char *was = rec ? rec : "none";
    return cli_pinned(cmd, t, "normalize", strcmp(was, ds_norm_name(job->norm)) == 0, was,
                      t->normalize);
}

/* Data options: the spec (paths absolute) and the validation share. */
static int data_options(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                        cli_train_job *job)
{
    job->val = isnan(t->val) ? cli_ck_f64(ck, "data.val", 0) : t->val;
    if (!(job->val >= 0 && job->val < 1))
        return cli_usage_error(cmd, "--val must be in [0, 1) (got %g)", job->val);
    const char *stored = ck_text(ck, "data.desc");
    const cli_csv_opts *c = &t->csv;
    int given = t->data || c->label || c->header || c->delimiter || c->missing;
    /* loaded as given (messages name the files as the user did), recorded absolute */
    int rc = cli_csv_spec(cmd, c,
                          t->data  ? t->data
                          : stored ? stored
                                   : "fashion-mnist",
                          job->data_given, sizeof job->data_given);
    if (rc >= 0) return rc;
    job->data_spec = job->data_given;
    absolute_spec(job->data_spec, job->data_abs, sizeof job->data_abs);
    job->tp.data_desc = job->data_abs;
    job->tp.val_fraction = job->val;
    rc = cli_pinned_f64(cmd, t, "val", ck, "data.val", t->val);
    if (rc >= 0 || !given || !stored) return rc;
    char rec[sizeof job->data_abs];
    absolute_spec(stored, rec, sizeof rec); /* files written before paths were absolute */
    return cli_pinned(cmd, t, "data", strcmp(rec, job->data_abs) == 0, rec, job->data_spec);
}

int cli_train_opts_resolve(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                           cli_train_job *job)
{
    int rc;
    job->ck = ck;
    if ((rc = model_options(cmd, t, ck, job)) >= 0 || (rc = opt_options(cmd, t, ck, job)) >= 0 ||
        (rc = loop_options(cmd, t, ck, job)) >= 0 || (rc = data_options(cmd, t, ck, job)) >= 0)
        return rc;
    return norm_options(cmd, t, ck, job);
}

/* The preprocessing: the checkpoint's when it has one (a resumed run goes
 * on with what it learned), else learned on the training part; applied to
 * every set. A streamed set's rows stay in its file: no preprocessing. */
static int prepare(const cli_command *cmd, cli_train_job *job)
{
    ds_dataset *train = job->tr ? job->tr : job->data.train;
    /* without --normalize only CSV data have something to keep (class
     * names, columns, a fill for missing values): IDX and generated sets
     * train as before, with no pass over them and no prep.* records */
    if (job->norm == DS_NORM_NONE && strncmp(job->data_spec, "csv:", 4) != 0) return -1;
    if (!ds_dataset_x(train))
        return job->norm == DS_NORM_NONE
                   ? -1
                   : cli_usage_error(cmd,
                                     "--normalize %s: a streamed data set's rows stay in its "
                                     "file (scale them when writing it)",
                                     ds_norm_name(job->norm));
    ds_status s = job->ck && ds_ckpt_find(job->ck, "prep.norm", DS_CKPT_TEXT, NULL)
                      ? ds_prep_from_checkpoint(job->ck, &job->prep)
                      : ds_prep_fit(train, job->norm, &job->prep);
    ds_dataset *sets[3] = {train, job->va, job->data.test};
    for (int i = 0; s == DS_OK && i < 3; i++)
        if (sets[i]) s = ds_prep_apply_dataset(job->prep, sets[i]);
    return s == DS_OK ? -1 : cli_lib_error(cmd, CLI_EXIT_USAGE);
}

int cli_train_job_load(const cli_command *cmd, cli_train_job *job)
{
    if (ds_data_load(job->data_spec, job->mp.seed, &job->data) != DS_OK)
        return cli_lib_error(cmd, CLI_EXIT_USAGE);
    return cli_train_job_split(cmd, job);
}

int cli_train_job_split(const cli_command *cmd, cli_train_job *job)
{
    if (job->val > 0 &&
        ds_dataset_split(job->data.train, job->val, job->mp.seed, &job->tr, &job->va) != DS_OK)
        return cli_lib_error(cmd, CLI_EXIT_USAGE);
    return prepare(cmd, job);
}

const ds_dataset *cli_train_job_train_set(const cli_train_job *job)
{
    return job->tr ? job->tr : job->data.train;
}

int cli_train_job_build(const cli_command *cmd, cli_train_job *job)
{
    const ds_dataset *train = cli_train_job_train_set(job);
    int32_t classes = ds_dataset_classes(train);
    size_t outputs = classes > 0 ? (size_t)classes : ds_dataset_outputs(train);
    job->tp.prep = job->prep;
    job->m = job->model_desc ? ds_model_init_desc(job->model_desc, &job->mp)
                             : ds_model_init_data(job->model_spec, ds_dataset_features(train),
                                                  outputs, &job->mp);
    if (job->m) job->t = ds_trainer_init(job->m, &job->op, train, job->va, &job->tp);
    return job->t ? -1 : cli_lib_error(cmd, CLI_EXIT_USAGE);
}

void cli_train_job_free(cli_train_job *job)
{
    ds_trainer_free(job->t);
    ds_model_free(job->m);
    ds_dataset_free(job->tr);
    ds_dataset_free(job->va);
    ds_prep_free(job->prep);
    ds_data_free(&job->data);
}
