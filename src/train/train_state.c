/* train_state.c - the trainer's full state to and from a checkpoint, so a
 * resumed run continues bit for bit (descent/train.h). Records are matched
 * by name; settings that must agree for an exact continuation (model,
 * optimizer, batch size, seed, schedule, plateau, EMA, data size) are
 * compared and reported as DS_ERR_MISMATCH naming both values. */
#include "train/train_internal.h"

#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ds_status put_settings(const ds_trainer *t, ds_ckpt *c)
{
    char sched[1024];
    ds_schedule_format(&t->p.schedule, sched, sizeof sched);
    const int64_t seed = (int64_t)t->p.seed;
    ds_status s = ds_ckpt_put_i64(c, "train.seed", seed);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.batch_size", (int64_t)t->p.batch);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.epochs", t->p.epochs);
    if (s == DS_OK) s = ds_ckpt_put_text(c, "train.schedule", sched);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.schedule_per_step", t->p.schedule_per_step);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "plateau.factor", t->p.plateau);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "ema.decay", t->p.ema);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "early.patience", t->p.early_stop);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "data.rows", (int64_t)ds_dataset_rows(t->train));
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "data.val", t->p.val_fraction);
    if (s == DS_OK && t->data_desc) s = ds_ckpt_put_text(c, "data.desc", t->data_desc);
    /* the thread count gives the last bits (summation order), so a plain
     * resume uses it again; the checkpoint settings go on being used by a
     * resume that gives none */
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.threads", ds_model_threads(t->m));
    if (s == DS_OK && t->ckpt_path) s = ds_ckpt_put_text(c, "out.checkpoint", t->ckpt_path);
    if (s == DS_OK && t->ckpt_path)
        s = ds_ckpt_put_i64(c, "out.checkpoint_every", t->p.checkpoint_every);
    return s;
}

/* The init the run started from ("he", "const:0.5"), so a resume can tell
 * a different --init from the same one. */
static ds_status put_init(const ds_model_params *mp, ds_ckpt *c)
{
    char init[64];
    if (mp->init == DS_INIT_CONST)
        snprintf(init, sizeof init, "const:%.17g", mp->init_value);
    else
        snprintf(init, sizeof init, "%s", ds_init_name(mp->init));
    return ds_ckpt_put_text(c, "model.init", init);
}

static ds_status put_position(const ds_trainer *t, ds_ckpt *c)
{
    ds_status s = ds_ckpt_put_i64(c, "train.epoch", t->epoch);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.batch", (int64_t)t->batch);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.step", t->step);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.loss_sum", t->loss_sum);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.loss_count", t->loss_count);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "train.examples", (int64_t)t->examples);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.epoch_seconds", t->epoch_seconds);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.seconds", t->seconds);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "plateau.scale", t->plateau_scale);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "plateau.prev_val", t->prev_val);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "ema.t", t->ema_t);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "early.best_epoch", t->best_epoch);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "early.best_val", t->best_val);
    if (s == DS_OK) s = ds_ckpt_put_i64(c, "early.stopped", t->stopped);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.start_loss", t->start_loss);
    /* the last completed epoch's results, so resuming a finished run (or one
     * stopped right at an epoch end) can still report them */
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.last_loss", t->last.train_loss);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.last_val_loss", t->last.val_loss);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "train.last_val_accuracy", t->last.val_accuracy);
    return s;
}

/* A layer network's state beside its parameters: batch norm's running
 * statistics ("model.state") and the count of training passes
 * ("model.passes", dropout's seed), so a resumed run is bit-identical. */
static ds_status put_net_state(ds_model *m, ds_ckpt *c)
{
    size_t n = ds_model_state_count(m);
    ds_status s = DS_OK;
    if (n) s = ds_ckpt_put(c, "model.state", DS_CKPT_F32, ds_model_state_data(m), n);
    if (s == DS_OK && ds_model_passes(m))
        s = ds_ckpt_put_i64(c, "model.passes", (int64_t)ds_model_passes(m));
    return s;
}

static ds_status get_net_state(ds_model *m, const ds_ckpt *c)
{
    int64_t passes = 0;
    size_t n = ds_model_state_count(m);
    ds_status s = n ? ds_ckpt_get(c, "model.state", DS_CKPT_F32, ds_model_state_data(m), n) : DS_OK;
    if (s == DS_OK && ds_ckpt_find(c, "model.passes", DS_CKPT_I64, NULL))
        s = ds_ckpt_get_i64(c, "model.passes", &passes);
    if (s == DS_OK) ds_model_set_passes(m, (uint64_t)passes);
    return s;
}

