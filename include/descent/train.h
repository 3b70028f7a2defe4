/* descent/train.h - the training loop as library code.
 *
 *     ds_model *m = ds_model_init("mlp:784-256-128-10", 0, NULL);
 *     ds_opt_params o;  ds_opt_parse("adam:lr=1e-3", &o);
 *     ds_train_params p = ds_train_default_params();     // 5 epochs, batch 64
 *     p.progress = my_callback;  p.progress_ctx = &state;  // the library never prints
 *     ds_trainer *t = ds_trainer_init(m, &o, train_set, val_set_or_NULL, &p);
 *     if (!t || ds_trainer_run(t, 0) != DS_OK) ... ds_last_error() ...
 *     ds_trainer_evaluate(t, test_set, &loss, &acc);
 *     ds_trainer_save(t, "model.ckpt");
 *     ds_trainer_free(t);  ds_model_free(m);
 *
 * One step: the learning rate of every parameter group is set from the
 * schedule (per epoch or per step) times the plateau factor
 * (ds_optim_set_lr), the next mini-batch is drawn from the seeded iterator
 * and ds_optim_step_fn runs the optimizer with an objective that does the
 * model's forward and backward pass on that batch (so nag's look-ahead and
 * line search evaluate the real model). The loss and every gradient are
 * checked for finiteness; the EMA of the weights is updated. An epoch's
 * train_loss is the mean of the losses its steps' forward passes computed,
 * before each update (for nag, at the look-ahead point). At an epoch's end
 * the validation split is evaluated (with the EMA weights if enabled), the
 * plateau rule applied, the progress callback told, and a checkpoint written
 * if one is configured.
 *
 * Parameter groups: group 0 is the model's weights with the given optimizer
 * options, group 1 its biases with the same options but weight_decay = 0
 * (L2 penalties are for weights, as Ng's lambda/(2m) sum ||W||^2).
 *
 * Determinism: with the same seed and thread count every number is the same
 * bit for bit, and a run resumed from a checkpoint (ds_trainer_restore)
 * continues exactly as the uninterrupted run would have: the checkpoint
 * holds the parameters, every optimizer state entry, the position in the
 * data (epoch, batch: the shuffle order is a function of seed and epoch),
 * the partial epoch's loss sum, the plateau and EMA state.
 *
 * Memory and ownership: the trainer borrows the model and the data sets
 * (they must outlive it) and owns its optimizer, iterator and buffers, all
 * allocated at init: a training step allocates nothing. Errors: NULL or a
 * ds_status with a message in ds_last_error(); the library never prints. */
#ifndef DESCENT_TRAIN_H
#define DESCENT_TRAIN_H

#include "descent/export.h"

#include "descent/checkpoint.h"
#include "descent/comm.h"
#include "descent/data.h"
#include "descent/error.h"
#include "descent/model.h"
#include "descent/optim.h"
#include "descent/prep.h"
#include "descent/schedule.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the progress callback is told: after every step (epoch_end = 0),
 * once more at the end of every epoch (epoch_end = 1, with the epoch's
 * statistics), and after every divergence rollback (epoch_end = 0, the
 * restored position, rollbacks grown). */
typedef struct ds_train_progress {
    int64_t epoch;       /* the epoch under way or just finished, from 1 */
    int64_t epochs;      /* the total the run aims for */
    size_t batch;        /* batches done in this epoch */
    size_t batches;      /* batches per epoch */
    int64_t step;        /* updates done since the start of training */
    double lr;           /* learning rate of the weights group for this epoch/step */
    double train_loss;   /* mean loss of this epoch's steps so far */
    double val_loss;     /* epoch_end with a validation split; NaN otherwise */
    double val_accuracy; /* idem (NaN also for regression) */
    double seconds;      /* training seconds of this epoch so far */
    size_t examples;     /* examples seen in this epoch so far */
    int64_t rollbacks;   /* divergence rollbacks so far (see ds_train_params.rollback) */
    int epoch_end;
} ds_train_progress;

/* The explosion rule: a finite step loss above DS_EXPLODE_FACTOR times the
 * run's first step loss is a divergence (DS_ERR_NONFINITE, or a rollback),
 * like a non-finite one. */
