/* test_train.c - the training API (descent/train.h):
 *  - resume is exact: N steps, save to a file, load into fresh objects, M
 *    more steps == N + M uninterrupted, bit for bit, for several optimizers
 *    (adam, nesterov sgd, nag's look-ahead, rmsprop), per-step and per-epoch
 *    schedules, mid-epoch and epoch-end cut points, with EMA and plateau,
 *    and cut by a stop the progress callback asks for (Ctrl-C), an epoch's
 *    last step included;
 *  - the lectures' sigmoid neuron on the toy data matches a plain double
 *    loop of CS7015's gradient formulas, and reaches w ~ 1.78, b ~ -2.27;
 *  - steps per epoch for batch 1, 2, 3 and full (last partial batch kept);
 *  - the plateau rule and the EMA, checked against the epoch statistics and
 *    an independent average;
 *  - non-finite loss stops the run, names step/epoch/lr, and saving refuses;
 *  - a loss above 1e6 x the first step's stops it too, also when the run
 *    was resumed after the first step (the first loss is in the checkpoint);
 *  - ds_trainer_set_base_lr changes the rate and checkpoints keep it; the
 *    thread count is recorded;
 *  - ds_trainer_done after the last epoch only; ds_model_load returns the
 *    saved weights;
 *  - mismatched model/optimizer/data rejected. */
#include "descent/train.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One configuration of the resume test. */
typedef struct cfg {
    const char *opt, *schedule;
    int per_step;
    double ema, plateau;
    size_t batch;
    const char *model; /* NULL: mlp:4-8-3 */
} cfg;

typedef struct watch watch;
static watch *g_watch;  /* when set, build() reports progress to it */
static int g_stop;      /* 1: check_resume's cut is a stop its callback asks for */
static int64_t g_early; /* build()'s early-stopping patience */
static int on_progress(void *ctx, const ds_train_progress *p);

typedef struct setup_t {
    ds_dataset *all, *tr, *va;
    ds_model *m;
    ds_trainer *t;
} setup_t;

