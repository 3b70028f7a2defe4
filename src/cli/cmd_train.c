/* cmd_train.c - `descent train`: builds a model, loads the data, trains it
 * through the library's training API (descent/train.h) and reports. All
 * input is checked before anything is written: --log, --save and
 * --checkpoint files appear only once training has produced them, each
 * written atomically, so bad input never creates or clobbers a file. */
#include "commands.h"
#include "outputs.h"
#include "progress.h"
#include "signals.h"
#include "train_opts.h"

#include "descent/afile.h"
#include "descent/dist.h"
#include "descent/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --on-divergence rollback gives up after this many rollbacks in a row
 * (the rate is then 1/32 of what diverged). */
#define MAX_ROLLBACKS 5

static struct {
    cli_train_opts t;
    const char *log, *save, *resume, *checkpoint, *diverge, *init_from;
    double plateau, ema, fine_tune_lr;
    long every, early_stop;
    int json;
} o = {.t = CLI_TRAIN_OPTS_UNSET,
       .plateau = NAN,
       .ema = NAN,
       .fine_tune_lr = NAN,
       .every = CLI_UNSET_L,
       .early_stop = CLI_UNSET_L};

static const cli_arg train_args[] = {
    CLI_TRAIN_ARGS_MODEL(o.t),
    {"val", CLI_ARG_DOUBLE, &o.t.val, "FRACTION", "hold out this share for validation (default 0)"},
    CLI_TRAIN_ARG_BATCH(o.t),
    {"epochs", CLI_ARG_INT, &o.t.epochs, "N", "passes over the training data (default 5)"},
    {"opt", CLI_ARG_STRING, &o.t.opt, "SPEC",
     "optimizer NAME[:key=value,...] (default adam:lr=1e-3)"},
    CLI_TRAIN_ARG_SCHEDULE(o.t),
    CLI_TRAIN_ARG_UNIT(o.t),
    {"plateau", CLI_ARG_DOUBLE, &o.plateau, "FACTOR",
     "multiply lr by FACTOR after an epoch whose val loss rose"},
    {"ema", CLI_ARG_DOUBLE, &o.ema, "DECAY", "evaluate and save an EMA of the weights"},
    {"early-stop", CLI_ARG_INT, &o.early_stop, "PATIENCE",
     "end after PATIENCE epochs without a better val loss, keep the best (needs --val)"},
    {"log", CLI_ARG_STRING, &o.log, "FILE.csv", "write one CSV row per epoch (- for stdout)"},
    {"json", CLI_ARG_FLAG, &o.json, NULL, "print a final JSON object on stdout"},
    {"save", CLI_ARG_STRING, &o.save, "FILE", "save the trained model and optimizer state"},
    {"resume", CLI_ARG_STRING, &o.resume, "FILE", "continue the run saved in FILE"},
    {"init-from", CLI_ARG_STRING, &o.init_from, "FILE",
     "start from the weights in FILE.safetensors (named as torch's state_dict)"},
    {"fine-tune-lr", CLI_ARG_DOUBLE, &o.fine_tune_lr, "LR",
     "with --resume: go on at base rate LR (keeps optimizer state, position, schedule)"},
    {"checkpoint", CLI_ARG_STRING, &o.checkpoint, "FILE", "save the run at every epoch end"},
    {"checkpoint-every", CLI_ARG_INT, &o.every, "N", "and every N steps (default 0: epochs only)"},
    {"on-divergence", CLI_ARG_STRING, &o.diverge, "WHAT",
     "stop (default, exit 3) or rollback: back to the last epoch end at half the lr"},
    CLI_TRAIN_ARG_PRECISION(o.t),
    CLI_TRAIN_ARG_THREADS(o.t),
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_command train_cmd = {
    .name = "train",
    .usage = "descent train [--model SPEC] [--data SPEC] [--opt SPEC] [options]",
    .summary = "train a model by gradient descent (default: mlp on Fashion-MNIST)",
    .details = "With no options: mlp:784-256-128-10, relu, adam lr 1e-3, batch 64, 5 epochs on\n"
               "Fashion-MNIST. --resume FILE continues the run FILE recorded: every option\n"
               "it fixes (model, data, optimizer, schedule, ...) comes from it, and a\n"
               "different value given is refused; --epochs, --threads (default: the\n"
               "recorded count), output paths and --fine-tune-lr may change. Without\n"
               "--checkpoint a resumed run goes on writing the checkpoint it recorded.\n"
               "--log columns: epoch,step,lr,train_loss,val_loss,val_accuracy,seconds.\n"
               "--early-stop keeps the best epoch's weights: the test numbers and --save\n"
               "use them (Keras's EarlyStopping with restore_best_weights).\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input (nothing written),\n"
               "3 diverged: the loss or a gradient became non-finite, or the loss rose above\n"
               "1e6 x the run's first loss (nothing written for that step).\n"
               "SIGINT/SIGTERM stop after the current step, save the state to --checkpoint\n"
               "(else --save) and exit 128 + the signal number; a second signal does not cut\n"
               "that save short (SIGQUIT does, leaving the previous checkpoint intact).",
    .args = train_args,
};

typedef struct run {
    ds_ckpt *ck;           /* the --resume checkpoint */
    char checkpoint[4096]; /* --checkpoint (else the recorded one), absolute */
    cli_train_job job;
    char *log;
    size_t log_len;
    int log_stream;   /* --log is "-", a device or a FIFO: rows go there as they come */
    ds_afile log_out; /* that stream, open from the first row */
    cli_progress bar;
    int64_t rollbacks; /* divergence rollbacks reported so far */
    int log_failed;    /* --log could not be written: reported, exit 1 */
} run;

/* On resume, where the run's checkpoints go: --checkpoint, else the file and
 * interval the checkpoint recorded; said on stderr, as is saving nothing. */
static void resumed_outputs(run *r)
{
    const char *rec = ds_ckpt_find(r->ck, "out.checkpoint", DS_CKPT_TEXT, NULL);
    if (rec && !o.checkpoint && o.save && cli_same_file(o.save, rec)) {
        /* --save names the recorded checkpoint: one output, written at the end */
        if (ds_dist_rank() == 0)
            fprintf(stderr,
                    "descent train: note: --save %s is the recorded checkpoint: it is "
                    "written at the end only\n",
                    o.save);
        rec = NULL;
    }
    if (!o.checkpoint && rec) {
        o.checkpoint = rec;
        if (o.every == CLI_UNSET_L) o.every = cli_ck_i64(r->ck, "out.checkpoint_every", 0);
        if (ds_dist_rank() == 0)
            fprintf(stderr,
                    "descent train: note: the resumed run goes on writing its checkpoint %s\n",
                    rec);
    }
    if (!o.checkpoint && !o.save && ds_dist_rank() == 0)
        fprintf(stderr, "descent train: note: nothing will be saved (no --save or --checkpoint)\n");
    long threads = cli_ck_i64(r->ck, "train.threads", 0), now = r->job.tp.threads;
    char uses[32];
    snprintf(uses, sizeof uses, "%ld", now);
    if (o.t.threads != CLI_UNSET_L && threads > 0 && now != threads && ds_dist_rank() == 0)
        fprintf(stderr,
                "descent train: note: the checkpoint was written with %ld threads, this run uses "
                "%s: the results may differ in the last bits\n",
                threads, now ? uses : "all cores");
}

/* --early-stop, else the checkpoint's patience (0: off); needs --val. */
static int early_options(run *r)
{
    long patience =
        o.early_stop != CLI_UNSET_L ? o.early_stop : cli_ck_i64(r->ck, "early.patience", 0);
    if (patience < 0)
        return cli_usage_error(&train_cmd, "--early-stop must be >= 0 epochs (0: off; got %ld)",
                               patience);
    r->job.tp.early_stop = patience;
    int rc = cli_pinned_i64(&train_cmd, &o.t, "early-stop", r->ck, "early.patience", o.early_stop);
    if (rc < 0 && patience > 0 && r->job.val == 0)
        return cli_usage_error(&train_cmd, "--early-stop watches the validation loss: give "
                                           "--val FRACTION (e.g. --val 0.1)");
    return rc;
}

/* The options of train alone: plateau, EMA, early stopping, divergence
 * and checkpoints. */
static int run_options(run *r)
{
    ds_train_params *p = &r->job.tp;
    p->plateau = isnan(o.plateau) ? cli_ck_f64(r->ck, "plateau.factor", 0) : o.plateau;
    p->ema = isnan(o.ema) ? cli_ck_f64(r->ck, "ema.decay", 0) : o.ema;
    int rc = cli_pinned_f64(&train_cmd, &o.t, "plateau", r->ck, "plateau.factor", o.plateau);
    if (rc < 0) rc = cli_pinned_f64(&train_cmd, &o.t, "ema", r->ck, "ema.decay", o.ema);
    if (rc < 0) rc = early_options(r);
    if (rc >= 0) return rc;
    if (!isnan(o.fine_tune_lr) && !r->ck)
        return cli_usage_error(&train_cmd, "--fine-tune-lr needs --resume (a new run takes "
                                           "its rate in --opt, e.g. --opt adam:lr=1e-4)");
    if (!(isnan(o.fine_tune_lr) || (isfinite(o.fine_tune_lr) && o.fine_tune_lr > 0)))
        return cli_usage_error(&train_cmd, "--fine-tune-lr must be a number > 0 (got %g)",
                               o.fine_tune_lr);
    if (r->ck) resumed_outputs(r);
    if (o.every != CLI_UNSET_L && o.every < 0)
        return cli_usage_error(&train_cmd, "--checkpoint-every must be >= 0 (got %ld)", o.every);
    if (o.diverge && strcmp(o.diverge, "stop") != 0 && strcmp(o.diverge, "rollback") != 0)
        return cli_usage_error(&train_cmd, "--on-divergence must be stop or rollback (got '%s')",
                               o.diverge);
    p->rollback = o.diverge && strcmp(o.diverge, "rollback") == 0 ? MAX_ROLLBACKS : 0;
    if (o.checkpoint) cli_absolute_path(o.checkpoint, r->checkpoint, sizeof r->checkpoint);
    p->checkpoint = ds_dist_rank() == 0 && o.checkpoint ? r->checkpoint : NULL; /* rank 0 writes */
    p->comm = ds_dist_comm();
    p->checkpoint_every = o.every == CLI_UNSET_L ? 0 : o.every;
    return -1;
}

static int options(run *r)
{
    int rc;
    o.t.resume = o.resume;
    if (o.init_from && o.resume)
        return cli_usage_error(&train_cmd, "--init-from starts a new run from given weights; "
                                           "--resume continues a recorded one: give one of them");
    if (o.resume && ds_ckpt_load(o.resume, &r->ck) != DS_OK)
        return cli_lib_error(&train_cmd, CLI_EXIT_USAGE);
    if ((rc = cli_train_opts_resolve(&train_cmd, &o.t, r->ck, &r->job)) >= 0 ||
        (rc = run_options(r)) >= 0)
        return rc;
    if (o.json && o.log && strcmp(o.log, "-") == 0)
        return cli_usage_error(&train_cmd, "--log - and --json both write standard output: "
                                           "give --log a path");
    cli_file out[] = {{"log", o.log, CLI_STREAM | CLI_STDOUT, 0},
                      {"save", o.save, CLI_STREAM | CLI_CKPT, 0},
                      {"checkpoint", o.checkpoint, CLI_CKPT, 0}};
    cli_file in[] = {{"data", r->job.data_spec, CLI_SPEC, 0}, {"resume", o.resume, CLI_CKPT, 0}};
    rc = cli_check_outputs(&train_cmd, out, 3, in, 2);
    r->log_stream = out[0].stream;
    return rc;
}

/* Data, split, model, trainer and the resumed state. */
static int build(run *r)
{
    int rc;
    if ((rc = cli_train_job_load(&train_cmd, &r->job)) >= 0 ||
        (rc = cli_train_job_build(&train_cmd, &r->job)) >= 0)
        return rc;
    if (o.init_from && ds_model_load_safetensors(r->job.m, o.init_from) != DS_OK)
        return cli_usage_error(&train_cmd, "--init-from: %s", ds_last_error());
    if (r->ck && ds_trainer_restore(r->job.t, r->ck) != DS_OK)
        return cli_usage_error(&train_cmd, "--resume %s: %s", o.resume, ds_last_error());
    if (!isnan(o.fine_tune_lr) && ds_trainer_set_base_lr(r->job.t, o.fine_tune_lr) != DS_OK)
        return cli_option_error(&train_cmd, "fine-tune-lr");
    return -1;
}

/* The log from byte `from` on: to a stream only the new bytes, as they
 * come; to a file the whole log, rewritten atomically, so a reader never
 * sees half a row. */
static ds_status log_write(run *r, size_t from)
{
    if (!r->log_stream) return ds_write_file_atomic(o.log, r->log, r->log_len);
    ds_status s = r->log_out.f ? DS_OK : cli_open_output(&r->log_out, o.log);
    if (s == DS_OK &&
        (fwrite(r->log + from, 1, r->log_len - from, r->log_out.f) != r->log_len - from ||
         fflush(r->log_out.f) != 0))
        s = ds_set_error(DS_ERR_IO, "cannot write '%s': %s", r->log_out.path, strerror(errno));
    return s;
}

/* Appends the epoch's row to the log. */
static int log_epoch(run *r, const ds_train_progress *p)
{
    char row[512];
    int n = snprintf(row, sizeof row, "%lld,%lld,%.9g,%.9g,", (long long)p->epoch,
                     (long long)p->step, p->lr, p->train_loss);
    if (!isnan(p->val_loss)) n += snprintf(row + n, sizeof row - (size_t)n, "%.9g", p->val_loss);
    n += snprintf(row + n, sizeof row - (size_t)n, ",");
    if (!isnan(p->val_accuracy))
        n += snprintf(row + n, sizeof row - (size_t)n, "%.9g", p->val_accuracy);
    n += snprintf(row + n, sizeof row - (size_t)n, ",%.6f\n", p->seconds);
    const char *head = "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds\n";
    size_t add = (r->log_len ? 0 : strlen(head)) + (size_t)n;
    char *grown = realloc(r->log, r->log_len + add + 1);
    if (grown) {
        r->log = grown;
        size_t from = r->log_len;
        if (!r->log_len) r->log_len = (size_t)sprintf(r->log, "%s", head);
        r->log_len += (size_t)sprintf(r->log + r->log_len, "%s", row);
        if (log_write(r, from) == DS_OK) return 0;
    }
    /* reported here: the trainer's "stopped on request" would hide it */
    cli_progress_clear(&r->bar);
    if (grown)
        cli_lib_error(&train_cmd, CLI_EXIT_FAIL);
    else
        cli_usage_error(&train_cmd, "--log %s: out of memory", o.log);
    return r->log_failed = 1;
}

/* One line on stderr for each rollback (the trainer tells the callback
 * right after it, the count grown). The cause is the trainer's last error:
 * its divergence message, as nothing has failed since (the kept state was
 * restored). */
static void log_rollback(run *r, const ds_train_progress *p)
{
    const char *why = ds_last_error();
    cli_progress_clear(&r->bar);
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
    /* every rank stops after the same step, whichever saw the signal; the
     * callback runs between steps, where the state is whole and savable */
    if (ds_dist_any(cli_stop_signal != 0)) return 1;
    if (ds_dist_rank() != 0) return 0; /* rank 0 alone reports and logs */
    if (p->rollbacks > r->rollbacks) log_rollback(r, p);
    if (!p->epoch_end) {
        cli_progress_step(&r->bar, p);
        return 0;
    }
    cli_progress_epoch(&r->bar, p);
    return o.log ? log_epoch(r, p) : 0;
}

static void json_number(const char *key, double v, int last)
{
    if (isfinite(v))
        printf("\"%s\": %.17g%s", key, v, last ? "" : ", ");
    else
        printf("\"%s\": null%s", key, last ? "" : ", ");
}

/* Early stopping: say where the run stopped and which epoch it keeps. */
static void early_note(run *r)
{
    double best;
    int64_t epoch = ds_trainer_best_epoch(r->job.t, &best);
    if (!r->job.tp.early_stop || !epoch || o.json) return;
    if (ds_trainer_stopped_early(r->job.t))
        printf("early stop after epoch %lld: no better val_loss in %lld epochs; ",
               (long long)ds_trainer_epoch(r->job.t), (long long)r->job.tp.early_stop);
    printf("kept epoch %lld (val_loss %.6g)\n", (long long)epoch, best);
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
            printf("no test split: final train_loss %.6g", last.train_loss);
        else if (isnan(test_acc))
            printf("test_loss %.6g", test_loss);
        else
            printf("test_loss %.6g  test_accuracy %.4f", test_loss, test_acc);
        printf("  (%lld epoch%s, %lld step%s, %.2f s training, %.2f s/epoch)\n", epochs,
               epochs == 1 ? "" : "s", steps, steps == 1 ? "" : "s", secs,
               epochs ? secs / (double)epochs : 0.0);
        return;
    }
    printf("{\"epochs\": %lld, \"steps\": %lld, ", epochs, steps);
    if (r->job.tp.early_stop)
        printf("\"stopped_early\": %s, \"best_epoch\": %lld, ",
               ds_trainer_stopped_early(r->job.t) ? "true" : "false",
               (long long)ds_trainer_best_epoch(r->job.t, NULL));
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
        return cli_lib_error(&train_cmd, CLI_EXIT_FAIL);
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
    return cli_signal_status();
}

