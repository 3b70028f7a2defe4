/* cmd_train.c - `descent train`: builds a model, loads the data, trains it
 * through the library's training API (descent/train.h) and reports. All
 * input is checked before anything is written: --log, --save and
 * --checkpoint files appear only once training has produced them, each
 * written atomically, so bad input never creates or clobbers a file. */
#include "commands.h"
#include "progress.h"

#include "../core/atomic_file.h"
#include "descent/dist.h"
#include "descent/train.h"

#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNSET_L LONG_MIN
/* --on-divergence rollback gives up after this many rollbacks in a row
 * (the rate is then 1/32 of what diverged). */
#define MAX_ROLLBACKS 5

static struct {
    const char *model, *act, *loss, *init, *data, *batch, *opt, *schedule, *unit;
    const char *log, *save, *resume, *checkpoint, *diverge;
    double l2, val, plateau, ema;
    long seed, epochs, threads, every;
    int json;
} o = {.l2 = NAN,
       .val = NAN,
       .plateau = NAN,
       .ema = NAN,
       .seed = UNSET_L,
       .epochs = UNSET_L,
       .threads = 0,
       .every = 0};

static const ds_arg train_args[] = {
    {"model", DS_ARG_STRING, &o.model, "SPEC",
     "mlp:N0-N1-...-NL or neuron (default mlp:784-256-128-10)"},
    {"act", DS_ARG_STRING, &o.act, "A", "hidden activation: relu (default), sigmoid, tanh"},
    {"loss", DS_ARG_STRING, &o.loss, "L", "xent (default for mlp), mse, sse (default for neuron)"},
    {"l2", DS_ARG_DOUBLE, &o.l2, "LAMBDA", "add lambda/(2m) sum ||W||^2 to the cost (default 0)"},
    {"init", DS_ARG_STRING, &o.init, "I", "default (He/Xavier), he, xavier, zeros, const:V"},
    {"seed", DS_ARG_INT, &o.seed, "N", "seed of weights, split and shuffles (default 0)"},
    {"data", DS_ARG_STRING, &o.data, "SPEC",
     "fashion-mnist (default), idx:IMAGES,LABELS, csv:PATH, toy, sparse, blobs, linear"},
    {"val", DS_ARG_DOUBLE, &o.val, "FRACTION", "hold out this share for validation (default 0)"},
    {"batch", DS_ARG_STRING, &o.batch, "N|full", "mini-batch size; 1 = SGD (default 64)"},
    {"epochs", DS_ARG_INT, &o.epochs, "N", "passes over the training data (default 5)"},
    {"opt", DS_ARG_STRING, &o.opt, "SPEC", "optimizer NAME[:key=value,...] (default adam:lr=1e-3)"},
    {"schedule", DS_ARG_STRING, &o.schedule, "S", "learning-rate schedule (default constant)"},
    {"schedule-unit", DS_ARG_STRING, &o.unit, "U", "schedule counts epoch (default) or step"},
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
    {"threads", DS_ARG_INT, &o.threads, "N", "threads (default 0: all cores)"},
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
    ds_model_params mp;
    ds_opt_params op;
    ds_train_params tp;
    const char *data_spec;
    double val;
    ds_data data;
    ds_dataset *tr, *va; /* the split, when --val > 0 */
    ds_model *m;
    ds_trainer *t;
    char *log;
    size_t log_len;
    ds_progress bar;
    int64_t rollbacks; /* divergence rollbacks reported so far */
} run;

/* Library status at setup time: bad input is 2, anything else 1. */
static int setup_error(void)
{
    return ds_cli_lib_error(&train_cmd, DS_EXIT_USAGE);
}

/* A library parser rejected the value of --opt: name the option too. */
static int option_error(const char *opt)
{
    return ds_cli_usage_error(&train_cmd, "--%s: %s", opt, ds_last_error());
}

/* A text record of the resume checkpoint, or NULL. */
static const char *ck_text(const run *r, const char *name)
{
    return r->ck ? ds_ckpt_find(r->ck, name, DS_CKPT_TEXT, NULL) : NULL;
}

static double ck_f64(const run *r, const char *name, double dflt)
{
    double v;
    return r->ck && ds_ckpt_get_f64(r->ck, name, &v) == DS_OK ? v : dflt;
}

static long ck_i64(const run *r, const char *name, long dflt)
{
    int64_t v;
    return r->ck && ds_ckpt_get_i64(r->ck, name, &v) == DS_OK ? (long)v : dflt;
}

/* Model options: flags, else the checkpoint, else the defaults. */
static int model_options(run *r)
{
    r->mp = ds_model_default_params();
    if (o.act && ds_act_parse(o.act, &r->mp.act) != DS_OK) return option_error("act");
    if (o.loss && ds_loss_parse(o.loss, &r->mp.loss) != DS_OK) return option_error("loss");
    if (o.init && ds_init_parse(o.init, &r->mp) != DS_OK) return option_error("init");
    r->mp.l2 = isnan(o.l2) ? ck_f64(r, "model.l2", 0) : o.l2;
    if (!(r->mp.l2 >= 0))
        return ds_cli_usage_error(&train_cmd, "--l2 must be >= 0 (got %g)", r->mp.l2);
    long seed = o.seed != UNSET_L ? o.seed : ck_i64(r, "train.seed", 0);
    if (seed < 0) return ds_cli_usage_error(&train_cmd, "--seed must be >= 0 (got %ld)", seed);
    r->mp.seed = (uint64_t)seed;
    return -1;
}

