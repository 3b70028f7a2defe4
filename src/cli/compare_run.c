/* compare_run.c - the problems of `descent compare` and one run of one of
 * them (compare_run.h). Definitions follow DeepOBS (Schneider, Balles and
 * Hennig 2019; github.com/fsschneider/DeepOBS, deepobs/tensorflow/
 * testproblems and datasets), read and written anew here:
 *  - quadratic_deep: 0.5 (theta - x)^T Q (theta - x), theta in R^100 from
 *    ones, Q = R^T diag(lambda) R with 90 eigenvalues from U(0, 1) and 10
 *    from U(30, 60) and R a random rotation, all fixed by one seed; the
 *    "data" x are 1000 fixed draws of N(0, 0.6^2) per coordinate, batches
 *    of 128 (7 per epoch, the remainder dropped). The test loss is the
 *    expectation over x: 0.5 theta^T Q theta + 0.5 * 0.36 * trace(Q).
 *  - two_d_rosenbrock, two_d_beale, two_d_branin: f(u, v) + u x + v y with
 *    x, y ~ N(0, 1) per example, batches of 128: the gradient of a batch is
 *    grad f plus N(0, 1/128) per component (ds_fn2d_noisy with sigma =
 *    1/sqrt(128)); 10000 examples, so 78 steps an epoch; starts (-0.5, 1.5),
 *    (-4.5, 4.5), (2.5, 12.5). The test loss is f (the noise-free function)
 *    at the last point.
 *  - fmnist_logreg (mlp:784-10, softmax regression), fmnist_mlp
 *    (784-1000-500-100-10, ReLU), fmnist_2c2d (the 2c2d preset: conv 32 5x5,
 *    pool, conv 64 5x5, pool, dense 1024, dense 10; not in the default list,
 *    it costs 40x fmnist_mlp's FLOPs), batch 128, on Fashion-MNIST. */
#include "compare_run.h"
#include "outputs.h"
#include "train_opts.h"

#include "descent/functions.h"
#include "descent/optim.h"
#include "descent/rng.h"
#include "descent/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH         128
#define FN2D_STEPS    78 /* 10000 / 128 */
#define QUAD_DIM      100
#define QUAD_ROWS     1000
#define QUAD_STEPS    7 /* 1000 / 128 */
#define QUAD_NOISE    0.6
#define DIVERGE_ABOVE 1e12

/* Branin's function as an expression (DeepOBS's constants: a = 1,
 * b = 5.1 / (4 pi^2), c = 5 / pi, r = 6, s = 10, t = 1 / (8 pi)). */
#define BRANIN                                                                                     \
    "(y - 0.12918450914398066*x^2 + 1.5915494309189535*x - 6)^2 + "                                \
    "9.6021126422702618*cos(x) + 10"

/* clang-format off */
const cmp_problem_def cmp_problems[] = {
    /* published: Schmidt, Schneider and Hennig 2021 ("Descending through a
     * Crowded Valley"), one-shot runs at 100 epochs, batch 128, final test
     * loss (github.com/SirRob1997/Crowded-Valley---Results, results/oneshot/
     * none/quadratic_deep/): GradientDescentOptimizer lr 0.01 seed 42,
     * MomentumOptimizer lr 0.01 momentum 0.99 seed 42, AdamOptimizer lr
     * 0.001 seed 43 */
    {.name = "quadratic_deep", .source = "DeepOBS quadratic_deep", .kind = CMP_QUAD,
     .epochs = {2, 20, 50, 100}, .deepobs = {87.29281507219586, 87.36469050816127,
                                             106.63946642194476}},
    {.name = "rosenbrock", .source = "DeepOBS two_d_rosenbrock", .kind = CMP_FN2D,
     .fn = "rosenbrock", .start = {-0.5, 1.5}, .optimum = 0, .epochs = {2, 20, 50, 100},
     .deepobs = {NAN, NAN, NAN}},
    {.name = "beale", .source = "DeepOBS two_d_beale", .kind = CMP_FN2D, .fn = "beale",
     .start = {-4.5, 4.5}, .optimum = 0, .epochs = {2, 20, 50, 100}, .deepobs = {NAN, NAN, NAN}},
    {.name = "branin", .source = "DeepOBS two_d_branin", .kind = CMP_FN2D, .fn = BRANIN,
     .start = {2.5, 12.5}, .optimum = 0.39788735772973816, .epochs = {2, 20, 50, 100}, .deepobs = {NAN, NAN, NAN}},
    {.name = "fmnist_logreg", .source = "DeepOBS fmnist_logreg", .kind = CMP_MODEL,
     .optimum = NAN, .model = "mlp:784-10", .epochs = {1, 3, 10, 20}, .rows = {600, 20000, 60000, 0},
     .deepobs = {NAN, NAN, NAN}},
    {.name = "fmnist_mlp", .source = "DeepOBS fmnist_mlp", .kind = CMP_MODEL,
     .optimum = NAN, .model = "mlp:784-1000-500-100-10", .epochs = {1, 2, 10, 100},
     .rows = {300, 6000, 20000, 0}, .deepobs = {NAN, NAN, NAN}},
    {.name = "fmnist_2c2d", .source = "DeepOBS fmnist_2c2d", .kind = CMP_MODEL,
     .optimum = NAN, .model = "2c2d", .epochs = {1, 1, 5, 100},
     .rows = {300, 3000, 20000, 0}, .deepobs = {NAN, NAN, NAN}},
    {.name = "custom", .source = "--model and --data", .kind = CMP_MODEL, .optimum = NAN,
     .epochs = {2, 5, 10, 20}, .deepobs = {NAN, NAN, NAN}},
    {.name = NULL},
};
/* clang-format on */