/* "model.params" holds the weights to use (the best epoch's under early
 * stopping, else the EMA average if enabled); with either, the live
 * weights ("train.params") and the raw average are kept too for resume. */
static ds_status put_model(const ds_trainer *t, ds_ckpt *c)
{
    char desc[1200];
    ds_model_describe(t->m, desc, sizeof desc);
    size_t n = ds_model_param_count(t->m);
    float *x = ds_model_param_data(t->m);
    ds_status s = ds_ckpt_put_text(c, "model.desc", desc);
    if (s == DS_OK) s = ds_ckpt_put_f64(c, "model.l2", ds_model_get_params(t->m)->l2);
    if (s == DS_OK) s = put_net_state(t->m, c);
    if (s == DS_OK) s = put_init(ds_model_get_params(t->m), c);
    if (s != DS_OK || !t->backup)
        return s == DS_OK ? ds_ckpt_put(c, "model.params", DS_CKPT_F32, x, n) : s;
    s = ds_ckpt_put(c, "train.params", DS_CKPT_F32, x, n);
    if (s == DS_OK && t->ema_avg) s = ds_ckpt_put(c, "ema.avg", DS_CKPT_F32, t->ema_avg, n);
    int swapped = ds__train_swap_in(t, 1);
    if (s == DS_OK) s = ds_ckpt_put(c, "model.params", DS_CKPT_F32, x, n);
    ds__train_swap_out(t, swapped);
    return s;
}

ds_status ds_trainer_checkpoint(const ds_trainer *t, ds_ckpt *c)
{
    if (t->failed) return ds__fail(t->failed, "refusing to save the state of a failed run");
    if (!ds__all_finite(ds_model_param_data(t->m), ds_model_param_count(t->m)))
        return ds__fail(DS_ERR_NONFINITE, "refusing to save non-finite parameters");
    ds_status s = put_model(t, c);
    if (s == DS_OK) s = ds_ckpt_put_optim(c, t->opt);
    if (s == DS_OK) s = put_settings(t, c);
    if (s == DS_OK) s = put_position(t, c);
    if (s == DS_OK && t->p.prep) s = ds_prep_put(t->p.prep, c);
    return s;
}

ds_status ds_trainer_save(const ds_trainer *t, const char *path)
{
    ds_ckpt *c = ds_ckpt_new();
    if (!c) return DS_ERR_NOMEM;
    ds_status s = ds_trainer_checkpoint(t, c);
    if (s == DS_OK) s = ds_ckpt_save(c, path);
    ds_ckpt_free(c);
    return s;
}

/* ---- restore ---- */

static ds_status same_i64(const ds_ckpt *c, const char *name, int64_t want, const char *what)
{
    int64_t v;
    ds_status s = ds_ckpt_get_i64(c, name, &v);
    if (s == DS_OK && v != want)
        s = ds__fail(DS_ERR_MISMATCH, "checkpoint has %s %lld, this run %lld", what, (long long)v,
                     (long long)want);
    return s;
}

/* same_i64 for a record files written before it existed lack: `absent`. */
static ds_status same_i64_or(const ds_ckpt *c, const char *name, int64_t want, int64_t absent,
                             const char *what)
{
    if (!ds_ckpt_find(c, name, DS_CKPT_I64, NULL) && want == absent) return DS_OK;
    return same_i64(c, name, want, what);
}

static ds_status same_f64(const ds_ckpt *c, const char *name, double want, const char *what)
{
    double v;
    ds_status s = ds_ckpt_get_f64(c, name, &v);
    if (s == DS_OK && v != want)
        s = ds__fail(DS_ERR_MISMATCH, "checkpoint has %s %.17g, this run %.17g", what, v, want);
    return s;
}

static ds_status same_text(const ds_ckpt *c, const char *name, const char *want, const char *what)
{
    const char *v = ds_ckpt_find(c, name, DS_CKPT_TEXT, NULL);
    if (!v) return DS_ERR_NOT_FOUND;
    if (strcmp(v, want) != 0)
        return ds__fail(DS_ERR_MISMATCH, "checkpoint is for %s '%s', this run uses '%s'", what, v,
                        want);
    return DS_OK;
}

