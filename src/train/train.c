/* train.c - the training loop: schedule, batch, optimizer step with a
 * forward/backward objective, finiteness checks, EMA, epoch-end validation,
 * plateau decay and checkpoints (the contract is in descent/train.h;
 * save/restore of this state is in train_state.c). */
#include "train/train_internal.h"
#include "train/train_dist.h"

#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ds_train_params ds_train_default_params(void)
{
    ds_train_params p;
    memset(&p, 0, sizeof p);
    p.epochs = 5;
    p.batch = 64;
    p.schedule = ds_schedule_constant();
    return p;
}

/* 1 if every x[i] is finite: an IEEE float is inf or NaN exactly when its
 * exponent bits are all ones. It runs twice a step over every parameter, so
 * it must stream at memory speed: an integer OR reduction is exact in any
 * order, so GCC vectorizes it without permission (the float sum of x - x it
 * replaces could not be reordered and ran one element a cycle: 19% of a
 * Fashion-MNIST epoch). */
DS__CLONES_WIDE int ds__all_finite(const float *x, size_t n)
{
    const uint32_t exponent = 0x7f800000u;
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        bad |= (bits & exponent) == exponent;
    }
    return bad == 0;
}

static ds_status check_params(const ds_train_params *p)
{
    if (p->epochs < 1)
        return ds__fail(DS_ERR_INVALID, "epochs must be >= 1 (got %lld)", (long long)p->epochs);
    if (!(p->plateau == 0 || (p->plateau > 0 && p->plateau <= 1)))
        return ds__fail(DS_ERR_INVALID, "plateau factor must be in (0, 1], or 0 for off (got %g)",
                        p->plateau);
    if (!(p->ema >= 0 && p->ema < 1))
        return ds__fail(DS_ERR_INVALID, "EMA decay must be in (0, 1), or 0 for off (got %g)",
                        p->ema);
    if (p->checkpoint_every < 0)
        return ds__fail(DS_ERR_INVALID, "checkpoint interval must be >= 0 steps (got %lld)",
                        (long long)p->checkpoint_every);
    if (p->threads < 0)
        return ds__fail(DS_ERR_INVALID, "threads must be >= 0 (got %d)", p->threads);
    if (p->rollback < 0)
        return ds__fail(DS_ERR_INVALID, "rollback must be >= 0 (got %d)", p->rollback);
    if (p->early_stop < 0)
        return ds__fail(DS_ERR_INVALID, "early stopping patience must be >= 0 epochs (got %lld)",
                        (long long)p->early_stop);
    return DS_OK;
}

/* The smallest class label of d's rows in memory (0 if none): labels 1..C
 * read as C + 1 classes, and the message should say why. */
static int32_t smallest_label(const ds_dataset *d)
{
    ds_batch b = ds_dataset_view(d, 0, ds_dataset_rows(d));
    int32_t lo = b.n ? b.labels[0] : 0;
    for (size_t i = 1; i < b.n; i++)
        lo = b.labels[i] < lo ? b.labels[i] : lo;
    return lo;
}

/* The data must fit the model: features = inputs; labels < outputs for
 * cross-entropy; regression targets as wide as the outputs. */
