/* cmd_train.c - `descent train`: builds a model, loads the data, trains it
 * through the library's training API (descent/train.h) and reports. All
 * input is checked before anything is written: --log, --save and
 * --checkpoint files appear only once training has produced them, each
 * written atomically, so bad input never creates or clobbers a file. */
#include "commands.h"
#include "progress.h"
#include "train_opts.h"

#include "descent/dist.h"
#include "descent/strbuf.h"
#include "descent/train.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --on-divergence rollback gives up after this many rollbacks in a row
 * (the rate is then 1/32 of what diverged). */
#define MAX_ROLLBACKS 5

static struct {
    ds_train_opts t;
    const char *log, *save, *resume, *checkpoint, *diverge;
    double plateau, ema;
    long every;
    int json;
} o = {.t = DS_TRAIN_OPTS_UNSET, .plateau = NAN, .ema = NAN, .every = 0};

static const ds_arg train_args[] = {
    DS_TRAIN_ARGS_MODEL(o.t),
    {"val", DS_ARG_DOUBLE, &o.t.val, "FRACTION", "hold out this share for validation (default 0)"},
    DS_TRAIN_ARG_BATCH(o.t),
    {"epochs", DS_ARG_INT, &o.t.epochs, "N", "passes over the training data (default 5)"},
    {"opt", DS_ARG_STRING, &o.t.opt, "SPEC",
     "optimizer NAME[:key=value,...] (default adam:lr=1e-3)"},
    DS_TRAIN_ARG_SCHEDULE(o.t),
    DS_TRAIN_ARG_UNIT(o.t),
    {"plateau", DS_ARG_DOUBLE, &o.plateau, "FACTOR",
     "multiply lr by FACTOR after an epoch whose val loss rose"},
    {"ema", DS_ARG_DOUBLE, &o.ema, "DECAY", "evaluate and save an EMA of the weights"},
    {"log", DS_ARG_STRING, &o.log, "FILE.csv", "write one CSV row per epoch"},
    {"json", DS_ARG_FLAG, &o.json, NULL, "print a final JSON object on stdout"},
    {"save", DS_ARG_STRING, &o.save, "FILE", "save the trained model and optimizer state"},
    {"resume", DS_ARG_STRING, &o.resume, "FILE", "continue the run saved in FILE"},
    {"checkpoint", DS_ARG_STRING, &o.checkpoint, "FILE", "save the run at every epoch end"},
    {"checkpoint-every", DS_ARG_INT, &o.every, "N", "and every N steps (default 0: epochs only)"},
    {"on-divergence", DS_ARG_STRING, &o.diverge, "WHAT",
     "stop (default, exit 3) or rollback: back to the last epoch end at half the lr"},
    DS_TRAIN_ARG_THREADS(o.t),
    {NULL, 0, NULL, NULL, NULL},
};

static const ds_command train_cmd = {
    .name = "train",
    .usage = "descent train [--model SPEC] [--data SPEC] [--opt SPEC] [options]",
    .summary = "train a model by gradient descent (default: mlp on Fashion-MNIST)",
    .details = "With no options: mlp:784-256-128-10, relu, adam lr 1e-3, batch 64, 5 epochs on\n"
               "Fashion-MNIST. --resume FILE takes every unset option from the checkpoint.\n"
               "--log columns: epoch,step,lr,train_loss,val_loss,val_accuracy,seconds.\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input (nothing written),\n"
               "3 the loss or a gradient became non-finite (nothing written for that step).\n"
               "SIGINT/SIGTERM stop after the current step, save the state to --checkpoint\n"
               "(else --save) and exit 128 + the signal number.",
    .args = train_args,
};

typedef struct run {
    ds_ckpt *ck; /* the --resume checkpoint */
    ds_train_job job;
    ds_strbuf log; /* the --log file's text so far */
    ds_progress bar;
    int64_t rollbacks; /* divergence rollbacks reported so far */
} run;

/* The options of train alone: plateau, EMA, divergence and checkpoints. */
static int run_options(run *r)
{
    ds_train_params *p = &r->job.tp;
    p->plateau = isnan(o.plateau) ? ds_cli_ck_f64(r->ck, "plateau.factor", 0) : o.plateau;
    p->ema = isnan(o.ema) ? ds_cli_ck_f64(r->ck, "ema.decay", 0) : o.ema;
    if (o.every < 0)
        return ds_cli_usage_error(&train_cmd, "--checkpoint-every must be >= 0 (got %ld)", o.every);
    if (o.diverge && strcmp(o.diverge, "stop") != 0 && strcmp(o.diverge, "rollback") != 0)
        return ds_cli_usage_error(&train_cmd, "--on-divergence must be stop or rollback (got '%s')",
                                  o.diverge);
    p->rollback = o.diverge && strcmp(o.diverge, "rollback") == 0 ? MAX_ROLLBACKS : 0;
    p->checkpoint = ds_dist_rank() == 0 ? o.checkpoint : NULL; /* rank 0 writes */
    p->comm = ds_dist_comm();
    p->checkpoint_every = o.every;
    return -1;
}

