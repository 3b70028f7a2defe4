/* compare_sched.h - who runs which of `descent compare`'s runs: one process
 * runs them in order; under mpirun rank 0 hands them out one at a time to
 * ranks 1..N-1 as each asks for work (dynamic assignment: a long run does
 * not hold up the short ones) and collects the results, which only it
 * records in the state folder. Runs already recorded there are read back,
 * not run. A progress line (runs done, left, time left) goes to stderr. */
#ifndef DESCENT_CLI_COMPARE_SCHED_H
#define DESCENT_CLI_COMPARE_SCHED_H

#include "compare_run.h"

#include <stdio.h>

typedef struct cmp_task {
    int p, o, slot; /* slot: grid index, or APP_CMP_MAX_GRID + seed */
    double lr;
    long seed;
} cmp_task;

typedef struct cmp_sched {
    const cli_command *cmd;
    app_cmp_study *s;
    const cmp_setup *set;
    const char *dir; /* state folder, or NULL */
    int done, total; /* runs, for the progress line (total estimated) */
    int ran;         /* runs run (not read back) by this study so far */
    double t0;       /* start, monotonic seconds */
    int parked;      /* rank 0: workers waiting for work */
    int waiting[1024];
} cmp_sched;

/* Runs the n tasks (rank 0 / one process); -1 or the exit status. */
int cmp_sched_phase(cmp_sched *x, const cmp_task *tasks, int n);

/* Ranks > 0: runs what rank 0 hands out until it says stop; -1 or status. */
int cmp_sched_worker(cmp_sched *x);

/* Rank 0, at the end: tells every worker to stop. -1 or the exit status. */
int cmp_sched_stop(cmp_sched *x);

/* The run a task fills. */
app_cmp_run *cmp_task_run(app_cmp_study *s, const cmp_task *t);

#endif