static ds_status check_fit(ds_model *m, const ds_dataset *d, const char *which)
{
    char desc[256];
    ds_model_describe(m, desc, sizeof desc);
    size_t in = ds_model_inputs(m), out = ds_model_outputs(m);
    if (ds_dataset_features(d) != in)
        return ds__fail(DS_ERR_MISMATCH, "model %s takes %zu inputs, the %s data has %zu features",
                        desc, in, which, ds_dataset_features(d));
    int32_t classes = ds_dataset_classes(d);
    /* labels need one output per class; mse/sse with one output take 0/1 */
    int xent = ds_model_get_params(m)->loss == DS_LOSS_XENT;
    size_t room = xent || out > 1 ? out : 2;
    if (classes > 0 && (size_t)classes > room) {
        char hint[128] = "";
        int32_t lo = smallest_label(d);
        if (lo > 0)
            snprintf(
                hint, sizeof hint,
                "; labels must be 0..C-1 and the smallest here is %d: shift them to start at 0",
                (int)lo);
        return ds__fail(DS_ERR_MISMATCH,
                        "model %s has %zu outputs, the %s data has %d classes (labels 0..%d)%s",
                        desc, out, which, (int)classes, (int)classes - 1, hint);
    }
    if (classes == 0 && ds_dataset_outputs(d) != out)
        return ds__fail(DS_ERR_MISMATCH, "model %s has %zu outputs, the %s data has %zu targets",
                        desc, out, which, ds_dataset_outputs(d));
    if (classes == 0 && ds_model_get_params(m)->loss == DS_LOSS_XENT)
        return ds__fail(DS_ERR_MISMATCH,
                        "the %s data has regression targets: cross-entropy needs class labels "
                        "(use --loss mse or sse)",
                        which);
    return DS_OK;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Allocates the optimizer, iterator and buffers of a validated trainer. */
static ds_status build(ds_trainer *t, const ds_opt_params *opt)
{
    size_t n = ds_model_param_count(t->m), rows = ds_dataset_rows(t->train);
    size_t batch = t->p.batch == DS_BATCH_FULL || t->p.batch > rows ? rows : t->p.batch;
    /* room for the batch, and for evaluation in chunks of up to 1024 rows
     * (fewer where their workspace would pass 256 MiB: a CNN's 1.3 MB a row) */
    size_t eval = (256u << 20) / ds_model_row_bytes(t->m);
    eval = eval < 1024 ? eval : 1024;
    ds_status s = ds_model_reserve(t->m, batch > eval ? batch : eval);
    if (s != DS_OK) return s;
    if (t->p.threads) ds_model_set_threads(t->m, t->p.threads);
    t->opt_w = *opt;
    t->opt_b = *opt;
    t->opt_b.weight_decay = 0; /* biases are not decayed */
    ds_param_group g[DS_MODEL_GROUPS];
    ds_model_param_groups(t->m, g);
    g[0].params = &t->opt_w;
    g[1].params = &t->opt_b;
    t->opt = ds_optim_init(opt, g, DS_MODEL_GROUPS);
    if (!t->opt) return DS_ERR_INVALID;
    ds_optim_set_threads(t->opt, t->p.threads);
    t->it = ds_iter_init(t->train, t->p.batch, 1, t->p.seed);
    if (!t->it) return DS_ERR_NOMEM;
    t->batches = ds_iter_batches_per_epoch(t->it);
    if ((s = ds__train_dist_setup(t)) != DS_OK) return s; /* shard; rank 0's parameters */
    if (t->p.ema > 0 && !(t->ema_avg = calloc(n, sizeof(float))))
        return ds__nomem("the weight average", n * 4);
    if (t->p.early_stop > 0 && !(t->best = malloc(n * sizeof(float))))
        return ds__nomem("the best weights", n * 4);
    if ((t->ema_avg || t->best) && !(t->backup = malloc(n * sizeof(float))))
        return ds__nomem("the swap space", n * 4);
    t->p.checkpoint = t->ckpt_path = dup_or_null(t->p.checkpoint);
    t->p.data_desc = t->data_desc = dup_or_null(t->p.data_desc);
    if ((t->p.checkpoint && !t->ckpt_path) || (t->p.data_desc && !t->data_desc))
        return ds__nomem("a path", 0);
    return DS_OK;
}

static ds_status validate(ds_model *m, const ds_opt_params *opt, const ds_dataset *train,
                          const ds_dataset *val, const ds_train_params *p)
{
    if (!m || !opt || !train || !p)
        return ds__fail(DS_ERR_INVALID, "trainer needs a model, optimizer options, data, params");
    ds_status s = check_params(p);
    if (s == DS_OK) s = ds_opt_validate(opt);
    if (s == DS_OK) s = check_fit(m, train, "training");
    if (s == DS_OK && val) s = check_fit(m, val, "validation");
    if (s == DS_OK && p->plateau > 0 && !val)
        s = ds__fail(DS_ERR_INVALID, "plateau decay needs a validation split (e.g. --val 0.1)");
    if (s == DS_OK && p->early_stop > 0 && !val)
        s = ds__fail(DS_ERR_INVALID, "early stopping watches the validation loss: it needs a "
                                     "validation split (e.g. --val 0.1)");
    return s;
}

ds_trainer *ds_trainer_init(ds_model *m, const ds_opt_params *opt, const ds_dataset *train,
                            const ds_dataset *val, const ds_train_params *p)
{
    if (validate(m, opt, train, val, p) != DS_OK) return NULL;
    ds_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        ds__nomem("a trainer", sizeof *t);
        return NULL;
    }
    t->m = m;
    t->train = train;
    t->val = val;
    t->p = *p;
    t->plateau_scale = 1.0;
    t->prev_val = NAN;
    t->start_loss = NAN;
    t->best_val = INFINITY;
    t->last.val_loss = t->last.val_accuracy = t->last.train_loss = NAN;
    if (build(t, opt) != DS_OK) {
        ds_trainer_free(t);
        return NULL;
    }
    return t;
}

