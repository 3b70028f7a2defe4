/* compare_sched.c - running `descent compare`'s runs here or on the other
 * MPI ranks (compare_sched.h). Messages are arrays of doubles
 * (ds_dist_send_f64): a task is (p, o, slot, lr, seed); a result is the
 * task followed by diverged, rank_loss, test_loss, test_acc, train_loss,
 * nepochs and the curve. A worker's first message, and each result, asks
 * for the next task. */
#include "compare_sched.h"

#include "descent/dist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_READY = 1, TAG_RESULT, TAG_TASK, TAG_STOP };
#define HEAD    11
#define MAX_MSG (HEAD + 100000)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

app_cmp_run *cmp_task_run(app_cmp_study *s, const cmp_task *t)
{
    app_cmp_cell *c = &s->cell[t->p][t->o];
    return t->slot < APP_CMP_MAX_GRID ? &c->grid[t->slot] : &c->seeds[t->slot - APP_CMP_MAX_GRID];
}

static void task_id(const app_cmp_study *s, const cmp_task *t, char *id, size_t size)
{
    if (t->slot < APP_CMP_MAX_GRID)
        snprintf(id, size, "%s-o%d-g%d", s->prob[t->p].name, t->o, t->slot);
    else
        snprintf(id, size, "%s-o%d-s%ld", s->prob[t->p].name, t->o, t->seed);
}

/* "runs done / left, time left": redrawn in place on a terminal, else a
 * line at every tenth of the runs (logs stay short). The time left is the
 * mean time of the runs this process saw run, per worker. */
static void progress(cmp_sched *x)
{
    int left = x->total > x->done ? x->total - x->done : 0;
    int workers = ds_dist_size() > 1 ? ds_dist_size() - 1 : 1;
    double per = x->ran ? (now() - x->t0) / x->ran : NAN, eta = per * left / workers;
    int tty = isatty(fileno(stderr)), step = x->total / 10 > 1 ? x->total / 10 : 1;
    if (!tty && x->done % step != 0 && left) return;
    fprintf(stderr, "%sdescent compare: %d runs done, %d left", tty ? "\r\033[K" : "", x->done,
            left);
    if (isfinite(eta)) fprintf(stderr, ", about %.0f s left", eta);
    fputs(tty && left ? "" : "\n", stderr);
    fflush(stderr);
}

/* A finished run: recorded in the state folder, counted. */
static int finished(cmp_sched *x, const cmp_task *t, const app_cmp_run *r, int ran)
{
    char id[256];
    task_id(x->s, t, id, sizeof id);
    *cmp_task_run(x->s, t) = *r;
    cmp_task_run(x->s, t)->done = 1;
    x->done++, x->ran += ran;
    progress(x);
    return ran ? cmp_save_result(x->cmd, x->dir, id, r) : -1;
}

static int run_here(cmp_sched *x, const cmp_task *t, app_cmp_run *r)
{
    char id[256];
    task_id(x->s, t, id, sizeof id);
    return cmp_run(x->cmd, &x->set[t->p], x->s->opt[t->o], t->lr, t->seed, id, r);
}

/* ---- rank 0 ---- */

static int send_task(const cmp_task *t, int to)
{
    double m[5] = {t->p, t->o, t->slot, t->lr, (double)t->seed};
    return ds_dist_send_f64(m, 5, to, TAG_TASK) == DS_OK ? -1 : CLI_EXIT_FAIL;
}

/* Reads a result message into t and r (r's curve allocated). */
static int unpack(const double *m, size_t n, cmp_task *t, app_cmp_run *r)
{
    *t = (cmp_task){
        .p = (int)m[0], .o = (int)m[1], .slot = (int)m[2], .lr = m[3], .seed = (long)m[4]};
    *r = (app_cmp_run){.lr = m[3],
                       .seed = (long)m[4],
                       .diverged = (int)m[5],
                       .rank_loss = m[6],
                       .test_loss = m[7],
                       .test_acc = m[8],
                       .train_loss = m[9],
                       .nepochs = (int)m[10]};
    if (n != HEAD + (size_t)r->nepochs) return 0;
    r->curve = malloc(sizeof(double) * (size_t)(r->nepochs + 1));
    if (r->curve) memcpy(r->curve, m + HEAD, sizeof(double) * (size_t)r->nepochs);
    return r->curve != NULL;
}

