/* train_internal.h - the trainer's state, shared by train.c (the loop) and
 * train_state.c (checkpoint and restore). Private to the library. */
#ifndef DESCENT_TRAIN_INTERNAL_H
#define DESCENT_TRAIN_INTERNAL_H

#include "descent/ewma.h"
#include "descent/train.h"

struct ds_trainer {
    ds_model *m;                /* borrowed */
    const ds_dataset *train;    /* borrowed */
    const ds_dataset *val;      /* borrowed, may be NULL */
    ds_train_params p;          /* strings point at the owned copies below */
    ds_opt_params opt_w, opt_b; /* group options: weights, biases (no decay) */
    ds_optim *opt;
    ds_iter *it;
    size_t batches; /* per epoch */
    ds_batch cur;   /* the batch of the step under way */
    /* position and the partial epoch (all saved in checkpoints) */
    int64_t epoch, step; /* completed epochs, updates done */
    size_t batch;        /* batches done in the current epoch */
    double loss_sum;     /* sum of this epoch's step losses */
    int64_t loss_count;
    size_t examples;
    double epoch_seconds, seconds;
    double plateau_scale, prev_val; /* prev_val NaN before the first validation */
    float *ema_avg, *backup;        /* EMA of the parameters; swap space for evaluation */
    int64_t ema_t;
    float *best;        /* early stopping: the best validated weights */
    int64_t best_epoch; /* their epoch (from 1), 0 before the first validation */
    double best_val;    /* their validation loss, +inf before */
    int stopped;        /* the patience ran out */
    ds_train_progress last;
    double start_loss; /* the run's first step loss (divergence rule), NaN before it */
    ds_status failed;  /* sticky error of ds_trainer_run */
    ds_ckpt *snap;     /* the last good epoch end's state, for rollback */
    double snap_loss;  /* the train_loss of the epoch that ended in snap */
    int rollbacks_in_row;
    int64_t rollbacks;
    char *ckpt_path, *data_desc; /* owned copies */
};

/* Loads the checkpoint file at path and hands it to read(c, out); the
 * messages of read's failures name the file. (ds_model_load, ds_prep_load) */
typedef ds_status (*ds__ckpt_reader)(const ds_ckpt *c, void *out);
ds_status ds__ckpt_read_file(const char *path, ds__ckpt_reader read, void *out);

int ds__all_finite(const float *x, size_t n);
/* Copies the weights to use into the model, keeping the live ones in
 * t->backup: with `best`, the best epoch's (early stopping) if any, else
 * the corrected EMA if enabled; returns 1 if it swapped. */
int ds__train_swap_in(const ds_trainer *t, int best);
void ds__train_swap_out(const ds_trainer *t, int swapped);

#endif
