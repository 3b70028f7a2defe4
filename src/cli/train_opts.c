/* train_opts.c - checks the shared training options and builds a run from
 * them (train_opts.h): the one place `descent train`, `descent tune` and
 * `descent bench train` interpret --model ... --threads. */
#include "train_opts.h"

#include <stdio.h>
#include <string.h>

double ds_cli_ck_f64(const ds_ckpt *ck, const char *name, double dflt)
{
    double v;
    return ck && ds_ckpt_get_f64(ck, name, &v) == DS_OK ? v : dflt;
}

long ds_cli_ck_i64(const ds_ckpt *ck, const char *name, long dflt)
{
    int64_t v;
    return ck && ds_ckpt_get_i64(ck, name, &v) == DS_OK ? (long)v : dflt;
}

static const char *ck_text(const ds_ckpt *ck, const char *name)
{
    return ck ? ds_ckpt_find(ck, name, DS_CKPT_TEXT, NULL) : NULL;
}

/* Model options; an exit status or -1. */
static int model_options(const ds_command *cmd, const ds_train_opts *t, const ds_ckpt *ck,
                         ds_train_job *job)
{
    ds_model_params *mp = &job->mp;
    *mp = ds_model_default_params();
    if (t->act && ds_act_parse(t->act, &mp->act) != DS_OK) return ds_cli_option_error(cmd, "act");
    if (t->loss && ds_loss_parse(t->loss, &mp->loss) != DS_OK)
        return ds_cli_option_error(cmd, "loss");
    if (t->init && ds_init_parse(t->init, mp) != DS_OK) return ds_cli_option_error(cmd, "init");
    mp->l2 = isnan(t->l2) ? ds_cli_ck_f64(ck, "model.l2", 0) : t->l2;
    if (!(mp->l2 >= 0)) return ds_cli_usage_error(cmd, "--l2 must be >= 0 (got %g)", mp->l2);
    long seed = t->seed != DS_UNSET_L ? t->seed : ds_cli_ck_i64(ck, "train.seed", 0);
    if (seed < 0) return ds_cli_usage_error(cmd, "--seed must be >= 0 (got %ld)", seed);
    mp->seed = (uint64_t)seed;
    job->model_spec = t->model ? t->model : DS_DEFAULT_MODEL;
    job->model_desc = t->model ? NULL : ck_text(ck, "model.desc");
    return -1;
}

/* The optimizer: --opt, else the checkpoint's weights group, else adam. */
static int opt_options(const ds_command *cmd, const ds_train_opts *t, const ds_ckpt *ck,
                       ds_train_job *job)
{
    char spec[1024];
    const char *stored = ck_text(ck, "optim.spec");
    snprintf(spec, sizeof spec, "%s", t->opt ? t->opt : stored ? stored : "adam:lr=1e-3");
    char *bar = strchr(spec, '|');
    if (bar && !t->opt) *bar = '\0';
    return ds_opt_parse(spec, &job->op) == DS_OK ? -1 : ds_cli_option_error(cmd, "opt");
}

/* Loop and data options; an exit status or -1. */
static int loop_options(const ds_command *cmd, const ds_train_opts *t, const ds_ckpt *ck,
                        ds_train_job *job)
{
    ds_train_params *p = &job->tp;
    *p = ds_train_default_params();
    p->seed = job->mp.seed;
    p->epochs = t->epochs != DS_UNSET_L ? t->epochs : ds_cli_ck_i64(ck, "train.epochs", 5);
    if (p->epochs < 1)
        return ds_cli_usage_error(cmd, "--epochs must be >= 1 (got %ld)", (long)p->epochs);
    if (t->batch && ds_batch_size_parse(t->batch, &p->batch) != DS_OK)
        return ds_cli_option_error(cmd, "batch");
    if (!t->batch) p->batch = (size_t)ds_cli_ck_i64(ck, "train.batch_size", 64);
    const char *sched = t->schedule ? t->schedule : ck_text(ck, "train.schedule");
    if (ds_schedule_parse(sched, &p->schedule) != DS_OK)
        return ds_cli_option_error(cmd, "schedule");
    if (t->unit && strcmp(t->unit, "step") != 0 && strcmp(t->unit, "epoch") != 0)
        return ds_cli_usage_error(cmd, "--schedule-unit must be step or epoch (got '%s')", t->unit);
    p->schedule_per_step = t->unit ? strcmp(t->unit, "step") == 0
                                   : (int)ds_cli_ck_i64(ck, "train.schedule_per_step", 0);
    if (t->threads < 0 || t->threads > 4096)
        return ds_cli_usage_error(cmd, "--threads must be 0..4096 (got %ld)", t->threads);
    p->threads = (int)t->threads;
    job->val = isnan(t->val) ? ds_cli_ck_f64(ck, "data.val", 0) : t->val;
    if (!(job->val >= 0 && job->val < 1))
        return ds_cli_usage_error(cmd, "--val must be in [0, 1) (got %g)", job->val);
    const char *stored = ck_text(ck, "data.desc");
    job->data_spec = t->data ? t->data : stored ? stored : "fashion-mnist";
    p->data_desc = job->data_spec;
    p->val_fraction = job->val;
    return -1;
}

int ds_train_opts_resolve(const ds_command *cmd, const ds_train_opts *t, const ds_ckpt *ck,
                          ds_train_job *job)
{
    int rc;
    if ((rc = model_options(cmd, t, ck, job)) >= 0 || (rc = opt_options(cmd, t, ck, job)) >= 0)
        return rc;
    return loop_options(cmd, t, ck, job);
}

int ds_train_job_load(const ds_command *cmd, ds_train_job *job)
{
    if (ds_data_load(job->data_spec, job->mp.seed, &job->data) != DS_OK)
        return ds_cli_lib_error(cmd, DS_EXIT_USAGE);
    if (job->val > 0 &&
        ds_dataset_split(job->data.train, job->val, job->mp.seed, &job->tr, &job->va) != DS_OK)
        return ds_cli_lib_error(cmd, DS_EXIT_USAGE);
    return -1;
}

const ds_dataset *ds_train_job_train_set(const ds_train_job *job)
{
    return job->tr ? job->tr : job->data.train;
}

int ds_train_job_build(const ds_command *cmd, ds_train_job *job)
{
    const ds_dataset *train = ds_train_job_train_set(job);
    job->m = job->model_desc ? ds_model_init_desc(job->model_desc, &job->mp)
                             : ds_model_init(job->model_spec, ds_dataset_features(train), &job->mp);
    if (job->m) job->t = ds_trainer_init(job->m, &job->op, train, job->va, &job->tp);
    return job->t ? -1 : ds_cli_lib_error(cmd, DS_EXIT_USAGE);
}

void ds_train_job_free(ds_train_job *job)
{
    ds_trainer_free(job->t);
    ds_model_free(job->m);
    ds_dataset_free(job->tr);
    ds_dataset_free(job->va);
    ds_data_free(&job->data);
}