void ds_trainer_free(ds_trainer *t)
{
    if (!t) return;
    ds_optim_free(t->opt);
    ds_iter_free(t->it);
    free(t->ema_avg);
    free(t->best);
    free(t->backup);
    free(t->ckpt_path);
    free(t->data_desc);
    ds_ckpt_free(t->snap);
    free(t);
}

/* Sets every group's rate from the schedule and the plateau factor. */
static void apply_lr(ds_trainer *t)
{
    int64_t at = t->p.schedule_per_step ? t->step : t->epoch;
    for (int g = 0; g < ds_optim_group_count(t->opt); g++) {
        double base = ds_optim_group_params(t->opt, g)->lr;
        ds_optim_set_lr(t->opt, g, ds_schedule_lr(&t->p.schedule, base, at) * t->plateau_scale);
    }
}

/* The optimizer's objective: forward and backward on the current batch. */
static ds_status objective(void *ctx, int need_grad, double *loss)
{
    ds_trainer *t = ctx;
    ds_status s = ds__train_dist_objective(t, need_grad, loss); /* summed over ranks */
    if (s == DS_OK && need_grad &&
        !ds__all_finite(ds_model_grad_data(t->m), ds_model_param_count(t->m)))
        s = ds__fail(DS_ERR_NONFINITE, "the gradient is not finite");
    return s;
}

/* The likely cause of a divergence: before the first update the learning
 * rate has not acted yet, so a bad loss there comes from the data or the
 * initial weights; one that grew after updates is a step too long. */
static const char *likely_cause(const ds_trainer *t)
{
    return t->step == 0 ? "it happened before any update: the initial weights (--init) or the "
                          "input values are too large"
                        : "the loss grew from a finite start: the learning rate is likely too "
                          "large; try a smaller one";
}

static ds_status nonfinite(ds_trainer *t, const char *what)
{
    return ds__fail(DS_ERR_NONFINITE,
                    "non-finite %s at step %lld (epoch %lld, batch %zu, lr %g): training stopped, "
                    "nothing written for this step; %s",
                    what, (long long)t->step + 1, (long long)t->epoch + 1, t->batch + 1,
                    ds_optim_lr(t->opt, 0), likely_cause(t));
}

/* The explosion rule (doc/training.md): a finite loss above
 * DS_EXPLODE_FACTOR times the run's first step loss is a divergence under
 * way. A bound relative to the start holds for any loss scale, and a
 * healthy run's spikes stay orders of magnitude below it (sgd at lr 1 with
 * momentum 0.9 on blobs: epoch losses 5000 times the first, then 1e-5). A
 * first loss of 0 gives no scale: the rule is off. */
