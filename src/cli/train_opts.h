/* train_opts.h - the training options that `descent train`, `descent tune`
 * and `descent bench train` share: each option declared once (the
 * DS_TRAIN_ARG_* table entries, which name a cli_train_opts to fill), one
 * function that checks the values and turns them into model, optimizer and
 * training-loop params, and the loading of data, model and trainer from
 * them. The option names and messages are therefore the same in every
 * command ("descent CMD: --opt: adam: beta2 must be in [0, 1) (got 1.5)"). */
#ifndef DESCENT_CLI_TRAIN_OPTS_H
#define DESCENT_CLI_TRAIN_OPTS_H

#include "args.h"

#include "descent/train.h"

#include <limits.h>
#include <math.h>

/* An integer option that was not given. */
#define CLI_UNSET_L LONG_MIN

#define CLI_DEFAULT_MODEL "mlp:784-256-128-10"

/* The values as given. Not given: NULL, NaN (l2, val) or CLI_UNSET_L (seed,
 * epochs; threads in train, 0 = all cores elsewhere); a command with other
 * defaults than train's sets them first. */
/* The CSV options that add keys to a csv: data spec (label=, header=,
 * delimiter=, missing=); train, tune and eval take them. */
typedef struct cli_csv_opts {
    const char *label, *header, *delimiter, *missing;
} cli_csv_opts;

typedef struct cli_train_opts {
    const char *model, *act, *loss, *init, *data, *batch, *opt, *schedule, *unit, *precision;
    cli_csv_opts csv;
    const char *normalize;
    double l2, val;
    long seed, epochs, threads;
    const char *resume; /* the checkpoint's file, named in messages */
} cli_train_opts;

/* clang-format off */
#define CLI_TRAIN_OPTS_UNSET {.l2 = NAN, .val = NAN, .seed = CLI_UNSET_L, .epochs = CLI_UNSET_L, \
    .threads = CLI_UNSET_L}

/* Option-table entries; t is the cli_train_opts they fill. */
#define CLI_TRAIN_ARG_MODEL(t) {"model", CLI_ARG_STRING, &(t).model, "SPEC", \
    "mlp:N0-N1-...-NL (N0, NL may be auto), neuron, net:in=CxHxW|LAYER|... or 2c2d (default " CLI_DEFAULT_MODEL ")"}
#define CLI_TRAIN_ARG_ACT(t) {"act", CLI_ARG_STRING, &(t).act, "A", \
    "hidden activation: relu (default), sigmoid, tanh"}
#define CLI_TRAIN_ARG_LOSS(t) {"loss", CLI_ARG_STRING, &(t).loss, "L", \
    "xent (default for mlp), mse, sse (default for neuron)"}
#define CLI_TRAIN_ARG_L2(t) {"l2", CLI_ARG_DOUBLE, &(t).l2, "LAMBDA", \
    "add lambda/(2m) sum ||W||^2 to the cost (default 0)"}
#define CLI_TRAIN_ARG_INIT(t) {"init", CLI_ARG_STRING, &(t).init, "I", \
    "default (He/Xavier), he, xavier, zeros, const:V"}
#define CLI_TRAIN_ARG_SEED(t) {"seed", CLI_ARG_INT, &(t).seed, "N", \
    "seed of weights, split and shuffles (default 0)"}
#define CLI_TRAIN_ARG_DATA(t) {"data", CLI_ARG_STRING, &(t).data, "SPEC", \
    "fashion-mnist (default), idx:IMAGES,LABELS, csv:PATH, toy, sparse, blobs, linear"}
#define CLI_TRAIN_ARG_BATCH(t) {"batch", CLI_ARG_STRING, &(t).batch, "N|full", \
    "mini-batch size; 1 = SGD (default 64)"}
#define CLI_TRAIN_ARG_SCHEDULE(t) {"schedule", CLI_ARG_STRING, &(t).schedule, "S", \
    "learning-rate schedule (default constant)"}
#define CLI_TRAIN_ARG_UNIT(t) {"schedule-unit", CLI_ARG_STRING, &(t).unit, "U", \
    "schedule counts epoch (default) or step"}
#define CLI_TRAIN_ARG_PRECISION(t) {"precision", CLI_ARG_STRING, &(t).precision, "P", \
    "products in fp32 (default) or bf16 (oneDNN, CPU with AVX512_BF16 or AMX)"}
#define CLI_TRAIN_ARG_THREADS(t) {"threads", CLI_ARG_INT, &(t).threads, "N", \
    "threads (default 0: all cores)"}
/* The options of a csv: data spec; c is the cli_csv_opts they fill. */
#define CLI_CSV_ARGS(c) {"label-column", CLI_ARG_STRING, &(c).label, "NAME|INDEX", \
    "csv: the label column (default: 'label' if the header has it, else the last)"}, \
    {"header", CLI_ARG_STRING, &(c).header, "auto|yes|no", "csv: row 1 holds names (default auto)"}, \
    {"delimiter", CLI_ARG_STRING, &(c).delimiter, "D", \
    "csv: auto (default), comma, semicolon or tab"}, \
    {"missing", CLI_ARG_STRING, &(c).missing, "WHAT", \
    "csv: empty, NA and ? fields: refuse (default), mean (fill) or drop (the row)"}