static int options(run *r)
{
    int rc;
    if (o.resume && ds_ckpt_load(o.resume, &r->ck) != DS_OK)
        return ds_cli_lib_error(&train_cmd, DS_EXIT_USAGE);
    if ((rc = ds_train_opts_resolve(&train_cmd, &o.t, r->ck, &r->job)) >= 0 ||
        (rc = run_options(r)) >= 0)
        return rc;
    if ((rc = ds_cli_check_output(&train_cmd, "log", o.log)) >= 0 ||
        (rc = ds_cli_check_output(&train_cmd, "save", o.save)) >= 0 ||
        (rc = ds_cli_check_output(&train_cmd, "checkpoint", o.checkpoint)) >= 0)
        return rc;
    return -1;
}

/* Data, split, model, trainer and the resumed state. */
static int build(run *r)
{
    int rc;
    if ((rc = ds_train_job_load(&train_cmd, &r->job)) >= 0 ||
        (rc = ds_train_job_build(&train_cmd, &r->job)) >= 0)
        return rc;
    if (r->ck && ds_trainer_restore(r->job.t, r->ck) != DS_OK)
        return ds_cli_usage_error(&train_cmd, "--resume %s: %s", o.resume, ds_last_error());
    return -1;
}

/* Appends the epoch's row and rewrites the whole log atomically, so a
 * reader never sees half a row. */
static int log_epoch(run *r, const ds_train_progress *p)
{
    ds_strbuf *b = &r->log;
    if (!b->len) ds_strbuf_printf(b, "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds\n");
    ds_strbuf_printf(b, "%lld,%lld,%.9g,%.9g,", (long long)p->epoch, (long long)p->step, p->lr,
                     p->train_loss);
    if (!isnan(p->val_loss)) ds_strbuf_printf(b, "%.9g", p->val_loss);
    ds_strbuf_printf(b, ",");
    if (!isnan(p->val_accuracy)) ds_strbuf_printf(b, "%.9g", p->val_accuracy);
    ds_strbuf_printf(b, ",%.6f\n", p->seconds);
    if (b->failed) {
        ds_set_error(DS_ERR_NOMEM, "out of memory for the --log text");
    } else if (ds_strbuf_save(b, o.log) == DS_OK) {
        return 0;
    }
    ds_progress_clear(&r->bar);
    ds_cli_lib_error(&train_cmd, DS_EXIT_FAIL);
    return 1;
}

/* The signal that asked us to stop (SIGINT, SIGTERM), or 0. The handler
 * only sets it; the progress callback, called after every step, turns it
 * into a clean stop with a consistent state that can still be saved. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* One line on stderr for each rollback (the trainer tells the callback
 * right after it, the count grown). The cause is the trainer's last error:
 * its divergence message, as nothing has failed since (the kept state was
 * restored). */
static void log_rollback(run *r, const ds_train_progress *p)
{
    const char *why = ds_last_error();
    ds_progress_clear(&r->bar);
    fprintf(stderr,
            "descent train: %.*s; rolled back to step %lld, lr now %g (%lld rollbacks; %d in a "
            "row stop the run)\n",
            (int)strcspn(why, ":"), why, (long long)p->step, p->lr, (long long)p->rollbacks,
            MAX_ROLLBACKS);
    r->rollbacks = p->rollbacks;
}

static int on_progress(void *ctx, const ds_train_progress *p)
{
    run *r = ctx;
    /* every rank stops after the same step, whichever saw the signal */
    if (ds_dist_any(stop_signal != 0)) return 1;
    if (ds_dist_rank() != 0) return 0; /* rank 0 alone reports and logs */
    if (p->rollbacks > r->rollbacks) log_rollback(r, p);
    if (!p->epoch_end) {
        ds_progress_step(&r->bar, p);
        return 0;
    }
    ds_progress_epoch(&r->bar, p);
    return o.log ? log_epoch(r, p) : 0;
}