static ds_status check_settings(const ds_trainer *t, const ds_ckpt *c)
{
    char desc[1200], sched[1024];
    ds_model_describe(t->m, desc, sizeof desc);
    ds_schedule_format(&t->p.schedule, sched, sizeof sched);
    ds_status s = same_text(c, "model.desc", desc, "model");
    if (s == DS_OK) s = same_i64(c, "train.batch_size", (int64_t)t->p.batch, "batch size");
    if (s == DS_OK) s = same_i64(c, "train.seed", (int64_t)t->p.seed, "seed");
    if (s == DS_OK) s = same_text(c, "train.schedule", sched, "schedule");
    if (s == DS_OK)
        s = same_i64(c, "train.schedule_per_step", t->p.schedule_per_step,
                     "schedule unit (1 = step)");
    if (s == DS_OK) s = same_f64(c, "plateau.factor", t->p.plateau, "plateau factor");
    if (s == DS_OK) s = same_f64(c, "ema.decay", t->p.ema, "EMA decay");
    if (s == DS_OK)
        s = same_i64_or(c, "early.patience", t->p.early_stop, 0, "early-stopping patience");
    if (s == DS_OK)
        s = same_i64(c, "data.rows", (int64_t)ds_dataset_rows(t->train), "training rows");
    return s;
}

/* Optional records (files written before they existed lack them): NaN,
 * which the front ends report as "no value". */
static double f64_or_nan(const ds_ckpt *c, const char *name)
{
    double v;
    return ds_ckpt_get_f64(c, name, &v) == DS_OK ? v : NAN;
}

static void get_last_epoch(ds_trainer *t, const ds_ckpt *c)
{
    ds_train_progress p = {.epoch = t->epoch, .epochs = t->p.epochs, .batches = t->batches};
    p.train_loss = f64_or_nan(c, "train.last_loss");
    p.val_loss = f64_or_nan(c, "train.last_val_loss");
    p.val_accuracy = f64_or_nan(c, "train.last_val_accuracy");
    p.epoch_end = 1;
    t->last = p;
}

static ds_status get_position(ds_trainer *t, const ds_ckpt *c)
{
    int64_t batch = 0, examples = 0;
    ds_status s = ds_ckpt_get_i64(c, "train.epoch", &t->epoch);
    if (s == DS_OK) s = ds_ckpt_get_i64(c, "train.batch", &batch);
    if (s == DS_OK) s = ds_ckpt_get_i64(c, "train.step", &t->step);
    if (s == DS_OK) s = ds_ckpt_get_f64(c, "train.loss_sum", &t->loss_sum);
    if (s == DS_OK) s = ds_ckpt_get_i64(c, "train.loss_count", &t->loss_count);
    if (s == DS_OK) s = ds_ckpt_get_i64(c, "train.examples", &examples);
    if (s == DS_OK) s = ds_ckpt_get_f64(c, "train.epoch_seconds", &t->epoch_seconds);
    if (s == DS_OK) s = ds_ckpt_get_f64(c, "train.seconds", &t->seconds);
    if (s == DS_OK) s = ds_ckpt_get_f64(c, "plateau.scale", &t->plateau_scale);
    if (s == DS_OK) s = ds_ckpt_get_f64(c, "plateau.prev_val", &t->prev_val);
    if (s == DS_OK) s = ds_ckpt_get_i64(c, "ema.t", &t->ema_t);
    if (s != DS_OK) return s;
    if (t->epoch < 0 || t->step < 0 || batch < 0 || (size_t)batch >= t->batches || examples < 0 ||
        t->loss_count != batch)
        return ds__fail(DS_ERR_FORMAT,
                        "checkpoint position is invalid (epoch %lld, batch %lld of %zu)",
                        (long long)t->epoch, (long long)batch, t->batches);
    t->batch = (size_t)batch;
    t->examples = (size_t)examples;
    get_last_epoch(t, c);
    /* a file written before the divergence rule: it starts at the first step resumed */
    t->start_loss = f64_or_nan(c, "train.start_loss");
    return ds_iter_seek(t->it, t->epoch, t->batch);
}