const char *cmp_spec_with_lr(const char *spec, double lr, char *buf, size_t size)
{
    snprintf(buf, size, "%s%slr=%.17g", spec, strchr(spec, ':') ? "," : ":", lr);
    return buf;
}

void cmp_command(cmp_setup *s)
{
    const cmp_problem_def *d = s->def;
    if (d->kind == CMP_MODEL)
        snprintf(
            s->command, sizeof s->command,
            "train\t--model\t%s\t--data\t%s\t--val\t0.1\t--batch\t%d\t--epochs\t%d\t--threads\t%ld",
            s->model, s->data, BATCH, s->epochs, s->threads);
    else if (d->kind == CMP_FN2D)
        snprintf(s->command, sizeof s->command,
                 "trace\t--fn\t%s\t--noise\t%.17g\t--start\t%.17g,%.17g\t--steps\t%ld", d->fn,
                 1 / sqrt(BATCH), d->start[0], d->start[1], (long)s->epochs * FN2D_STEPS);
    else
        s->command[0] = '\0';
}

/* ---- results in the state folder ----------------------------------- */

static void path_of(char *buf, size_t size, const char *dir, const char *id, const char *ext)
{
    snprintf(buf, size, "%s/%s.%s", dir, id, ext);
}

int cmp_save_result(const cli_command *cmd, const char *dir, const char *id, const app_cmp_run *r)
{
    if (!dir) return -1;
    char path[4200];
    path_of(path, sizeof path, dir, id, "run");
    ds_strbuf b = {0};
    ds_strbuf_printf(&b, "%.17g %ld %d %.17g %.17g %.17g %.17g %d", r->lr, r->seed, r->diverged,
                     r->rank_loss, r->test_loss, r->test_acc, r->train_loss, r->nepochs);
    for (int e = 0; e < r->nepochs; e++)
        ds_strbuf_printf(&b, " %.17g", r->curve[e]);
    ds_strbuf_puts(&b, "\n");
    ds_status st = cli_save(&b, path);
    ds_strbuf_free(&b);
    return st == DS_OK ? -1 : cli_lib_error(cmd, CLI_EXIT_FAIL);
}

int cmp_load_result(const char *dir, const char *id, app_cmp_run *out)
{
    char path[4200];
    if (!dir) return 0;
    path_of(path, sizeof path, dir, id, "run");
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    app_cmp_run r = {0};
    int ok = fscanf(f, "%lf %ld %d %lf %lf %lf %lf %d", &r.lr, &r.seed, &r.diverged, &r.rank_loss,
                    &r.test_loss, &r.test_acc, &r.train_loss, &r.nepochs) == 8 &&
             r.nepochs >= 0 && r.nepochs <= 100000;
    if (ok && r.nepochs > 0) ok = (r.curve = malloc(sizeof(double) * (size_t)r.nepochs)) != NULL;
    for (int e = 0; ok && e < r.nepochs; e++)
        ok = fscanf(f, "%lf", &r.curve[e]) == 1;
    fclose(f);
    if (!ok) { /* a torn or foreign file: run it again */
        free(r.curve);
        return 0;
    }
    r.done = 1;
    *out = r;
    return 1;
}