static void build(setup_t *s, const cfg *c, int64_t epochs)
{
    assert_int_equal(ds_gen_blobs(60, 4, 3, 1.5, 7, &s->all), DS_OK);
    assert_int_equal(ds_dataset_split(s->all, 0.2, 7, &s->tr, &s->va), DS_OK);
    ds_model_params mp = ds_model_default_params();
    mp.act = DS_ACT_TANH;
    mp.seed = 3;
    mp.l2 = 1e-3;
    s->m = ds_model_init(c->model ? c->model : "mlp:4-8-3", 0, &mp);
    assert_non_null(s->m);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse(c->opt, &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = epochs;
    p.batch = c->batch;
    p.seed = 11;
    p.threads = 1;
    p.ema = c->ema;
    p.plateau = c->plateau;
    p.early_stop = g_early;
    p.schedule_per_step = c->per_step;
    assert_int_equal(ds_schedule_parse(c->schedule, &p.schedule), DS_OK);
    p.progress = g_watch ? on_progress : NULL;
    p.progress_ctx = g_watch;
    s->t = ds_trainer_init(s->m, &op, s->tr, s->va, &p);
    assert_non_null(s->t);
}

static void destroy(setup_t *s)
{
    ds_trainer_free(s->t);
    ds_model_free(s->m);
    ds_dataset_free(s->tr);
    ds_dataset_free(s->va);
    ds_dataset_free(s->all);
}

/* Runs `total` steps straight, and `first` + save + fresh load + the rest;
 * the parameters, the optimizer state and the epoch statistics must agree
 * bit for bit. */
/* Records every epoch's statistics and keeps an independent EMA of the
 * parameters after each step. */
struct watch {
    ds_train_progress ep[64];
    int n;
    ds_model *m;
    double *avg, beta;
    int64_t t;
    int64_t stop_at; /* > 0: ask to stop after this step */
};

static int on_progress(void *ctx, const ds_train_progress *p)
{
    watch *w = ctx;
    if (w->stop_at > 0 && !p->epoch_end && p->step == w->stop_at) return 1;
    if (p->epoch_end) {
        if (w->n < 64) w->ep[w->n++] = *p;
        return 0;
    }
    if (!w->avg) return 0;
    const float *x = ds_model_param_data(w->m);
    for (size_t i = 0; i < ds_model_param_count(w->m); i++)
        w->avg[i] = w->beta * w->avg[i] + (1 - w->beta) * x[i];
    w->t++;
    return 0;
}

static void check_resume(const cfg *c, int64_t first, int64_t epochs)
{
    setup_t a, b, r;
    watch wa = {0}, wr = {0};
    g_watch = &wa;
    build(&a, c, epochs);
    assert_int_equal(ds_trainer_run(a.t, 0), DS_OK);
    watch wb = {.stop_at = g_stop ? first : 0};
    g_watch = &wb;
    build(&b, c, epochs);
    assert_int_equal(ds_trainer_run(b.t, g_stop ? 0 : first), g_stop ? DS_ERR_INTERRUPTED : DS_OK);
    assert_int_equal(ds_trainer_step(b.t), first);
    const char *file = path_in_tmp("resume.ckpt");
    assert_int_equal(ds_trainer_save(b.t, file), DS_OK);
    destroy(&b);
    g_watch = &wr;
    build(&r, c, epochs);
    g_watch = NULL;
    assert_int_equal(ds_trainer_resume(r.t, file), DS_OK);
    assert_int_equal(ds_trainer_step(r.t), first);
    assert_int_equal(ds_trainer_run(r.t, 0), DS_OK);
    assert_int_equal(ds_trainer_step(r.t), ds_trainer_step(a.t));
    size_t n = ds_model_param_count(a.m);
    assert_memory_equal(ds_model_param_data(a.m), ds_model_param_data(r.m), n * sizeof(float));
    assert_memory_equal(ds_model_state_data(a.m), ds_model_state_data(r.m),
                        ds_model_state_count(a.m) * sizeof(float));
    assert_true(ds_model_passes(a.m) == ds_model_passes(r.m));
    /* every epoch that ended after the cut: same statistics and rate */
    assert_true(wr.n >= 1 && wr.n <= wa.n);
    for (int k = 0; k < wr.n; k++) {
        const ds_train_progress *x = &wa.ep[wa.n - wr.n + k], *y = &wr.ep[k];
        assert_int_equal(x->epoch, y->epoch);
        assert_true(x->train_loss == y->train_loss && x->lr == y->lr);
        assert_true(x->val_loss == y->val_loss && x->val_accuracy == y->val_accuracy);
        assert_int_equal(x->examples, y->examples);
    }
    double l1, l2, a1, a2;
    assert_int_equal(ds_trainer_evaluate(a.t, a.va, &l1, &a1), DS_OK);
    assert_int_equal(ds_trainer_evaluate(r.t, r.va, &l2, &a2), DS_OK);
    assert_true(l1 == l2 && a1 == a2);
    destroy(&a);
    destroy(&r);
}

static void test_resume_exact(void **state)
{
    (void)state;
    static const cfg cfgs[] = {
        {"adam:lr=0.01", "warmup:steps=5+cosine:period=30", 1, 0, 0, 8, NULL},
        {"adam:lr=0.02,amsgrad=1", "step:every=1,factor=0.7", 0, 0.9, 0.5, 8, NULL},
        {"sgd:lr=0.05,momentum=0.9,nesterov=1", "inv:k=0.01", 1, 0, 0, 5, NULL},
        {"nag:lr=0.05,momentum=0.9", "constant", 0, 0.5, 0, 1, NULL},
        {"rmsprop:lr=0.005,momentum=0.5", "exp:k=0.1", 0, 0, 0.5, DS_BATCH_FULL, NULL},
    };
    /* 48 training rows: batch 8 -> 6 per epoch, 5 -> 10, 1 -> 48, full -> 1 */
    for (size_t k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
        int64_t epochs = cfgs[k].batch == DS_BATCH_FULL ? 12 : 4;
        check_resume(&cfgs[k], 3, epochs);  /* mid-epoch (full batch: an epoch end) */
        check_resume(&cfgs[k], 10, epochs); /* mid-epoch or an epoch end */
    }
    check_resume(&cfgs[0], 6, 4); /* exactly at an epoch end */
}

/* A network with batch norm (running statistics) and dropout (masks drawn
 * from the pass count) resumes bit for bit too. */
static void test_resume_net(void **state)
{
    (void)state;
    static const cfg c = {"adam:lr=0.01",
                          "constant",
                          0,
                          0,
                          0,
                          8,
                          "net:in=4|dense:8|batchnorm|tanh|dropout:0.3|dense:3"};
    check_resume(&c, 3, 3);
    check_resume(&c, 10, 3);
}

/* A stop asked by the progress callback (the program's Ctrl-C) leaves a
 * state that saves and resumes to the uninterrupted run, after any step:
 * before an epoch's last step, after it (the stop then waits for the epoch
 * end) and after the first step of the next epoch. */
static void test_stop_resumes_exact(void **state)
{
    (void)state;
    static const cfg c = {"adam:lr=0.01", "warmup:steps=5+cosine:period=30", 1, 0, 0, 8, NULL};
    g_stop = 1;
    for (int64_t at = 5; at <= 7; at++)
        check_resume(&c, at, 3); /* 6 steps per epoch */
    g_stop = 0;
}

/* CS7015's sigmoid neuron, batch GD on (0.5, 0.2), (2.5, 0.9) from
 * w = b = -2 with eta = 1, written out in double from the lecture's
 * gradients. */
static void lecture_neuron(int epochs, double *w, double *b)
{
    const double x[2] = {0.5, 2.5}, y[2] = {0.2, 0.9};
    *w = -2, *b = -2;
    for (int e = 0; e < epochs; e++) {
        double dw = 0, db = 0;
        for (int i = 0; i < 2; i++) {
            double f = 1 / (1 + exp(-(*w * x[i] + *b)));
            dw += (f - y[i]) * f * (1 - f) * x[i];
            db += (f - y[i]) * f * (1 - f);
        }
        *w -= dw, *b -= db;
    }
}

static void test_neuron(void **state)
{
    (void)state;
    ds_dataset *toy;
    assert_int_equal(ds_gen_toy(&toy), DS_OK);
    ds_model_params mp = ds_model_default_params();
    assert_int_equal(ds_init_parse("const:-2", &mp), DS_OK);
    mp.loss = DS_LOSS_SSE;
    ds_model *m = ds_model_init("neuron", 1, &mp);
    assert_non_null(m);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse("sgd:lr=1", &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = 1000;
    p.batch = DS_BATCH_FULL;
    ds_trainer *t = ds_trainer_init(m, &op, toy, NULL, &p);
    assert_non_null(t);
    assert_int_equal(ds_trainer_run(t, 0), DS_OK);
    assert_int_equal(ds_trainer_step(t), 1000);
    double w, b;
    lecture_neuron(1000, &w, &b);
    const float *x = ds_model_param_data(m); /* [W | b] */
    assert_true(fabs(x[0] - w) < 1e-3 * fabs(w) && fabs(x[1] - b) < 1e-3 * fabs(b));
    assert_true(fabs(x[0] - 1.78) < 0.02 && fabs(x[1] + 2.27) < 0.02); /* the lecture's table */
    ds_trainer_free(t);
    ds_model_free(m);
    ds_dataset_free(toy);
}

/* Batch 1, 2, 3 and full on 10 rows: 10, 5, 4 (last batch of 1 kept), 1. */
static void test_steps_per_epoch(void **state)
{
    (void)state;
    ds_dataset *d;
    assert_int_equal(ds_gen_linear(10, 2, 0.1, 5, &d), DS_OK);
    const size_t batch[4] = {1, 2, 3, DS_BATCH_FULL};
    const int64_t want[4] = {10, 5, 4, 1};
    for (int k = 0; k < 4; k++) {
        ds_model_params mp = ds_model_default_params();
        mp.loss = DS_LOSS_MSE;
        ds_model *m = ds_model_init("mlp:2-1", 0, &mp);
        ds_opt_params op = ds_opt_default_params(DS_OPT_SGD);
        op.lr = 0.01;
        ds_train_params p = ds_train_default_params();
        p.epochs = 3;
        p.batch = batch[k];
        ds_trainer *t = ds_trainer_init(m, &op, d, NULL, &p);
        assert_non_null(t);
        assert_int_equal(ds_trainer_run(t, 0), DS_OK);
        assert_int_equal(ds_trainer_step(t), 3 * want[k]);
        assert_int_equal(ds_trainer_last_epoch(t).examples, 10);
        ds_trainer_free(t);
        ds_model_free(m);
    }
    ds_dataset_free(d);
}

/* Plateau: the lr of epoch k+1 is half that of epoch k exactly when the
 * validation loss of k rose above k-1's (an aggressive lr makes it rise). */
static void test_plateau(void **state)
{
    (void)state;
    cfg c = {"sgd:lr=3,momentum=0.9", "constant", 0, 0, 0.5, 4, NULL};
    setup_t s;
    build(&s, &c, 12);
    watch w = {.m = s.m};
    ds_trainer_free(s.t);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse(c.opt, &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = 12, p.batch = 4, p.plateau = 0.5, p.progress = on_progress, p.progress_ctx = &w;
    s.t = ds_trainer_init(s.m, &op, s.tr, s.va, &p);
    ds_status st = ds_trainer_run(s.t, 0);
    assert_true(st == DS_OK || st == DS_ERR_NONFINITE);
    int rises = 0;
    for (int k = 1; k + 1 < w.n; k++) {
        int rose = w.ep[k].val_loss > w.ep[k - 1].val_loss;
        rises += rose;
        assert_true(w.ep[k + 1].lr == (rose ? 0.5 : 1.0) * w.ep[k].lr);
    }
    assert_true(rises > 0);
    destroy(&s);
}

/* EMA: the saved "model.params" is the bias-corrected average of the
 * parameters after each step, computed here independently in double. */
/* Early stopping: the run ends `patience` epochs after the epoch of the
 * lowest validation loss, the weights to use are that epoch's (evaluating
 * the validation set with them gives its loss exactly), and a run resumed
 * before the best epoch and inside the stop window ends the same. */
static void test_early_stop(void **state)
{
    (void)state;
    cfg c = {"adam:lr=0.2", "constant", 0, 0, 0, 8, NULL};
    watch w = {0};
    setup_t s;
    g_early = 2;
    g_watch = &w;
    build(&s, &c, 40);
    g_watch = NULL;
    assert_int_equal(ds_trainer_run(s.t, 0), DS_OK);
    double best_val, val, acc;
    int64_t best = ds_trainer_best_epoch(s.t, &best_val);
    assert_true(ds_trainer_stopped_early(s.t) && ds_trainer_done(s.t));
    assert_true(best >= 2 && best + 2 < 40); /* room for the resume cuts below */
    assert_int_equal(ds_trainer_epoch(s.t), best + 2);
    assert_int_equal(w.n, best + 2);
    for (int k = 0; k < w.n; k++) /* the first lowest */
        assert_true(k + 1 < best ? w.ep[k].val_loss > best_val : w.ep[k].val_loss >= best_val);
    assert_true(w.ep[best - 1].val_loss == best_val);
    assert_int_equal(ds_trainer_evaluate(s.t, s.va, &val, &acc), DS_OK);
    assert_true(val == best_val);
    assert_int_equal(ds_trainer_run(s.t, 0), DS_OK); /* stays stopped */
    assert_int_equal(ds_trainer_epoch(s.t), best + 2);
    destroy(&s);
    check_resume(&c, 6 * (best - 1) - 3, 40); /* mid-epoch before the best */
    check_resume(&c, 6 * (best + 1), 40);     /* inside the stop window */
    g_early = 0;
    /* no validation set: refused */
    build(&s, &c, 3);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse("adam", &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.early_stop = 2;
    assert_null(ds_trainer_init(s.m, &op, s.tr, NULL, &p));
    assert_non_null(strstr(ds_last_error(), "early stopping watches the validation loss"));
    destroy(&s);
}

static void test_ema(void **state)
{
    (void)state;
    cfg c = {"adam:lr=0.01", "constant", 0, 0.9, 0, 8, NULL};
    setup_t s;
    build(&s, &c, 3);
    size_t n = ds_model_param_count(s.m);
    watch w = {.m = s.m, .avg = calloc(n, sizeof(double)), .beta = 0.9};
    ds_trainer_free(s.t);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse(c.opt, &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = 3, p.batch = 8, p.ema = 0.9, p.progress = on_progress, p.progress_ctx = &w;
    s.t = ds_trainer_init(s.m, &op, s.tr, s.va, &p);
    assert_int_equal(ds_trainer_run(s.t, 0), DS_OK);
    ds_ckpt *ck = ds_ckpt_new();
    assert_int_equal(ds_trainer_checkpoint(s.t, ck), DS_OK);
    const float *saved = ds_ckpt_find(ck, "model.params", DS_CKPT_F32, NULL);
    assert_non_null(saved);
    assert_int_equal(w.t, ds_trainer_step(s.t));
    double corr = 1 - pow(0.9, (double)w.t);
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(saved[i] - w.avg[i] / corr) <= 1e-5 * (1 + fabs(w.avg[i] / corr)));
    ds_model *back;
    assert_int_equal(ds_model_from_checkpoint(ck, &back), DS_OK);
    assert_memory_equal(ds_model_param_data(back), saved, n * sizeof(float));
    int differs = memcmp(saved, ds_model_param_data(s.m), n * sizeof(float)) != 0;
    assert_true(differs); /* the average, not the live weights */
    ds_model_free(back);
    ds_ckpt_free(ck);
    free(w.avg);
    destroy(&s);
}

static void test_nonfinite(void **state)
{
    (void)state;
    cfg c = {"sgd:lr=1e30", "constant", 0, 0, 0, 8, NULL};
    setup_t s;
    build(&s, &c, 5);
    ds_status st = ds_trainer_run(s.t, 0);
    assert_int_equal(st, DS_ERR_NONFINITE);
    const char *msg = ds_last_error();
    assert_true(strstr(msg, "step") && strstr(msg, "epoch") && strstr(msg, "lr 1e+30"));
    assert_int_equal(ds_trainer_save(s.t, path_in_tmp("bad.ckpt")), DS_ERR_NONFINITE);
    assert_int_not_equal(access(path_in_tmp("bad.ckpt"), F_OK), 0);
    assert_int_equal(ds_trainer_run(s.t, 0), DS_ERR_NONFINITE); /* sticky */
    destroy(&s);
}

/* Rollback, on the lectures' neuron (sigmoid output: the loss and the
 * gradient stay bounded, so only an update can overflow, straight to inf):
 * a rate of 1e39 is halved from the last good state until the update fits
 * in float; the final rate is 1e39 / 2^k with k the number of rollbacks,
 * and everything is finite. With 3 rollbacks allowed, 1e45 still ends in
 * DS_ERR_NONFINITE. */
static void test_rollback(void **state)
{
    (void)state;
    ds_dataset *toy;
    assert_int_equal(ds_gen_toy(&toy), DS_OK);
    for (int k = 0; k < 2; k++) {
        ds_model_params mp = ds_model_default_params();
        assert_int_equal(ds_init_parse("const:-2", &mp), DS_OK);
        ds_model *m = ds_model_init("neuron", 1, &mp);
        watch w = {.m = m};
        ds_opt_params op = ds_opt_default_params(DS_OPT_SGD);
        op.lr = k ? 1e45 : 1e39;
        ds_train_params p = ds_train_default_params();
        p.epochs = 4, p.batch = DS_BATCH_FULL, p.rollback = k ? 3 : 60;
        p.progress = on_progress, p.progress_ctx = &w;
        ds_trainer *t = ds_trainer_init(m, &op, toy, NULL, &p);
        assert_non_null(t);
        ds_status st = ds_trainer_run(t, 0);
        if (k) {
            assert_int_equal(st, DS_ERR_NONFINITE);
        } else {
            assert_int_equal(st, DS_OK);
            assert_int_equal(w.n, 4);
            int64_t rb = w.ep[3].rollbacks;
            assert_true(rb >= 1);
            assert_true(w.ep[3].lr == ldexp(1e39, -(int)rb));
            assert_int_equal(ds_trainer_step(t), 4);
            assert_int_equal(ds_trainer_save(t, path_in_tmp("rolled.ckpt")), DS_OK);
        }
        ds_trainer_free(t);
        ds_model_free(m);
    }
    ds_dataset_free(toy);
}

/* Least squares at lr 10 (full batch, linear:n=50 as in divergence.sh):
 * the error grows ~30x a step; step 4's loss is the first above 1e6 times
 * step 1's. The run cut after 2 steps and restored into fresh objects stops
 * at the same step: the reference loss came from the checkpoint. */
static ds_trainer *linear_run(ds_dataset *d, ds_model **m)
{
    ds_model_params mp = ds_model_default_params();
    mp.loss = DS_LOSS_MSE;
    *m = ds_model_init("mlp:3-1", 0, &mp);
    ds_opt_params op;
    assert_int_equal(ds_opt_parse("sgd:lr=10", &op), DS_OK);
    ds_train_params p = ds_train_default_params();
    p.epochs = 100, p.batch = DS_BATCH_FULL, p.threads = 1;
    ds_trainer *t = ds_trainer_init(*m, &op, d, NULL, &p);
    assert_non_null(t);
    return t;
}

static void test_explosion(void **state)
{
    (void)state;
    ds_dataset *d;
    ds_model *m, *m2;
    assert_int_equal(ds_gen_linear(50, 3, 0.1, 0, &d), DS_OK);
    ds_trainer *t = linear_run(d, &m);
    assert_int_equal(ds_trainer_run(t, 0), DS_ERR_NONFINITE);
    assert_non_null(strstr(ds_last_error(), "the loss exploded at step 4"));
    assert_non_null(strstr(ds_last_error(), "learning rate is likely too large"));
    assert_int_equal(ds_trainer_step(t), 3);
    ds_trainer_free(t);
    ds_model_free(m);

    t = linear_run(d, &m);
    assert_int_equal(ds_trainer_run(t, 2), DS_OK);
    ds_ckpt *ck = ds_ckpt_new();
    assert_int_equal(ds_trainer_checkpoint(t, ck), DS_OK);
    ds_trainer *t2 = linear_run(d, &m2);
    assert_int_equal(ds_trainer_restore(t2, ck), DS_OK);
    assert_int_equal(ds_trainer_run(t2, 0), DS_ERR_NONFINITE);
    assert_int_equal(ds_trainer_step(t2), 3);
    ds_ckpt_free(ck);
    ds_trainer_free(t2);
    ds_model_free(m2);
    ds_trainer_free(t);
    ds_model_free(m);
    ds_dataset_free(d);
}

/* Fine-tuning: the new base rate is in force at once, survives a checkpoint
 * and restore, and is the base the schedule scales; bad rates refused. */
static void test_base_lr(void **state)
{
    (void)state;
    cfg c = {"adam:lr=0.01", "step:every=1,factor=0.5", 0, 0, 0, 8, NULL};
    setup_t s, s2;
    build(&s, &c, 3);
    assert_int_equal(ds_trainer_run(s.t, 7), DS_OK); /* mid epoch 2 (6 batches an epoch) */
    assert_int_equal(ds_trainer_set_base_lr(s.t, 0.1), DS_OK);
    assert_true(ds_optim_lr(ds_trainer_optim(s.t), 0) == 0.1 * 0.5);
    assert_true(ds_optim_lr(ds_trainer_optim(s.t), 1) == 0.1 * 0.5);
    assert_int_equal(ds_trainer_set_base_lr(s.t, 0), DS_ERR_INVALID);
    assert_int_equal(ds_trainer_set_base_lr(s.t, NAN), DS_ERR_INVALID);
    ds_ckpt *ck = ds_ckpt_new();
    assert_int_equal(ds_trainer_checkpoint(s.t, ck), DS_OK);
    int64_t threads;
    assert_int_equal(ds_ckpt_get_i64(ck, "train.threads", &threads), DS_OK);
    assert_int_equal(threads, 1);
    build(&s2, &c, 3);
    assert_int_equal(ds_trainer_restore(s2.t, ck), DS_OK);
    assert_int_equal(ds_trainer_run(s2.t, 0), DS_OK);
    assert_true(ds_trainer_last_epoch(s2.t).lr == 0.1 * 0.25); /* epoch 3 */
    ds_ckpt_free(ck);
    destroy(&s2);
    destroy(&s);
}

static void test_mismatch(void **state)
{
    (void)state;
    cfg c = {"adam:lr=0.01", "constant", 0, 0, 0, 8, NULL};
    setup_t s;
    build(&s, &c, 2);
    assert_int_equal(ds_trainer_run(s.t, 2), DS_OK);
    const char *file = path_in_tmp("mm.ckpt");
    assert_int_equal(ds_trainer_save(s.t, file), DS_OK);
    destroy(&s);
    cfg other = c;
    other.opt = "sgd:lr=0.01";
    build(&s, &other, 2);
    assert_int_equal(ds_trainer_resume(s.t, file), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "mm.ckpt"));
    destroy(&s);
    other = c;
    other.batch = 4;
    build(&s, &other, 2);
    assert_int_equal(ds_trainer_resume(s.t, file), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "batch size"));
    destroy(&s);
    /* a model that does not fit the data: 5 inputs for 4 features */
    ds_dataset *d;
    assert_int_equal(ds_gen_blobs(20, 4, 3, 1, 1, &d), DS_OK);
    ds_model *m = ds_model_init("mlp:5-3", 0, NULL);
    ds_opt_params op = ds_opt_default_params(DS_OPT_ADAM);
    ds_train_params p = ds_train_default_params();
    assert_null(ds_trainer_init(m, &op, d, NULL, &p));
    assert_non_null(strstr(ds_last_error(), "5 inputs"));
    ds_model_free(m);
    ds_dataset_free(d);
}

/* ds_trainer_done turns true exactly when the last epoch ends, and
 * ds_model_load gives back the trained weights from a saved file (and a
 * clear failure for a missing one). */
static void test_done_and_load(void **state)
{
    (void)state;
    cfg c = {"adam:lr=0.01", "constant", 0, 0, 0, 8, NULL};
    setup_t s;
    build(&s, &c, 2);
    assert_false(ds_trainer_done(s.t));
    assert_int_equal(ds_trainer_run(s.t, 1), DS_OK);
    assert_false(ds_trainer_done(s.t));
    assert_int_equal(ds_trainer_run(s.t, 0), DS_OK);
    assert_int_equal(ds_trainer_epoch(s.t), 2);
    assert_true(ds_trainer_done(s.t));
    const char *path = path_in_tmp("done.ckpt");
    assert_int_equal(ds_trainer_save(s.t, path), DS_OK);
    ds_model *back = (ds_model *)1;
    assert_int_equal(ds_model_load(path, &back), DS_OK);
    size_t n = ds_model_param_count(s.m);
    assert_int_equal(ds_model_param_count(back), n);
    assert_memory_equal(ds_model_param_data(back), ds_model_param_data(s.m), n * sizeof(float));
    ds_model_free(back);
    assert_int_not_equal(ds_model_load(path_in_tmp("missing.ckpt"), &back), DS_OK);
    assert_null(back);
    assert_non_null(strstr(ds_last_error(), "missing.ckpt"));
    destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_exact),
        cmocka_unit_test(test_resume_net),
        cmocka_unit_test(test_stop_resumes_exact), /* right after the test it extends */
        cmocka_unit_test(test_neuron),
        cmocka_unit_test(test_steps_per_epoch),
        cmocka_unit_test(test_plateau),
        cmocka_unit_test(test_ema),
        cmocka_unit_test(test_early_stop),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_mismatch),
        cmocka_unit_test(test_explosion),
        cmocka_unit_test(test_base_lr),
        cmocka_unit_test(test_done_and_load),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