/* The optimizer: --opt, else the checkpoint's weights group, else adam. */
static int opt_options(run *r)
{
    char spec[1024];
    const char *stored = ck_text(r, "optim.spec");
    snprintf(spec, sizeof spec, "%s", o.opt ? o.opt : stored ? stored : "adam:lr=1e-3");
    char *bar = strchr(spec, '|');
    if (bar && !o.opt) *bar = '\0';
    if (ds_opt_parse(spec, &r->op) != DS_OK) return option_error("opt");
    return -1;
}

static int loop_options(run *r)
{
    ds_train_params *p = &r->tp;
    *p = ds_train_default_params();
    p->seed = r->mp.seed;
    p->epochs = o.epochs != UNSET_L ? o.epochs : ck_i64(r, "train.epochs", 5);
    if (p->epochs < 1)
        return ds_cli_usage_error(&train_cmd, "--epochs must be >= 1 (got %ld)", (long)p->epochs);
    if (o.batch && ds_batch_size_parse(o.batch, &p->batch) != DS_OK) return option_error("batch");
    if (!o.batch) p->batch = (size_t)ck_i64(r, "train.batch_size", 64);
    const char *sched = o.schedule ? o.schedule : ck_text(r, "train.schedule");
    if (ds_schedule_parse(sched, &p->schedule) != DS_OK) return option_error("schedule");
    if (o.unit && strcmp(o.unit, "step") != 0 && strcmp(o.unit, "epoch") != 0)
        return ds_cli_usage_error(&train_cmd, "--schedule-unit must be step or epoch (got '%s')",
                                  o.unit);
    p->schedule_per_step =
        o.unit ? strcmp(o.unit, "step") == 0 : (int)ck_i64(r, "train.schedule_per_step", 0);
    p->plateau = isnan(o.plateau) ? ck_f64(r, "plateau.factor", 0) : o.plateau;
    p->ema = isnan(o.ema) ? ck_f64(r, "ema.decay", 0) : o.ema;
    if (o.threads < 0 || o.threads > 4096 || o.every < 0)
        return ds_cli_usage_error(&train_cmd, "--threads must be 0..4096 and --checkpoint-every "
                                              ">= 0");
    p->threads = (int)o.threads;
    if (o.diverge && strcmp(o.diverge, "stop") != 0 && strcmp(o.diverge, "rollback") != 0)
        return ds_cli_usage_error(&train_cmd, "--on-divergence must be stop or rollback (got '%s')",
                                  o.diverge);
    p->rollback = o.diverge && strcmp(o.diverge, "rollback") == 0 ? MAX_ROLLBACKS : 0;
    p->checkpoint = ds_dist_rank() == 0 ? o.checkpoint : NULL; /* rank 0 writes */
    p->checkpoint_every = o.every;
    r->val = isnan(o.val) ? ck_f64(r, "data.val", 0) : o.val;
    if (!(r->val >= 0 && r->val < 1))
        return ds_cli_usage_error(&train_cmd, "--val must be in [0, 1) (got %g)", r->val);
    r->data_spec = o.data                    ? o.data
                   : ck_text(r, "data.desc") ? ck_text(r, "data.desc")
                                             : "fashion-mnist";
    p->data_desc = r->data_spec;
    p->val_fraction = r->val;
    return -1;
}

/* An output file's folder must exist and be writable before we train. */
static int check_output(const char *opt, const char *path)
{
    if (!path) return -1;
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    if (access(dir, W_OK) != 0)
        return ds_cli_usage_error(&train_cmd,
                                  "--%s %s: folder '%s' does not exist or is not "
                                  "writable",
                                  opt, path, dir);
    return -1;
}

static int options(run *r)
{
    int rc;
    if (o.resume && ds_ckpt_load(o.resume, &r->ck) != DS_OK) return setup_error();
    if ((rc = model_options(r)) >= 0 || (rc = opt_options(r)) >= 0 || (rc = loop_options(r)) >= 0)
        return rc;
    if ((rc = check_output("log", o.log)) >= 0 || (rc = check_output("save", o.save)) >= 0 ||
        (rc = check_output("checkpoint", o.checkpoint)) >= 0)
        return rc;
    return -1;
}