static void json_number(const char *key, double v, int last)
{
    if (isfinite(v))
        printf("\"%s\": %.17g%s", key, v, last ? "" : ", ");
    else
        printf("\"%s\": null%s", key, last ? "" : ", ");
}

static void report(run *r, double test_loss, double test_acc)
{
    ds_train_progress last = ds_trainer_last_epoch(r->job.t);
    double secs = ds_trainer_seconds(r->job.t);
    long long epochs = (long long)ds_trainer_epoch(r->job.t);
    long long steps = (long long)ds_trainer_step(r->job.t);
    if (!o.json) {
        /* Say what was measured: a data set without a test split has no test
         * numbers, and regression has a loss but no accuracy. */
        if (isnan(test_loss))
            printf("no test split: final train_loss %.6f", last.train_loss);
        else if (isnan(test_acc))
            printf("test_loss %.6f", test_loss);
        else
            printf("test_loss %.6f  test_accuracy %.4f", test_loss, test_acc);
        printf("  (%lld epoch%s, %lld step%s, %.2f s training, %.2f s/epoch)\n", epochs,
               epochs == 1 ? "" : "s", steps, steps == 1 ? "" : "s", secs,
               epochs ? secs / (double)epochs : 0.0);
        return;
    }
    printf("{\"epochs\": %lld, \"steps\": %lld, ", epochs, steps);
    json_number("train_loss", last.train_loss, 0);
    json_number("val_loss", last.val_loss, 0);
    json_number("val_accuracy", last.val_accuracy, 0);
    json_number("test_loss", test_loss, 0);
    json_number("test_accuracy", test_acc, 0);
    json_number("seconds_per_epoch", epochs ? secs / (double)epochs : NAN, 0);
    json_number("seconds", secs, 1);
    printf("}\n");
}

/* After SIGINT/SIGTERM: save the state reached (to --checkpoint, else
 * --save) so `--resume` continues exactly; exit 128 + the signal number. */
static int interrupted(run *r)
{
    const char *path = o.checkpoint ? o.checkpoint : o.save;
    long long step = (long long)ds_trainer_step(r->job.t);
    if (path && ds_dist_rank() == 0 && ds_trainer_save(r->job.t, path) != DS_OK)
        return ds_cli_lib_error(&train_cmd, DS_EXIT_FAIL);
    if (path)
        fprintf(stderr,
                "descent train: interrupted at step %lld; state saved to %s (continue "
                "with --resume %s)\n",
                step, path, path);
    else
        fprintf(stderr,
                "descent train: interrupted at step %lld; nothing saved (no --checkpoint "
                "or --save)\n",
                step);
    return 128 + (int)stop_signal;
}

/* Trains, then evaluates the test split (if any), saves and reports. */
static int train_and_report(run *r)
{
    ds_progress_init(&r->bar, o.json ? stderr : stdout);
    catch_signals();
    ds_status s = ds_trainer_run(r->job.t, 0);
    ds_progress_clear(&r->bar);
    if (s == DS_ERR_INTERRUPTED && stop_signal) return interrupted(r);
    if (s != DS_OK)
        return ds_cli_lib_error(&train_cmd,
                                s == DS_ERR_NONFINITE ? DS_EXIT_DIVERGED : DS_EXIT_FAIL);
    double loss = NAN, acc = NAN;
    if (r->job.data.test && ds_trainer_evaluate(r->job.t, r->job.data.test, &loss, &acc) != DS_OK)
        return ds_cli_lib_error(&train_cmd, DS_EXIT_FAIL);
    if (o.save && ds_dist_rank() == 0 && ds_trainer_save(r->job.t, o.save) != DS_OK)
        return ds_cli_lib_error(&train_cmd, DS_EXIT_FAIL);
    report(r, loss, acc);
    return fflush(stdout) == 0 ? DS_EXIT_OK : DS_EXIT_FAIL;
}

static void cleanup(run *r)
{
    ds_train_job_free(&r->job);
    ds_ckpt_free(r->ck);
    ds_strbuf_free(&r->log);
}

static int run_train(int argc, char **argv)
{
    int rc = ds_cli_parse(&train_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    run r;
    memset(&r, 0, sizeof r);
    rc = options(&r);
    if (rc < 0) {
        r.job.tp.progress = on_progress; /* set before the trainer copies the params */
        r.job.tp.progress_ctx = &r;
        rc = build(&r);
    }
    if (rc < 0) rc = train_and_report(&r);
    cleanup(&r);
    return rc;
}

const ds_subcommand ds_cmd_train = {&train_cmd, run_train};