#define DS_EXPLODE_FACTOR 1e6

/* Return 0 to go on; non-zero stops the run with DS_ERR_INTERRUPTED after the
 * current step (state consistent, checkpoint still possible). */
typedef int (*ds_train_callback)(void *ctx, const ds_train_progress *p);

typedef struct ds_train_params {
    int64_t epochs;             /* >= 1; default 5 */
    size_t batch;               /* rows per step, DS_BATCH_FULL = all; default 64 */
    uint64_t seed;              /* the shuffle order; default 0 */
    ds_schedule schedule;       /* default constant */
    int schedule_per_step;      /* 1: schedule t = step; 0 (default): t = epoch (from 0) */
    double plateau;             /* in (0, 1]: multiply lr by it after an epoch whose
                                   validation loss rose (needs a validation split); 0: off */
    double ema;                 /* in (0, 1): keep a bias-corrected EMA of the weights
                                   (Ng) and evaluate/save it; 0: off */
    int threads;                /* model and optimizer threads; 0 = all cores */
    const char *checkpoint;     /* path written at every epoch end (and every
                                   checkpoint_every steps), atomically; NULL: none */
    int64_t checkpoint_every;   /* steps; 0: only at epoch ends */
    int rollback;               /* on a non-finite loss, gradient or parameter: 0 stops
                                   the run (DS_ERR_NONFINITE); N > 0 restores the state of
                                   the last good epoch end (one whose epoch's train_loss did
                                   not rise above the last kept one's; or of the start),
                                   halves the learning rate and goes on, up to N times in a
                                   row */
    ds_train_callback progress; /* NULL: none */
    void *progress_ctx;
    /* Recorded in checkpoints so front ends can resume on the same data
     * (not interpreted by the library): the data spec and validation share. */
    const char *data_desc;
    double val_fraction;
    /* The processes training together (borrowed: must outlive the
     * trainer); NULL (default) or size 1: this process alone. */
    const ds_comm *comm;
    /* The preprocessing the data went through (borrowed: must outlive the
     * trainer), written into every checkpoint as its "prep.*" records
     * (descent/prep.h); NULL: none written. */
    const ds_prep *prep;
    /* Early stopping (Keras's EarlyStopping with restore_best_weights):
     * > 0 ends the run after that many epochs in a row without a validation
     * loss below the best so far, and the weights to use ("model.params",
     * ds_trainer_evaluate) become the best epoch's; needs a validation set.
     * 0 (default): off. */
    int64_t early_stop;
} ds_train_params;

/* The defaults of `descent train`: see the field comments above. */
DS_API ds_train_params ds_train_default_params(void);

typedef struct ds_trainer ds_trainer;

/* Builds a trainer for model m on `train` (validation set `val` may be
 * NULL). Checks the params (DS_ERR_INVALID naming the field and the accepted
 * range), the optimizer options, and that the data fit the model
 * (DS_ERR_MISMATCH: "model mlp:784-10 ... takes 784 inputs, the data has 4
 * features", classes vs outputs, regression targets vs outputs). Reserves
 * the model's workspace for the batch size and sets its thread count.
 * NULL on failure; m and the data sets are not changed then. */
DS_API ds_trainer *ds_trainer_init(ds_model *m, const ds_opt_params *opt, const ds_dataset *train,
                                   const ds_dataset *val, const ds_train_params *p);

/* Frees the trainer (not the model nor the data). NULL is a no-op. */
DS_API void ds_trainer_free(ds_trainer *t);

/* Trains until `epochs` epochs are complete, or until max_steps more steps
 * have been done (max_steps <= 0: no step limit). Epoch-end work is done as
 * soon as an epoch's last step is. Errors: DS_ERR_NONFINITE ("non-finite
 * loss at step S (epoch E, batch B, lr L)"; the parameters are those before
 * the failing step, nothing has been written for it; or "the loss exploded
 * at step S ...", see DS_EXPLODE_FACTOR; each message names the likely
 * cause), DS_ERR_INTERRUPTED
 * (the callback asked), DS_ERR_IO (a checkpoint could not be written), and
 * the model's errors. After an error other than DS_ERR_INTERRUPTED the
 * trainer refuses to go on or to save. */
