/* compare_run.h - the problems of `descent compare` and one run of one of
 * them (doc/compare.md lists the problems with their DeepOBS sources):
 * model problems go through `descent train`'s option code (train_opts.h),
 * so a run is the `descent train` run of the same setting; the 2-D ones
 * through ds_fn2d_trace (`descent trace`); quadratic_deep through its own
 * loop over the optimizer. A run with a state folder records its result
 * there, and a model run checkpoints at every epoch end and continues from
 * its checkpoint exactly. */
#ifndef DESCENT_CLI_COMPARE_RUN_H
#define DESCENT_CLI_COMPARE_RUN_H

#include "args.h"

#include "../report/compare.h"

enum { CMP_TINY, CMP_SMALL, CMP_MEDIUM, CMP_FULL, CMP_NBUDGETS };

typedef enum cmp_kind { CMP_MODEL, CMP_FN2D, CMP_QUAD } cmp_kind;

typedef struct cmp_problem_def {
    const char *name, *source;
    cmp_kind kind;
    const char *model; /* CMP_MODEL: the model spec (NULL: --model) */
    const char *fn;    /* CMP_FN2D: a function name or expression */
    double start[2];   /* CMP_FN2D: DeepOBS's starting point */
    int epochs[CMP_NBUDGETS];
    long rows[CMP_NBUDGETS]; /* CMP_MODEL on Fashion-MNIST: limit=N (0: all) */
    double optimum;          /* app_cmp_problem.optimum (CMP_QUAD: computed) */
    double deepobs[3];       /* app_cmp_problem.deepobs */
} cmp_problem_def;

/* The problems, ended by a NULL name. */
extern const cmp_problem_def cmp_problems[];

/* What every run of one problem shares. */
typedef struct cmp_setup {
    const cmp_problem_def *def;
    int epochs;
    const char *model; /* the model spec */
    char data[1024];   /* the data spec */
    long threads;
    const char *dir;    /* state folder, or NULL */
    char command[2048]; /* cmp_command */
} cmp_setup;

/* Fills s->command: the `descent train` / `descent trace` arguments (tab-separated) that
 * run the same setting as a run of s, less --opt and --seed (empty for
 * quadratic_deep, which only compare runs). */
void cmp_command(cmp_setup *s);

/* Runs spec (an optimizer spec without lr) at lr with seed, writing the
 * result to out (its curve allocated); id names the run's files in the
 * state folder. Returns -1, or the exit status after printing a message. */
int cmp_run(const cli_command *cmd, const cmp_setup *s, const char *spec, double lr, long seed,
            const char *id, app_cmp_run *out);

/* 1 and the recorded result in out if the state folder has run id
 * finished, else 0. */
int cmp_load_result(const char *dir, const char *id, app_cmp_run *out);

/* Records a finished run in the state folder; -1 or the exit status. */
int cmp_save_result(const cli_command *cmd, const char *dir, const char *id, const app_cmp_run *r);

/* The lowest test loss the problem admits (NaN: unknown). */
double cmp_optimum(const cmp_problem_def *d);

/* The optimizer spec with ":lr=X" or ",lr=X" appended, in buf. */
const char *cmp_spec_with_lr(const char *spec, double lr, char *buf, size_t size);

#endif