/* ---- the 2-D problems ------------------------------------------------ */

/* Mean loss of each epoch's steps (rows 0 .. steps-1: the loss where each
 * step's gradient was taken), into r->curve. */
static int epoch_means(const double *rows, long nrows, int epochs, int per_epoch, app_cmp_run *r)
{
    r->curve = calloc((size_t)epochs, sizeof(double));
    if (!r->curve) return 0;
    for (int e = 0; e < epochs && (long)(e + 1) * per_epoch < nrows; e++) {
        for (int k = 0; k < per_epoch; k++)
            r->curve[e] += rows[3 * (e * per_epoch + k) + 2];
        r->curve[e] /= per_epoch;
        r->nepochs = e + 1;
    }
    return 1;
}

static int run_fn2d(const cli_command *cmd, const cmp_setup *s, const ds_opt_params *op, long seed,
                    app_cmp_run *r)
{
    const ds_fn2d *base = NULL;
    ds_fn2d *f = NULL;
    long steps = (long)s->epochs * FN2D_STEPS, nrows = 0;
    double *rows = malloc(sizeof(double) * 3 * (size_t)(steps + 1));
    ds_status st = rows ? ds_fn2d_parse(s->def->fn, &base) : DS_ERR_NOMEM;
    if (st == DS_OK) st = ds_fn2d_noisy(base, 1 / sqrt(BATCH), (uint64_t)seed, &f);
    if (st == DS_OK)
        st = ds_fn2d_trace(f, op, NULL, s->def->start[0], s->def->start[1], steps, rows, &nrows);
    r->diverged = st == DS_ERR_NONFINITE;
    if (r->diverged) st = DS_OK;
    if (st == DS_OK && !epoch_means(rows, nrows, s->epochs, FN2D_STEPS, r)) st = DS_ERR_NOMEM;
    if (st == DS_OK && !r->diverged) {
        r->test_loss = r->rank_loss = rows[3 * steps + 2];
        r->train_loss = r->curve[r->nepochs - 1];
    }
    free(rows);
    ds_fn2d_free(f);
    ds_fn2d_free(base);
    return st == DS_OK ? -1 : cli_lib_error(cmd, CLI_EXIT_FAIL);
}

/* ---- quadratic_deep ---------------------------------------------------- */

typedef struct quad {
    double q[QUAD_DIM * QUAD_DIM]; /* the Hessian */
    double trace;
    float x[QUAD_ROWS * QUAD_DIM]; /* the data */
} quad;

/* Orthonormalises the rows of a (n x n, Gaussian) by modified Gram-Schmidt:
 * a random rotation (up to the sign of the determinant, which Q = R^T D R
 * does not see), Haar-distributed (Mezzadri 2007, without the sign fix of
 * the diagonal, which a symmetric Q does not see either). */
static void orthonormalise(double *a, int n)
{
    for (int i = 0; i < n; i++) {
        double *ri = a + (size_t)i * n;
        for (int j = 0; j < i; j++) {
            const double *rj = a + (size_t)j * n;
            double d = 0;
            for (int k = 0; k < n; k++)
                d += ri[k] * rj[k];
            for (int k = 0; k < n; k++)
                ri[k] -= d * rj[k];
        }
        double norm = 0;
        for (int k = 0; k < n; k++)
            norm += ri[k] * ri[k];
        norm = sqrt(norm);
        for (int k = 0; k < n; k++)
            ri[k] /= norm;
    }
}

/* The problem, built once: eigenvalues, rotation and data from fixed seeds
 * (properties of the problem, not of a run). */