/* Early stopping's state (records absent in older files: none yet). */
static ds_status get_best(ds_trainer *t, const ds_ckpt *c)
{
    int64_t stopped = 0;
    t->best_epoch = 0, t->best_val = INFINITY, t->stopped = 0;
    if (!t->best || !ds_ckpt_find(c, "early.best_epoch", DS_CKPT_I64, NULL)) return DS_OK;
    ds_status s = ds_ckpt_get_i64(c, "early.best_epoch", &t->best_epoch);
    if (s == DS_OK) s = ds_ckpt_get_f64(c, "early.best_val", &t->best_val);
    if (s == DS_OK) s = ds_ckpt_get_i64(c, "early.stopped", &stopped);
    if (s == DS_OK && (t->best_epoch < 0 || t->best_epoch > t->epoch))
        s = ds__fail(DS_ERR_FORMAT, "checkpoint's best epoch %lld is not in 0..%lld",
                     (long long)t->best_epoch, (long long)t->epoch);
    t->stopped = stopped != 0;
    if (s != DS_OK || t->best_epoch == 0) return s;
    return ds_ckpt_get(c, "model.params", DS_CKPT_F32, t->best, ds_model_param_count(t->m));
}

static ds_status get_params(ds_trainer *t, const ds_ckpt *c)
{
    size_t n = ds_model_param_count(t->m);
    float *x = ds_model_param_data(t->m);
    if (!t->backup) return ds_ckpt_get(c, "model.params", DS_CKPT_F32, x, n);
    ds_status s = ds_ckpt_get(c, "train.params", DS_CKPT_F32, x, n);
    if (s == DS_OK && t->ema_avg) s = ds_ckpt_get(c, "ema.avg", DS_CKPT_F32, t->ema_avg, n);
    return s == DS_OK ? get_best(t, c) : s;
}

ds_status ds_trainer_restore(ds_trainer *t, const ds_ckpt *c)
{
    ds_status s = check_settings(t, c);
    if (s == DS_OK) s = ds_ckpt_get_optim(c, t->opt);
    if (s == DS_OK) s = get_position(t, c);
    if (s == DS_OK) s = get_params(t, c);
    if (s == DS_OK) s = get_net_state(t->m, c);
    if (s == DS_OK) {
        double l2;
        s = ds_ckpt_get_f64(c, "model.l2", &l2);
        if (s == DS_OK) s = ds_model_set_l2(t->m, l2);
    }
    t->failed = DS_OK;
    return s;
}

/* Prefixes the message with the file name, so the user knows which file. */
static ds_status with_path(ds_status s, const char *path)
{
    if (s == DS_OK || s == DS_ERR_NOMEM) return s;
    char msg[900];
    snprintf(msg, sizeof msg, "%s", ds_last_error());
    return ds__fail(s, "'%s': %s", path, msg);
}

ds_status ds_trainer_resume(ds_trainer *t, const char *path)
{
    ds_ckpt *c;
    ds_status s = ds_ckpt_load(path, &c);
    if (s != DS_OK) return s;
    s = ds_trainer_restore(t, c);
    ds_ckpt_free(c);
    return with_path(s, path);
}

ds_status ds_model_from_checkpoint(const ds_ckpt *c, ds_model **out)
{
    *out = NULL;
    const char *desc = ds_ckpt_find(c, "model.desc", DS_CKPT_TEXT, NULL);
    if (!desc)
        return ds__fail(DS_ERR_NOT_FOUND, "no model description (model.desc) in the checkpoint");
    ds_model_params p = ds_model_default_params();
    ds_status s = ds_ckpt_get_f64(c, "model.l2", &p.l2);
    if (s != DS_OK) return s;
    p.init = DS_INIT_ZEROS; /* every parameter is overwritten below */
    ds_model *m = ds_model_init_desc(desc, &p);
    if (!m) return DS_ERR_FORMAT;
    s = ds_ckpt_get(c, "model.params", DS_CKPT_F32, ds_model_param_data(m),
                    ds_model_param_count(m));
    if (s == DS_OK) s = get_net_state(m, c);
    if (s != DS_OK) {
        ds_model_free(m);
        return s;
    }
    *out = m;
    return DS_OK;
}

ds_status ds__ckpt_read_file(const char *path, ds__ckpt_reader read, void *out)
{
    ds_ckpt *c;
    ds_status s = ds_ckpt_load(path, &c);
    if (s != DS_OK) return s;
    s = read(c, out);
    ds_ckpt_free(c);
    return with_path(s, path);
}

static ds_status read_model(const ds_ckpt *c, void *out)
{
    return ds_model_from_checkpoint(c, out);
}

ds_status ds_model_load(const char *path, ds_model **out)
{
    *out = NULL;
    return ds__ckpt_read_file(path, read_model, out);
}