#define CLI_TRAIN_ARG_NORMALIZE(t) {"normalize", CLI_ARG_STRING, &(t).normalize, "N", \
    "scale features, learned on the training split: none (default), standard, minmax"}
/* The model options in the order train and tune list them. */
#define CLI_TRAIN_ARGS_MODEL(t) CLI_TRAIN_ARG_MODEL(t), CLI_TRAIN_ARG_ACT(t), CLI_TRAIN_ARG_LOSS(t), \
    CLI_TRAIN_ARG_L2(t), CLI_TRAIN_ARG_INIT(t), CLI_TRAIN_ARG_SEED(t), CLI_TRAIN_ARG_DATA(t), \
    CLI_CSV_ARGS((t).csv), CLI_TRAIN_ARG_NORMALIZE(t)
/* clang-format on */

/* A training run: the params from the options, then what they load. */
typedef struct cli_train_job {
    const char *model_spec; /* --model, else CLI_DEFAULT_MODEL */
    const char *model_desc; /* without --model: the checkpoint's model, or NULL */
    const char *data_spec;
    char data_given[4096]; /* --data (or the recorded spec) with the CSV options' keys */
    char data_abs[4096];   /* data_spec with its file paths absolute, as recorded */
    ds_norm norm;          /* --normalize, else the checkpoint's */
    const ds_ckpt *ck;     /* the --resume checkpoint (borrowed), or NULL */
    double val;            /* validation share, [0, 1) */
    ds_model_params mp;
    ds_opt_params op;
    ds_train_params tp;
    /* filled by cli_train_job_load and cli_train_job_build */
    ds_data data;
    ds_dataset *tr, *va; /* the split, when val > 0 */
    ds_prep *prep;       /* learned on the training split (or the checkpoint's) */
    ds_model *m;
    ds_trainer *t;
} cli_train_job;

/* Checks the options and fills job's params: each value from t, else from
 * the checkpoint ck (NULL: none), else `descent train`'s default. A value
 * the checkpoint fixes (model, act, loss, l2, init, seed, data, batch, opt,
 * schedule, unit, val) given with another value than the recorded one is
 * refused, naming both. Returns -1, or prints "descent CMD: --OPTION ..."
 * and returns CLI_EXIT_USAGE. */
int cli_train_opts_resolve(const cli_command *cmd, const cli_train_opts *t, const ds_ckpt *ck,
                           cli_train_job *job);

/* spec with the keys of the CSV options given appended (",label=NAME");
 * refused unless spec is csv:. -1 or the exit status after a message. */
int cli_csv_spec(const cli_command *cmd, const cli_csv_opts *c, const char *spec, char *out,
                 size_t size);

/* Loads the data, splits off the validation share (job->va), learns the
 * preprocessing on the training part (or takes the checkpoint's) and
 * applies it to every set; -1 or the exit status after printing the
 * library's message. */
int cli_train_job_load(const cli_command *cmd, cli_train_job *job);

/* The validation split of job->data as cli_train_job_load makes it, for a
 * caller that loaded job->data itself (`descent compare` loads a data set
 * once for all its runs); -1 or the exit status after the message. */
int cli_train_job_split(const cli_command *cmd, cli_train_job *job);

/* The data set to train on: the split's training part, else the whole. */
const ds_dataset *cli_train_job_train_set(const cli_train_job *job);

/* Builds the model (auto sizes from the data) and the trainer (with
 * job->tp as it is now, recording job->prep) on the loaded data; -1 or the
 * exit status after printing the message. */
int cli_train_job_build(const cli_command *cmd, cli_train_job *job);

/* Frees what load and build made (safe on a zeroed or partial job). */
void cli_train_job_free(cli_train_job *job);

/* On resume: -1 if `same`, else prints "descent CMD: --OPTION GIVEN differs
 * from FILE, which recorded RECORDED ..." and returns CLI_EXIT_USAGE. */
int cli_pinned(const cli_command *cmd, const cli_train_opts *t, const char *option, int same,
               const char *recorded, const char *given);
int cli_pinned_f64(const cli_command *cmd, const cli_train_opts *t, const char *option,
                   const ds_ckpt *ck, const char *name, double given);
int cli_pinned_i64(const cli_command *cmd, const cli_train_opts *t, const char *option,
                   const ds_ckpt *ck, const char *name, long given); /* given: CLI_UNSET_L */

/* path made absolute, its folder resolved (so a checkpoint records where
 * its files are, one spelling for one file); kept as it is if its folder
 * does not exist or it does not fit. */
void cli_absolute_path(const char *path, char *out, size_t size);

/* A value recorded in the checkpoint ck (NULL: none), else dflt. */
double cli_ck_f64(const ds_ckpt *ck, const char *name, double dflt);
long cli_ck_i64(const ds_ckpt *ck, const char *name, long dflt);

#endif