static const quad *quad_problem(void)
{
    static quad *qp;
    if (qp) return qp;
    quad *p = malloc(sizeof *p);
    double *r = malloc(sizeof(double) * QUAD_DIM * QUAD_DIM);
    if (!p || !r) return free(p), free(r), NULL;
    ds_rng g = ds_rng_seed(42);
    double lambda[QUAD_DIM];
    for (int i = 0; i < QUAD_DIM; i++)
        lambda[i] = i < 90 ? ds_rng_uniform(&g) : 30 + 30 * ds_rng_uniform(&g);
    for (int i = 0; i < QUAD_DIM * QUAD_DIM; i++)
        r[i] = ds_rng_normal(&g);
    orthonormalise(r, QUAD_DIM);
    p->trace = 0;
    for (int i = 0; i < QUAD_DIM; i++) {
        p->trace += lambda[i];
        for (int j = 0; j < QUAD_DIM; j++) {
            double s = 0;
            for (int k = 0; k < QUAD_DIM; k++)
                s += r[k * QUAD_DIM + i] * lambda[k] * r[k * QUAD_DIM + j];
            p->q[i * QUAD_DIM + j] = s;
        }
    }
    ds_rng d = ds_rng_seed(43);
    for (int i = 0; i < QUAD_ROWS * QUAD_DIM; i++)
        p->x[i] = (float)(QUAD_NOISE * ds_rng_normal(&d));
    free(r);
    return qp = p;
}

double cmp_optimum(const cmp_problem_def *d)
{
    if (d->kind != CMP_QUAD) return d->optimum;
    const quad *p = quad_problem();
    return p ? 0.5 * QUAD_NOISE * QUAD_NOISE * p->trace : NAN;
}

typedef struct quad_step {
    const quad *p;
    const uint32_t *rows; /* the batch */
    float *theta, *grad;
} quad_step;

/* 0.5 d^T Q d for d = theta - xbar... per example: the batch mean of
 * 0.5 (theta - x_b)^T Q (theta - x_b); gradient Q (theta - mean x_b). */
static ds_status quad_objective(void *ctx, int need_grad, double *loss)
{
    const quad_step *s = ctx;
    double mean[QUAD_DIM] = {0}, total = 0;
    for (int b = 0; b < BATCH; b++) {
        const float *x = s->p->x + (size_t)s->rows[b] * QUAD_DIM;
        double d[QUAD_DIM];
        for (int i = 0; i < QUAD_DIM; i++)
            d[i] = (double)s->theta[i] - x[i], mean[i] += d[i];
        for (int i = 0; i < QUAD_DIM; i++) {
            double qd = 0;
            for (int j = 0; j < QUAD_DIM; j++)
                qd += s->p->q[i * QUAD_DIM + j] * d[j];
            total += 0.5 * d[i] * qd;
        }
    }
    *loss = total / BATCH;
    for (int i = 0; need_grad && i < QUAD_DIM; i++) {
        double g = 0;
        for (int j = 0; j < QUAD_DIM; j++)
            g += s->p->q[i * QUAD_DIM + j] * mean[j] / BATCH;
        s->grad[i] = (float)g;
    }
    return DS_OK;
}

/* Expected loss over the data distribution at theta. */
static double quad_test_loss(const quad *p, const float *theta)
{
    double v = 0;
    for (int i = 0; i < QUAD_DIM; i++)
        for (int j = 0; j < QUAD_DIM; j++)
            v += theta[i] * p->q[i * QUAD_DIM + j] * theta[j];
    return 0.5 * v + 0.5 * QUAD_NOISE * QUAD_NOISE * p->trace;
}

/* One epoch: a seeded shuffle of the rows, QUAD_STEPS batches; its mean
 * loss in *mean. Not finite or above DIVERGE_ABOVE: diverged (returns 1). */
static int quad_epoch(ds_optim *opt, quad_step *s, long seed, int epoch, double *mean)
{
    uint32_t idx[QUAD_ROWS];
    for (uint32_t i = 0; i < QUAD_ROWS; i++)
        idx[i] = i;
    ds_rng g = ds_rng_seed((uint64_t)seed * 1000003u + (uint64_t)epoch);
    ds_rng_shuffle(&g, idx, QUAD_ROWS);
    *mean = 0;
    for (int k = 0; k < QUAD_STEPS; k++) {
        double loss = NAN;
        s->rows = idx + k * BATCH;
        if (ds_optim_step_fn(opt, quad_objective, s, &loss) != DS_OK || !(loss < DIVERGE_ABOVE))
            return 1;
        *mean += loss / QUAD_STEPS;
    }
    for (int i = 0; i < QUAD_DIM; i++)
        if (!isfinite(s->theta[i])) return 1;
    return 0;
}