static ds_status check_explosion(ds_trainer *t, double loss)
{
    if (!isfinite(t->start_loss)) t->start_loss = loss;
    if (!(t->start_loss > 0 && loss > DS_EXPLODE_FACTOR * t->start_loss)) return DS_OK;
    return ds__fail(DS_ERR_NONFINITE,
                    "the loss exploded at step %lld (epoch %lld, batch %zu, lr %g): %.3g, above "
                    "%g times the run's first loss %.3g: training stopped; %s",
                    (long long)t->step + 1, (long long)t->epoch + 1, t->batch + 1,
                    ds_optim_lr(t->opt, 0), loss, DS_EXPLODE_FACTOR, t->start_loss,
                    likely_cause(t));
}

static ds_train_progress progress_now(const ds_trainer *t)
{
    ds_train_progress p = {
        .epoch = t->epoch + 1,
        .epochs = t->p.epochs,
        .batch = t->batch,
        .batches = t->batches,
        .step = t->step,
        .lr = ds_optim_lr(t->opt, 0),
        .train_loss = t->loss_count ? t->loss_sum / (double)t->loss_count : NAN,
        .val_loss = NAN,
        .val_accuracy = NAN,
        .seconds = t->epoch_seconds,
        .examples = t->examples,
        .rollbacks = t->rollbacks,
    };
    return p;
}

/* One optimizer step on the next batch. */
static ds_status train_step(ds_trainer *t)
{
    double t0 = ds__now(), loss = NAN;
    apply_lr(t);
    if (!ds_iter_next(t->it, &t->cur)) { /* a stream file's read error: keep its message */
        char why[512];
        snprintf(why, sizeof why, "%s", ds_last_error());
        return ds__fail(DS_ERR_FORMAT, "reading epoch %lld, batch %zu: %s", (long long)t->epoch + 1,
                        t->batch + 1, why);
    }
    ds_status s = ds_optim_step_fn(t->opt, objective, t, &loss);
    if (s == DS_ERR_NONFINITE || (s == DS_OK && !isfinite(loss)))
        return nonfinite(t, isfinite(loss) ? "gradient" : "loss");
    if (s != DS_OK) return s;
    size_t n = ds_model_param_count(t->m);
    if (!ds__all_finite(ds_model_param_data(t->m), n)) return nonfinite(t, "parameter");
    if ((s = check_explosion(t, loss)) != DS_OK) return s;
    if (t->ema_avg) ds_ewma_update_array(t->ema_avg, ds_model_param_data(t->m), n, t->p.ema);
    t->ema_t += t->ema_avg != NULL;
    t->loss_sum += loss;
    t->loss_count++;
    t->examples += ds_iter_global_rows(t->it); /* all ranks' rows */
    t->step++;
    t->batch++;
    t->epoch_seconds += ds__now() - t0;
    return DS_OK;
}

static ds_status evaluate(ds_trainer *t, const ds_dataset *d, int best, double *loss,
                          double *accuracy);

/* Early stopping (Keras's EarlyStopping, restore_best_weights): a lower
 * validation loss keeps the weights just validated; `early_stop` epochs in
 * a row without one end the run. */
static void watch_best(ds_trainer *t, double val_loss)
{
    if (val_loss < t->best_val) {
        size_t n = ds_model_param_count(t->m);
        int swapped = ds__train_swap_in(t, 0); /* the weights validated (EMA or live) */
        memcpy(t->best, ds_model_param_data(t->m), n * sizeof(float));
        ds__train_swap_out(t, swapped);
        t->best_val = val_loss;
        t->best_epoch = t->epoch + 1;
    } else if (t->epoch + 1 - t->best_epoch >= t->p.early_stop) {
        t->stopped = 1;
    }
}