/* Trains, then evaluates the test split (if any), saves and reports. */
static int train_and_report(run *r)
{
    cli_progress_init(&r->bar, o.json ? stderr : stdout);
    cli_catch_signals();
    ds_status s = ds_trainer_run(r->job.t, 0);
    cli_progress_clear(&r->bar);
    if (s == DS_ERR_INTERRUPTED && cli_stop_signal) return interrupted(r);
    if (s == DS_ERR_INTERRUPTED && r->log_failed) return CLI_EXIT_FAIL;
    if (s != DS_OK)
        return cli_lib_error(&train_cmd, s == DS_ERR_NONFINITE ? CLI_EXIT_DIVERGED : CLI_EXIT_FAIL);
    double loss = NAN, acc = NAN;
    if (r->job.data.test && ds_trainer_evaluate(r->job.t, r->job.data.test, &loss, &acc) != DS_OK)
        return cli_lib_error(&train_cmd, CLI_EXIT_FAIL);
    if (o.save && ds_dist_rank() == 0 && ds_trainer_save(r->job.t, o.save) != DS_OK)
        return cli_lib_error(&train_cmd, CLI_EXIT_FAIL);
    early_note(r);
    report(r, loss, acc);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* Closes a --log stream; a failure there fails a run that went well. */
static int cleanup(run *r, int rc)
{
    if (r->log_out.f && ds_afile_commit(&r->log_out) != DS_OK && rc == CLI_EXIT_OK)
        rc = cli_lib_error(&train_cmd, CLI_EXIT_FAIL);
    cli_train_job_free(&r->job);
    ds_ckpt_free(r->ck);
    free(r->log);
    return rc;
}

static int run_train(int argc, char **argv)
{
    int rc = cli_parse(&train_cmd, argc, argv, NULL);
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
    return cleanup(&r, rc);
}

const cli_subcommand cli_cmd_train = {&train_cmd, run_train};