static int run_quad(const cli_command *cmd, const cmp_setup *s, const ds_opt_params *op, long seed,
                    app_cmp_run *r)
{
    float theta[QUAD_DIM], grad[QUAD_DIM];
    for (int i = 0; i < QUAD_DIM; i++)
        theta[i] = 1.0f;
    quad_step st = {.p = quad_problem(), .theta = theta, .grad = grad};
    ds_param_group grp = {.x = theta, .g = grad, .n = QUAD_DIM, .params = NULL};
    r->curve = calloc((size_t)s->epochs, sizeof(double));
    ds_optim *opt = st.p && r->curve ? ds_optim_init(op, &grp, 1) : NULL;
    if (!opt) return cli_lib_error(cmd, CLI_EXIT_FAIL);
    ds_optim_set_threads(opt, 1);
    for (int e = 0; e < s->epochs && !r->diverged; e++) {
        r->diverged = quad_epoch(opt, &st, seed, e, &r->curve[e]);
        if (!r->diverged) r->nepochs = e + 1;
    }
    ds_optim_free(opt);
    if (!r->diverged) {
        r->test_loss = r->rank_loss = quad_test_loss(st.p, theta);
        r->train_loss = r->curve[r->nepochs - 1];
    }
    return -1;
}

/* ---- model problems ---------------------------------------------------- */

typedef struct model_run {
    app_cmp_run *r;
    int capacity;
    const char *dir, *id;
    const char *ckpt; /* the run's checkpoint, or NULL */
    ds_trainer *t;
    int failed; /* a save failed: the run stopped (DS_ERR_INTERRUPTED) */
} model_run;

/* The curve so far, written before the checkpoint: a kill between the two
 * leaves a curve one epoch ahead of the checkpoint, never behind. */
static ds_status save_curve(const model_run *m)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.curve", m->dir, m->id);
    ds_strbuf b = {0};
    ds_strbuf_printf(&b, "%d", m->r->nepochs);
    for (int e = 0; e < m->r->nepochs; e++)
        ds_strbuf_printf(&b, " %.17g", m->r->curve[e]);
    ds_strbuf_puts(&b, "\n");
    ds_status st = cli_save(&b, path);
    ds_strbuf_free(&b);
    return st;
}

/* At an epoch end: the curve grows; with a state folder, the curve and the
 * checkpoint are saved, except after the last epoch (the run's result file
 * follows), so a resumed run always has an epoch left to train and the
 * trainer's last-epoch statistics come from that training. */
static int on_progress(void *ctx, const ds_train_progress *p)
{
    model_run *m = ctx;
    if (!p->epoch_end || m->r->nepochs >= m->capacity) return 0;
    m->r->curve[m->r->nepochs++] = p->train_loss;
    if (!m->ckpt || p->epoch >= p->epochs) return 0;
    m->failed = save_curve(m) != DS_OK || ds_trainer_save(m->t, m->ckpt) != DS_OK;
    return m->failed;
}

/* Continues from the run's checkpoint, if the state folder has one, with
 * the curve of the epochs it holds. */
static ds_status resume_model(const model_run *m)
{
    if (!m->ckpt || access(m->ckpt, F_OK) != 0) return DS_OK;
    ds_status st = ds_trainer_resume(m->t, m->ckpt);
    int64_t done = ds_trainer_epoch(m->t);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.curve", m->dir, m->id);
    FILE *f = st == DS_OK ? fopen(path, "r") : NULL;
    int n = -1;
    if (f && (fscanf(f, "%d", &n) != 1 || n < done || done >= m->capacity)) n = -1;
    for (int e = 0; n >= 0 && e < done; e++)
        if (fscanf(f, "%lf", &m->r->curve[e]) != 1) n = -1;
    if (f) fclose(f);
    if (st == DS_OK && n < 0)
        return ds_set_error(DS_ERR_FORMAT, "%s: its curve file %s is missing or short", m->ckpt,
                            path);
    m->r->nepochs = (int)done;
    return st;
}

static void model_results(cli_train_job *job, app_cmp_run *r)
{
    ds_train_progress last = ds_trainer_last_epoch(job->t);
    r->train_loss = last.train_loss;
    r->rank_loss = last.val_loss;
    const ds_dataset *test = job->data.test ? job->data.test : job->va;
    if (test && ds_trainer_evaluate(job->t, test, &r->test_loss, &r->test_acc) != DS_OK)
        r->diverged = 1;
    if (!isfinite(r->train_loss) || !isfinite(r->rank_loss)) r->diverged = 1;
}