/* Validation, plateau, bookkeeping and the epoch-end callback/checkpoint. */
static ds_status end_epoch(ds_trainer *t)
{
    double t0 = ds__now();
    ds_train_progress p = progress_now(t);
    p.epoch_end = 1;
    if (t->val) {
        ds_status s = evaluate(t, t->val, 0, &p.val_loss, &p.val_accuracy);
        if (s != DS_OK) return s;
        if (t->p.plateau > 0 && isfinite(t->prev_val) && p.val_loss > t->prev_val)
            t->plateau_scale *= t->p.plateau;
        t->prev_val = p.val_loss;
        if (t->best) watch_best(t, p.val_loss);
    }
    p.seconds += ds__now() - t0;
    t->seconds += p.seconds;
    t->last = p;
    t->epoch++;
    t->batch = 0;
    t->loss_sum = 0;
    t->loss_count = 0;
    t->examples = 0;
    t->epoch_seconds = 0;
    ds_status s = ds_iter_seek(t->it, t->epoch, 0);
    /* An epoch end is a good state to return to only if its epoch's loss
     * did not rise above the kept state's: a loss climbing for epochs is a
     * divergence under way (CS7015's eta = 10 grows the weights for 24 full
     * batch steps before they overflow), and its finite but huge weights
     * are no place to restart from at any rate. */
    if (s == DS_OK && t->snap && !(p.train_loss > t->snap_loss)) {
        s = ds_trainer_checkpoint(t, t->snap);
        t->snap_loss = p.train_loss;
        t->rollbacks_in_row = 0;
    }
    if (s == DS_OK && t->ckpt_path) s = ds_trainer_save(t, t->ckpt_path);
    if (s == DS_OK && t->p.progress && t->p.progress(t->p.progress_ctx, &p))
        s = ds__fail(DS_ERR_INTERRUPTED, "training stopped on request after epoch %lld",
                     (long long)t->epoch);
    return s;
}

/* The callback's view of the position (epoch_end = 0); it may ask to stop. */
static ds_status tell_progress(ds_trainer *t)
{
    ds_train_progress p = progress_now(t);
    if (t->p.progress && t->p.progress(t->p.progress_ctx, &p))
        return ds__fail(DS_ERR_INTERRUPTED, "training stopped on request at step %lld",
                        (long long)t->step);
    return DS_OK;
}

/* After a step: the periodic checkpoint, the per-step callback (also after
 * an epoch's last step, so a watcher sees every step), then the epoch end.
 * A stop asked after an epoch's last step takes effect after the epoch end:
 * the position in between (every batch done, the epoch not closed) is no
 * state a checkpoint can hold. */
static ds_status after_step(ds_trainer *t)
{
    ds_status s = DS_OK;
    if (t->ckpt_path && t->p.checkpoint_every > 0 && t->step % t->p.checkpoint_every == 0 &&
        t->batch < t->batches)
        s = ds_trainer_save(t, t->ckpt_path);
    if (s == DS_OK) s = tell_progress(t);
    if ((s == DS_OK || s == DS_ERR_INTERRUPTED) && t->batch == t->batches) {
        ds_status e = end_epoch(t);
        if (e != DS_OK) s = e;
    }
    return s;
}

/* After a non-finite step with rollback on: back to the last good epoch
 * end's state (see end_epoch) with the learning rate halved once more for each rollback in a row
 * (the plateau scale carries it, so the next snapshot keeps it). */
static ds_status roll_back(ds_trainer *t)
{
    double seconds = t->seconds;
    ds_status s = ds_trainer_restore(t, t->snap);
    if (s != DS_OK) return s;
    t->seconds = seconds; /* time spent is spent */
    t->rollbacks++;
    t->rollbacks_in_row++;
    /* the snapshot holds the scale before the first of these rollbacks */
    t->plateau_scale = ldexp(t->plateau_scale, -t->rollbacks_in_row);
    /* the callback learns of each rollback (its count grown), even of one
     * that follows another without a good step between them, and of the
     * rate now in force */
    apply_lr(t);
    return tell_progress(t);
}