DS_API ds_status ds_trainer_run(ds_trainer *t, int64_t max_steps);

/* Loss and accuracy of the model on all rows of d, with the weights to use:
 * the best epoch's under early stopping (once an epoch has been
 * validated), else the EMA weights if enabled, else the live ones; NaN
 * accuracy for regression. The model's parameters are unchanged. */
DS_API ds_status ds_trainer_evaluate(ds_trainer *t, const ds_dataset *d, double *loss,
                                     double *accuracy);

/* Position and results. */
DS_API int64_t ds_trainer_epoch(const ds_trainer *t); /* completed epochs */
DS_API int64_t ds_trainer_step(const ds_trainer *t);  /* updates done */
DS_API int ds_trainer_done(const ds_trainer *t);      /* all epochs complete, or stopped early */
/* Early stopping: 1 if the patience ran out (the run is over), and the
 * epoch (from 1) whose weights are kept with its validation loss (0 and
 * NaN before the first validation, or with early stopping off). */
DS_API int ds_trainer_stopped_early(const ds_trainer *t);
DS_API int64_t ds_trainer_best_epoch(const ds_trainer *t, double *val_loss);
DS_API double ds_trainer_seconds(const ds_trainer *t); /* training time, all runs (s) */
/* The statistics of the last completed epoch (epoch_end = 1), or all-zero
 * with NaN losses before the first epoch ends. */
DS_API ds_train_progress ds_trainer_last_epoch(const ds_trainer *t);
DS_API ds_optim *ds_trainer_optim(ds_trainer *t);

/* Fine-tuning a restored run: lr becomes the base rate the schedule scales
 * from the current position on (the optimizer spec's lr is kept as recorded,
 * the ratio replaces the plateau scale, so checkpoints keep the new rate);
 * the optimizer state, the position and the schedule are kept.
 * DS_ERR_INVALID if lr is not finite and > 0 or the spec's lr is 0. */
DS_API ds_status ds_trainer_set_base_lr(ds_trainer *t, double lr);

/* Fills c with the full training state (records "model.*", "optim.*",
 * "train.*", "plateau.*", "ema.*", "data.*"; doc/training.md lists them).
 * "model.params" holds the weights to use (the best epoch's under early
 * stopping, else the EMA average when enabled).
 * DS_ERR_NONFINITE if the parameters are not all finite (nothing added). */
DS_API ds_status ds_trainer_checkpoint(const ds_trainer *t, ds_ckpt *c);

/* Restores a state written by ds_trainer_checkpoint into a trainer built
 * with the same model description, optimizer options, batch size, seed,
 * schedule, plateau, EMA and early-stopping settings on a training set of
 * the same size.
 * Each difference is DS_ERR_MISMATCH naming the item and both values; a
 * missing or malformed record DS_ERR_FORMAT / DS_ERR_NOT_FOUND. The epochs
 * target is not compared (a run may be extended). On failure the trainer
 * must be discarded (its state may be partly overwritten). */
DS_API ds_status ds_trainer_restore(ds_trainer *t, const ds_ckpt *c);

/* ds_trainer_checkpoint + ds_ckpt_save (atomic); ds_ckpt_load +
 * ds_trainer_restore. */
DS_API ds_status ds_trainer_save(const ds_trainer *t, const char *path);
DS_API ds_status ds_trainer_resume(ds_trainer *t, const char *path);

/* A model rebuilt from a checkpoint's "model.desc" with the parameters of
 * "model.params" (and its L2 lambda), for evaluation or prediction. On
 * failure *out is NULL (DS_ERR_IO, DS_ERR_FORMAT, DS_ERR_MISMATCH). The
 * caller frees the model. */
DS_API ds_status ds_model_from_checkpoint(const ds_ckpt *c, ds_model **out);
DS_API ds_status ds_model_load(const char *path, ds_model **out);

#ifdef __cplusplus
}
#endif
#endif