/* Data, split, model, trainer and the resumed state. */
static int build(run *r)
{
    if (ds_data_load(r->data_spec, r->mp.seed, &r->data) != DS_OK) return setup_error();
    ds_dataset *train = r->data.train, *val = NULL;
    if (r->val > 0) {
        if (ds_dataset_split(train, r->val, r->mp.seed, &r->tr, &r->va) != DS_OK)
            return setup_error();
        train = r->tr, val = r->va;
    }
    const char *desc = ck_text(r, "model.desc");
    if (o.model || !desc)
        r->m = ds_model_init(o.model ? o.model : "mlp:784-256-128-10", ds_dataset_features(train),
                             &r->mp);
    else
        r->m = ds_model_init_desc(desc, &r->mp);
    if (!r->m) return setup_error();
    r->t = ds_trainer_init(r->m, &r->op, train, val, &r->tp);
    if (!r->t) return setup_error();
    if (r->ck && ds_trainer_restore(r->t, r->ck) != DS_OK)
        return ds_cli_usage_error(&train_cmd, "--resume %s: %s", o.resume, ds_last_error());
    return -1;
}

/* Appends the epoch's row and rewrites the whole log atomically, so a
 * reader never sees half a row. */
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
    if (!grown) return 1;
    r->log = grown;
    if (!r->log_len) r->log_len = (size_t)sprintf(r->log, "%s", head);
    r->log_len += (size_t)sprintf(r->log + r->log_len, "%s", row);
    if (ds__write_file_atomic(o.log, r->log, r->log_len) == DS_OK) return 0;
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
    ds_train_progress last = ds_trainer_last_epoch(r->t);
    double secs = ds_trainer_seconds(r->t);
    long long epochs = (long long)ds_trainer_epoch(r->t);
    if (!o.json) {
        /* Say what was measured: a data set without a test split has no test
         * numbers, and regression has a loss but no accuracy. */
        if (isnan(test_loss))
            printf("no test split: final train_loss %.6f", last.train_loss);
        else if (isnan(test_acc))
            printf("test_loss %.6f", test_loss);
        else
            printf("test_loss %.6f  test_accuracy %.4f", test_loss, test_acc);
        printf("  (%lld epochs, %lld steps, %.2f s training, %.2f s/epoch)\n", epochs,
               (long long)ds_trainer_step(r->t), secs, epochs ? secs / (double)epochs : 0.0);
        return;
    }
    printf("{\"epochs\": %lld, \"steps\": %lld, ", epochs, (long long)ds_trainer_step(r->t));
    json_number("train_loss", last.train_loss, 0);
    json_number("val_loss", last.val_loss, 0);
    json_number("val_accuracy", last.val_accuracy, 0);
    json_number("test_loss", test_loss, 0);
    json_number("test_accuracy", test_acc, 0);
    json_number("seconds_per_epoch", epochs ? secs / (double)epochs : NAN, 0);
    json_number("seconds", secs, 1);
    printf("}\n");
}

/* Trains, then evaluates the test split (if any), saves and reports. */
/* After SIGINT/SIGTERM: save the state reached (to --checkpoint, else
 * --save) so `--resume` continues exactly; exit 128 + the signal number. */
static int interrupted(run *r)
{
    const char *path = o.checkpoint ? o.checkpoint : o.save;
    long long step = (long long)ds_trainer_step(r->t);
    if (path && ds_dist_rank() == 0 && ds_trainer_save(r->t, path) != DS_OK)
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

static int train_and_report(run *r)
{
    ds_progress_init(&r->bar, o.json ? stderr : stdout);
    catch_signals();
    ds_status s = ds_trainer_run(r->t, 0);
    ds_progress_clear(&r->bar);
    if (s == DS_ERR_INTERRUPTED && stop_signal) return interrupted(r);
    if (s != DS_OK)
        return ds_cli_lib_error(&train_cmd,
                                s == DS_ERR_NONFINITE ? DS_EXIT_DIVERGED : DS_EXIT_FAIL);
    double loss = NAN, acc = NAN;
    if (r->data.test && ds_trainer_evaluate(r->t, r->data.test, &loss, &acc) != DS_OK)
        return ds_cli_lib_error(&train_cmd, DS_EXIT_FAIL);
    if (o.save && ds_dist_rank() == 0 && ds_trainer_save(r->t, o.save) != DS_OK)
        return ds_cli_lib_error(&train_cmd, DS_EXIT_FAIL);
    report(r, loss, acc);
    return fflush(stdout) == 0 ? DS_EXIT_OK : DS_EXIT_FAIL;
}

static void cleanup(run *r)
{
    ds_trainer_free(r->t);
    ds_model_free(r->m);
    ds_dataset_free(r->tr);
    ds_dataset_free(r->va);
    ds_data_free(&r->data);
    ds_ckpt_free(r->ck);
    free(r->log);
}

static int run_train(int argc, char **argv)
{
    int rc = ds_cli_parse(&train_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    run r;
    memset(&r, 0, sizeof r);
    rc = options(&r);
    if (rc < 0) {
        r.tp.progress = on_progress; /* set before the trainer copies the params */
        r.tp.progress_ctx = &r;
        rc = build(&r);
    }
    if (rc < 0) rc = train_and_report(&r);
    cleanup(&r);
    return rc;
}

const ds_subcommand ds_cmd_train = {&train_cmd, run_train};