ds_status ds_trainer_run(ds_trainer *t, int64_t max_steps)
{
    if (t->failed)
        return ds__fail(t->failed, "trainer stopped by an earlier error; rebuild it or resume "
                                   "from a checkpoint");
    if (t->p.rollback > 0 && !t->snap) {
        if (!(t->snap = ds_ckpt_new())) return DS_ERR_NOMEM;
        t->snap_loss = INFINITY; /* the start is kept until an epoch ends */
        ds_status s = ds_trainer_checkpoint(t, t->snap);
        if (s != DS_OK) return s;
    }
    for (int64_t k = 0; !ds_trainer_done(t) && (max_steps <= 0 || k < max_steps); k++) {
        ds_status s = train_step(t);
        if (s == DS_ERR_NONFINITE && t->snap && t->rollbacks_in_row < t->p.rollback &&
            (s = roll_back(t)) == DS_OK)
            continue;
        if (s == DS_OK) s = after_step(t);
        if (s != DS_OK) {
            if (s != DS_ERR_INTERRUPTED) t->failed = s;
            return s;
        }
    }
    return DS_OK;
}

int ds__train_swap_in(const ds_trainer *t, int best)
{
    int use_best = best && t->best && t->best_epoch > 0;
    if (!use_best && (!t->ema_avg || t->ema_t == 0)) return 0;
    size_t n = ds_model_param_count(t->m);
    float *x = ds_model_param_data(t->m);
    memcpy(t->backup, x, n * sizeof(float));
    if (use_best)
        memcpy(x, t->best, n * sizeof(float));
    else
        ds_ewma_correct_array(x, t->ema_avg, n, t->p.ema, t->ema_t);
    return 1;
}

void ds__train_swap_out(const ds_trainer *t, int swapped)
{
    if (swapped)
        memcpy(ds_model_param_data(t->m), t->backup, ds_model_param_count(t->m) * sizeof(float));
}

/* Loss and accuracy on d with the weights to use (best: see ds__train_swap_in). */
static ds_status evaluate(ds_trainer *t, const ds_dataset *d, int best, double *loss,
                          double *accuracy)
{
    ds_status s = check_fit(t->m, d, "evaluation");
    if (s != DS_OK) return s;
    ds_batch all = ds_dataset_view(d, 0, ds_dataset_rows(d));
    int swapped = ds__train_swap_in(t, best);
    s = ds_model_evaluate(t->m, &all, loss, accuracy);
    ds__train_swap_out(t, swapped);
    return s;
}

ds_status ds_trainer_evaluate(ds_trainer *t, const ds_dataset *d, double *loss, double *accuracy)
{
    return evaluate(t, d, 1, loss, accuracy);
}

int64_t ds_trainer_epoch(const ds_trainer *t)
{
    return t->epoch;
}

int64_t ds_trainer_step(const ds_trainer *t)
{
    return t->step;
}

int ds_trainer_done(const ds_trainer *t)
{
    return t->epoch >= t->p.epochs || t->stopped;
}

int ds_trainer_stopped_early(const ds_trainer *t)
{
    return t->stopped;
}

int64_t ds_trainer_best_epoch(const ds_trainer *t, double *val_loss)
{
    if (val_loss) *val_loss = t->best_epoch ? t->best_val : NAN;
    return t->best_epoch;
}

double ds_trainer_seconds(const ds_trainer *t)
{
    return t->seconds + t->epoch_seconds;
}

ds_train_progress ds_trainer_last_epoch(const ds_trainer *t)
{
    return t->last;
}

ds_status ds_trainer_set_base_lr(ds_trainer *t, double lr)
{
    double base = ds_optim_group_params(t->opt, 0)->lr;
    if (!(isfinite(lr) && lr > 0))
        return ds__fail(DS_ERR_INVALID, "learning rate must be a finite number > 0 (got %g)",
                        ds__msg_num(lr));
    if (!(base > 0))
        return ds__fail(DS_ERR_INVALID, "the optimizer's lr is %g: no base to rescale", base);
    /* the plateau scale multiplies every group's base rate (apply_lr), and
     * checkpoints keep it, so the new rate survives later resumes */
    t->plateau_scale = lr / base;
    apply_lr(t);
    return DS_OK;
}

ds_optim *ds_trainer_optim(ds_trainer *t)
{
    return t->opt;
}