/* Waits for one message; a result is recorded; the sender wants work. */
static int hear(cmp_sched *x, double *m, int *from, int *active)
{
    int tag;
    size_t n;
    if (ds_dist_recv_f64(m, MAX_MSG, -1, from, &tag, &n) != DS_OK)
        return cli_lib_error(x->cmd, CLI_EXIT_FAIL);
    if (tag != TAG_RESULT) return -1;
    cmp_task t;
    app_cmp_run r;
    if (!unpack(m, n, &t, &r))
        return cli_usage_error(x->cmd, "rank %d sent a malformed result", *from), CLI_EXIT_FAIL;
    (*active)--;
    return finished(x, &t, &r, 1);
}

static int phase_mpi(cmp_sched *x, const cmp_task *todo, int n)
{
    double *m = malloc(sizeof(double) * MAX_MSG);
    int i = 0, active = 0, rc = m ? -1 : CLI_EXIT_FAIL;
    while (rc < 0 && i < n && x->parked > 0) /* workers left waiting by the last phase */
        if ((rc = send_task(&todo[i++], x->waiting[--x->parked])) < 0) active++;
    while (rc < 0 && (i < n || active > 0)) {
        int from;
        if ((rc = hear(x, m, &from, &active)) >= 0) break;
        if (i < n && (rc = send_task(&todo[i++], from)) < 0)
            active++;
        else if (rc < 0)
            x->waiting[x->parked++] = from;
    }
    free(m);
    return rc;
}

int cmp_sched_phase(cmp_sched *x, const cmp_task *tasks, int n)
{
    cmp_task *todo = malloc(sizeof *todo * (size_t)(n + 1));
    int k = 0, rc = todo ? -1 : CLI_EXIT_FAIL;
    for (int i = 0; rc < 0 && i < n; i++) {
        char id[256];
        app_cmp_run r;
        task_id(x->s, &tasks[i], id, sizeof id);
        if (cmp_load_result(x->dir, id, &r))
            rc = finished(x, &tasks[i], &r, 0);
        else if (ds_dist_size() > 1)
            todo[k++] = tasks[i];
        else if ((rc = run_here(x, &tasks[i], &r)) < 0)
            rc = finished(x, &tasks[i], &r, 1);
        else
            free(r.curve); /* a failed run's */
    }
    if (rc < 0 && k) rc = phase_mpi(x, todo, k);
    free(todo);
    return rc;
}

int cmp_sched_stop(cmp_sched *x)
{
    if (ds_dist_size() < 2) return -1;
    double *m = calloc(MAX_MSG, sizeof(double));
    int from, active = 0, rc = m ? -1 : CLI_EXIT_FAIL;
    while (rc < 0 && x->parked < ds_dist_size() - 1) /* a worker not heard from yet */
        if ((rc = hear(x, m, &from, &active)) < 0) x->waiting[x->parked++] = from;
    for (int i = 0; rc < 0 && i < x->parked; i++)
        if (ds_dist_send_f64(m, 0, x->waiting[i], TAG_STOP) != DS_OK)
            rc = cli_lib_error(x->cmd, CLI_EXIT_FAIL);
    free(m);
    return rc;
}

/* ---- ranks > 0 ---- */

static int send_result(const cmp_task *t, const app_cmp_run *r, double *m)
{
    double head[HEAD] = {t->p,        t->o,         t->slot,      t->lr,       (double)t->seed,
                         r->diverged, r->rank_loss, r->test_loss, r->test_acc, r->train_loss,
                         r->nepochs};
    memcpy(m, head, sizeof head);
    memcpy(m + HEAD, r->curve, sizeof(double) * (size_t)r->nepochs);
    return ds_dist_send_f64(m, HEAD + (size_t)r->nepochs, 0, TAG_RESULT) == DS_OK ? -1
                                                                                  : CLI_EXIT_FAIL;
}

int cmp_sched_worker(cmp_sched *x)
{
    double *m = malloc(sizeof(double) * MAX_MSG), none = 0;
    int rc = m && ds_dist_send_f64(&none, 0, 0, TAG_READY) == DS_OK ? -1 : CLI_EXIT_FAIL;
    while (rc < 0) {
        int tag;
        if (ds_dist_recv_f64(m, MAX_MSG, 0, NULL, &tag, NULL) != DS_OK) {
            rc = cli_lib_error(x->cmd, CLI_EXIT_FAIL);
            break;
        }
        if (tag == TAG_STOP) break;
        cmp_task t = {
            .p = (int)m[0], .o = (int)m[1], .slot = (int)m[2], .lr = m[3], .seed = (long)m[4]};
        app_cmp_run r;
        if ((rc = run_here(x, &t, &r)) < 0) rc = send_result(&t, &r, m);
        free(r.curve);
    }
    free(m);
    return rc;
}