/* 1 if spec names files (a generator's rows depend on the seed instead). */
static int from_files(const char *spec)
{
    static const char *const forms[] = {"fashion-mnist", "idx:", "csv:", "stream:"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strncmp(spec, forms[i], strlen(forms[i])) == 0) return 1;
    return 0;
}

/* The data of a model problem, loaded once for all its runs when it comes
 * from files (each run splits off its own validation share by its seed);
 * a generator's, whose rows follow the seed, once per seed in a row. */
static int shared_data(const cli_command *cmd, cli_train_job *job)
{
    static char spec[1024];
    static uint64_t seed;
    static ds_data data;
    uint64_t want = from_files(job->data_spec) ? 0 : job->mp.seed;
    if (!data.train || strcmp(spec, job->data_spec) != 0 || seed != want) {
        ds_data_free(&data);
        if (ds_data_load(job->data_spec, job->mp.seed, &data) != DS_OK)
            return cli_lib_error(cmd, CLI_EXIT_USAGE);
        snprintf(spec, sizeof spec, "%s", job->data_spec);
        seed = want;
    }
    job->data = data;
    return cli_train_job_split(cmd, job);
}

/* Removes the run's checkpoint and curve: its result file takes over. */
static void clean_state(const model_run *m)
{
    char path[4200];
    unlink(m->ckpt);
    snprintf(path, sizeof path, "%s/%s.curve", m->dir, m->id);
    unlink(path);
}

static int run_model(const cli_command *cmd, const cmp_setup *s, const char *spec, long seed,
                     const char *id, app_cmp_run *r)
{
    char opt[512], ckpt[4200];
    cli_train_opts to = CLI_TRAIN_OPTS_UNSET;
    to.model = s->model, to.data = s->data, to.val = 0.1, to.batch = "128";
    to.opt = cmp_spec_with_lr(spec, r->lr, opt, sizeof opt);
    to.epochs = s->epochs, to.seed = seed, to.threads = s->threads;
    cli_train_job job = {0};
    if (s->dir) path_of(ckpt, sizeof ckpt, s->dir, id, "ckpt");
    model_run m = {
        .r = r, .capacity = s->epochs, .dir = s->dir, .id = id, .ckpt = s->dir ? ckpt : NULL};
    int rc = cli_train_opts_resolve(cmd, &to, NULL, &job);
    job.tp.progress = on_progress, job.tp.progress_ctx = &m;
    if (rc < 0 && !(r->curve = calloc((size_t)s->epochs, sizeof(double))))
        rc = cli_usage_error(cmd, "out of memory for a curve"), rc = CLI_EXIT_FAIL;
    if (rc < 0) rc = shared_data(cmd, &job);
    if (rc < 0) rc = cli_train_job_build(cmd, &job);
    m.t = job.t;
    if (rc < 0 && resume_model(&m) != DS_OK) rc = cli_lib_error(cmd, CLI_EXIT_FAIL);
    ds_status st = rc < 0 ? ds_trainer_run(job.t, 0) : DS_OK;
    if (st == DS_ERR_NONFINITE)
        r->diverged = 1;
    else if (st != DS_OK)
        rc = cli_lib_error(cmd, CLI_EXIT_FAIL);
    if (rc < 0 && !r->diverged) model_results(&job, r);
    job.data = (ds_data){0}; /* the cache's */
    cli_train_job_free(&job);
    if (rc < 0 && m.ckpt) clean_state(&m);
    return rc;
}

int cmp_run(const cli_command *cmd, const cmp_setup *s, const char *spec, double lr, long seed,
            const char *id, app_cmp_run *out)
{
    *out = (app_cmp_run){.lr = lr,
                         .seed = seed,
                         .rank_loss = INFINITY,
                         .test_loss = INFINITY,
                         .test_acc = NAN,
                         .train_loss = INFINITY};
    if (s->def->kind == CMP_MODEL) return run_model(cmd, s, spec, seed, id, out);
    ds_opt_params op;
    if (ds_opt_parse(spec, &op) != DS_OK) return cli_option_error(cmd, "opt");
    op.lr = lr;
    return s->def->kind == CMP_FN2D ? run_fn2d(cmd, s, &op, seed, out)
                                    : run_quad(cmd, s, &op, seed, out);
}
