/* cmd_compare.c - `descent compare`: which optimizer for my problem, by
 * DeepOBS's protocol (Schneider, Balles and Hennig, ICLR 2019): each
 * optimizer's learning rate tuned on `descent tune`'s log grid (report.h:
 * the coarse rates, then the finer ones around the best), the best rate
 * rerun over seeds; then the page, the JSON and a summary. Every run is
 * independent: under mpirun rank 0 hands runs out one at a time to the
 * other ranks and collects the results (compare_sched.c); with --resume DIR
 * finished runs are recorded there and skipped next time, and the
 * unfinished one continues from its last checkpoint (compare_run.c). */
#include "commands.h"
#include "compare_run.h"
#include "compare_sched.h"
#include "outputs.h"

#include "descent/dist.h"
#include "descent/optim.h"
#include "../report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const budgets[CMP_NBUDGETS] = {"tiny", "small", "medium", "full"};
static const char *const default_opts[] = {"sgd",     "momentum", "nag",      "adagrad",
                                           "rmsprop", "adam",     "amsgrad",  "adamw",
                                           "nadam",   "radam",    "adadelta", "lion"};
#define NDEFAULT_OPTS ((int)(sizeof default_opts / sizeof default_opts[0]))

static struct {
    const char *problems, *budget, *out, *json, *resume, *model, *data;
    cli_arg_list opt;
    long seeds, threads;
} o = {.seeds = -1, .threads = 1};

static const cli_arg compare_args[] = {
    {"problems", CLI_ARG_STRING, &o.problems, "LIST",
     "comma-separated: quadratic_deep, rosenbrock, beale, branin, fmnist_logreg, fmnist_mlp, "
     "fmnist_2c2d, custom (default: all but fmnist_2c2d and custom)"},
    {"opt", CLI_ARG_MULTI, &o.opt, "SPEC",
     "an optimizer NAME[:key=value,...] without lr; repeat (default: the 12 of doc/compare.md)"},
    {"budget", CLI_ARG_STRING, &o.budget, "B", "tiny, small (default), medium or full"},
    {"seeds", CLI_ARG_INT, &o.seeds, "N", "runs of each best rate, 1..16 (default 3; tiny 2)"},
    {"output", CLI_ARG_STRING, &o.out, "FILE.html", "write the page"},
    {"json", CLI_ARG_STRING, &o.json, "FILE", "write the numbers as JSON (- for stdout)"},
    {"resume", CLI_ARG_STRING, &o.resume, "DIR",
     "keep the runs in DIR; skip those finished there, continue the unfinished one"},
    {"model", CLI_ARG_STRING, &o.model, "SPEC", "the custom problem's model"},
    {"data", CLI_ARG_STRING, &o.data, "SPEC", "the custom problem's data"},
    {"threads", CLI_ARG_INT, &o.threads, "N", "threads of each run (default 1)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short compare_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command compare_cmd = {
    .name = "compare",
    .usage = "descent compare [--problems LIST] [--opt SPEC ...] [--budget B] [--seeds N] "
             "[-o FILE.html] [--json FILE] [--resume DIR]",
    .summary = "which optimizer: DeepOBS-style problems, tuned and seeded, on one page",
    .details = "For each problem and optimizer: runs at the rates of `descent tune` (1e-4 ...\n"
               "1, then best/2, 2 best, 3 best from budget small on), then the best rate\n"
               "(lowest validation loss) with seeds 0..N-1. Prints a summary; -o writes the\n"
               "page, --json the numbers. Under mpirun, rank 0 hands the runs to the others.\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input (nothing written).",
    .args = compare_args,
    .shorts = compare_shorts,
};

static int find_budget(const char *name)
{
    for (int b = 0; b < CMP_NBUDGETS; b++)
        if (strcmp(name, budgets[b]) == 0) return b;
    return -1;
}

static const cmp_problem_def *find_problem(const char *name, size_t len)
{
    for (const cmp_problem_def *d = cmp_problems; d->name; d++)
        if (strlen(d->name) == len && strncmp(d->name, name, len) == 0) return d;
    return NULL;
}

/* --problems into s and the setups; -1 or CLI_EXIT_USAGE. */
static int parse_problems(app_cmp_study *s, cmp_setup *set, int budget)
{
    const char *list =
        o.problems ? o.problems : "quadratic_deep,rosenbrock,beale,branin,fmnist_logreg,fmnist_mlp";
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const cmp_problem_def *d = find_problem(p, len);
        if (!d)
            return cli_usage_error(
                &compare_cmd,
                "--problems: unknown problem '%.*s' (accepted: quadratic_deep, "
                "rosenbrock, beale, branin, fmnist_logreg, fmnist_mlp, fmnist_2c2d, "
                "custom)",
                (int)len, p);
        if (s->nprob == APP_CMP_MAX_PROBS)
            return cli_usage_error(&compare_cmd, "--problems: at most %d", APP_CMP_MAX_PROBS);
        if (d->kind == CMP_MODEL && !d->model && (!o.model || !o.data))
            return cli_usage_error(&compare_cmd, "--problems custom needs --model and --data");
        cmp_setup *u = &set[s->nprob];
        *u = (cmp_setup){.def = d,
                         .epochs = d->epochs[budget],
                         .threads = o.threads,
                         .dir = o.resume,
                         .model = d->model ? d->model : o.model};
        if (d->kind == CMP_MODEL && d->model)
            snprintf(u->data, sizeof u->data,
                     d->rows[budget] ? "fashion-mnist:limit=%ld" : "fashion-mnist",
                     d->rows[budget]);
        else if (d->kind == CMP_MODEL)
            snprintf(u->data, sizeof u->data, "%s", o.data);
        cmp_command(u);
        s->prob[s->nprob++] =
            (app_cmp_problem){.name = d->name,
                              .source = d->source,
                              .command = u->command[0] ? u->command : NULL,
                              .classify = d->kind == CMP_MODEL,
                              .epochs = u->epochs,
                              .optimum = cmp_optimum(d),
                              .deepobs = {d->deepobs[0], d->deepobs[1], d->deepobs[2]}};
        p += len + (p[len] == ',');
    }
    return s->nprob ? -1 : cli_usage_error(&compare_cmd, "--problems: the list is empty");
}

/* --opt into s (each checked by the optimizer parser, without lr). */
static int parse_opts(app_cmp_study *s)
{
    int n = o.opt.n ? o.opt.n : NDEFAULT_OPTS;
    for (int i = 0; i < n; i++) {
        const char *spec = o.opt.n ? o.opt.v[i] : default_opts[i];
        ds_opt_params p;
        if (ds_opt_parse(spec, &p) != DS_OK) return cli_option_error(&compare_cmd, "opt");
        const char *args = strchr(spec, ':');
        if (args && (strncmp(args + 1, "lr=", 3) == 0 || strstr(args, ",lr=")))
            return cli_usage_error(&compare_cmd,
                                   "--opt %s: leave lr out, compare chooses it on its grid", spec);
        s->opt[s->nopt++] = spec;
    }
    return -1;
}

static int parse_study(app_cmp_study *s, cmp_setup *set)
{
    int budget = find_budget(o.budget ? o.budget : "small");
    if (budget < 0)
        return cli_usage_error(&compare_cmd,
                               "--budget must be tiny, small, medium or full (got '%s')", o.budget);
    if (o.seeds == -1) o.seeds = budget == CMP_TINY ? 2 : 3;
    if (o.seeds < 1 || o.seeds > APP_CMP_MAX_SEEDS)
        return cli_usage_error(&compare_cmd, "--seeds must be 1..%d (got %ld)", APP_CMP_MAX_SEEDS,
                               o.seeds);
    if (o.threads < 0 || o.threads > 1024)
        return cli_usage_error(&compare_cmd, "--threads must be 0..1024 (got %ld)", o.threads);
    s->budget = budgets[budget];
    s->seeds = (int)o.seeds;
    int rc = parse_problems(s, set, budget);
    if (rc < 0 && (o.model || o.data) && !strstr(o.problems ? o.problems : "", "custom"))
        rc = cli_usage_error(&compare_cmd, "--model and --data are for --problems custom");
    return rc >= 0 ? rc : parse_opts(s);
}

/* The state folder: made if missing; it must hold this study or none. */
static int open_state(const app_cmp_study *s)
{
    if (!o.resume) return -1;
    struct stat st;
    if (mkdir(o.resume, 0777) != 0 && errno != EEXIST)
        return cli_usage_error(&compare_cmd, "--resume %s: %s", o.resume, strerror(errno));
    if (stat(o.resume, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_usage_error(&compare_cmd, "--resume %s is not a folder", o.resume);
    ds_strbuf b = {0};
    ds_strbuf_printf(&b, "budget=%s seeds=%d threads=%ld data=%s model=%s", s->budget, s->seeds,
                     o.threads, o.data ? o.data : "", o.model ? o.model : "");
    for (int p = 0; p < s->nprob; p++)
        ds_strbuf_printf(&b, " problem=%s", s->prob[p].name);
    for (int i = 0; i < s->nopt; i++)
        ds_strbuf_printf(&b, " opt=%s", s->opt[i]);
    ds_strbuf_puts(&b, "\n");
    char path[4200], old[4096] = "";
    snprintf(path, sizeof path, "%s/study.txt", o.resume);
    FILE *f = fopen(path, "r");
    int rc = -1;
    if (f) {
        size_t k = fread(old, 1, sizeof old - 1, f);
        old[k] = '\0';
        fclose(f);
        if (strcmp(old, b.data) != 0)
            rc = cli_usage_error(
                &compare_cmd, "--resume %s holds another study (its study.txt differs)", o.resume);
    } else if (cli_save(&b, path) != DS_OK)
        rc = cli_lib_error(&compare_cmd, CLI_EXIT_FAIL);
    ds_strbuf_free(&b);
    return rc;
}

/* ---- the protocol ---------------------------------------------------- */

/* Phase 1: the coarse grid of every cell. */
static int coarse(cmp_sched *x, cmp_task *t)
{
    int n = 0;
    app_cmp_study *s = x->s;
    for (int p = 0; p < s->nprob; p++)
        for (int o = 0; o < s->nopt; o++) {
            s->cell[p][o].ngrid = s->cell[p][o].ncoarse = APP_TUNE_COARSE;
            for (int k = 0; k < APP_TUNE_COARSE; k++)
                t[n++] = (cmp_task){p, o, k, app_tune_coarse_lrs[k], 0};
        }
    return cmp_sched_phase(x, t, n);
}

/* Phase 2 (budget small and up), one cell: the finer rates around its
 * coarse best that were not tried yet, as `descent tune` searches. */
static int finer_tasks(const app_cmp_study *s, app_cmp_cell *c, int p, int o, cmp_task *t)
{
    (void)s;
    double fine[APP_TUNE_FINE];
    app_tune_trial tried[APP_CMP_MAX_GRID];
    int nf = app_tune_fine_lrs(c->grid[c->best].lr, fine), n = 0;
    for (int i = 0; i < c->ngrid; i++)
        tried[i] = (app_tune_trial){.lr = c->grid[i].lr};
    for (int i = 0; i < nf; i++)
        if (!app_tune_tried(tried, c->ncoarse, fine[i]))
            t[n++] = (cmp_task){p, o, c->ngrid++, fine[i], 0};
    return n;
}

/* Phase 3, one cell: seeds 1..N-1 at its best rate (seed 0 is its grid run). */
static int seed_tasks(const app_cmp_study *s, app_cmp_cell *c, int p, int o, cmp_task *t)
{
    c->seeds[0] = c->grid[c->best];
    for (int k = 1; k < s->seeds; k++)
        t[k - 1] = (cmp_task){p, o, APP_CMP_MAX_GRID + k, c->grid[c->best].lr, k};
    return s->seeds - 1;
}

typedef int (*cell_tasks)(const app_cmp_study *s, app_cmp_cell *c, int p, int o, cmp_task *t);

/* Phases 2 and 3: the tasks each cell's best rate so far calls for (cells
 * where every rate diverged have none). */
static int from_best(cmp_sched *x, cmp_task *t, cell_tasks tasks)
{
    int n = 0;
    app_cmp_study *s = x->s;
    app_cmp_pick_best(s);
    for (int p = 0; p < s->nprob; p++)
        for (int o = 0; o < s->nopt; o++)
            if (s->cell[p][o].best >= 0) n += tasks(s, &s->cell[p][o], p, o, t + n);
    return cmp_sched_phase(x, t, n);
}

static int protocol(cmp_sched *x, int refine)
{
    app_cmp_study *s = x->s;
    int cells = s->nprob * s->nopt;
    cmp_task *t = malloc(sizeof *t * (size_t)cells * (APP_CMP_MAX_GRID + APP_CMP_MAX_SEEDS));
    if (!t) return cli_usage_error(x->cmd, "out of memory"), CLI_EXIT_FAIL;
    x->total = cells * (APP_TUNE_COARSE + (refine ? APP_TUNE_FINE : 0) + s->seeds - 1);
    int rc = coarse(x, t);
    if (rc < 0 && refine) rc = from_best(x, t, finer_tasks);
    if (rc < 0) rc = from_best(x, t, seed_tasks);
    x->total = x->done;
    free(t);
    return rc;
}

/* ---- results ----------------------------------------------------------- */

/* The one-screen summary: per problem, each optimizer's best rate, final
 * metric (mean +- sd over seeds) and epochs to the target; then the
 * optimizers fastest to the target most often. */
static void summary(const app_cmp_study *s)
{
    printf("descent compare: budget %s, %d seed%s, %d problem%s x %d optimizer%s\n", s->budget,
           s->seeds, s->seeds == 1 ? "" : "s", s->nprob, s->nprob == 1 ? "" : "s", s->nopt,
           s->nopt == 1 ? "" : "s");
    for (int p = 0; p < s->nprob; p++) {
        const app_cmp_problem *pr = &s->prob[p];
        printf("\n%s (%d epochs; %s; to target: epochs to train loss %.4g)\n", pr->name, pr->epochs,
               pr->classify ? "test accuracy, higher is better" : "test loss, lower is better",
               pr->target);
        if (isfinite(pr->optimum)) printf("  (the lowest test loss there is: %.5g)\n", pr->optimum);
        printf("  %-22s %-9s %-22s %s\n", "optimizer", "best lr", "final (mean +- sd)",
               "to target");
        for (int o = 0; o < s->nopt; o++) {
            const app_cmp_cell *c = &s->cell[p][o];
            if (c->best < 0) {
                printf("  %-22.22s every rate diverged\n", s->opt[o]);
                continue;
            }
            char fin[64], tt[16] = "never";
            snprintf(fin, sizeof fin, "%.5g +- %.2g", c->mean, c->sd);
            if (c->to_target > 0) snprintf(tt, sizeof tt, "%d", c->to_target);
            printf("  %-22.22s %-9.3g %-22s %s\n", s->opt[o], c->grid[c->best].lr, fin, tt);
        }
    }
    printf("\nperformance profile (share of problems where each reaches the target within\n"
           "1x / 2x / 4x the epochs of the fastest):\n");
    for (int o = 0; o < s->nopt; o++)
        printf("  %-22.22s %.2f / %.2f / %.2f\n", s->opt[o], s->rho[o][0], s->rho[o][4],
               s->rho[o][8]);
}

static int write_outputs(const app_cmp_study *s)
{
    ds_strbuf b = {0};
    ds_status st = DS_OK;
    if (o.json) {
        app_cmp_json(&b, s);
        st = cli_save(&b, o.json);
    }
    if (st == DS_OK && o.out) {
        b.len = 0;
        st = app_cmp_page(&b, s);
        if (st == DS_OK) st = cli_save(&b, o.out);
    }
    ds_strbuf_free(&b);
    if (st != DS_OK) return cli_lib_error(&compare_cmd, CLI_EXIT_FAIL);
    if (!o.json || strcmp(o.json, "-") != 0) summary(s);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int check_files(void)
{
    cli_file out[2] = {{"output", o.out, CLI_STREAM | CLI_STDOUT, 0},
                       {"json", o.json, CLI_STREAM | CLI_STDOUT, 0}};
    cli_file in = {"data", o.data, CLI_SPEC, 0};
    return cli_check_outputs(&compare_cmd, out, 2, &in, o.data ? 1 : 0);
}

static int run_compare(int argc, char **argv)
{
    int rc = cli_parse(&compare_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    static app_cmp_study s;
    static cmp_setup set[APP_CMP_MAX_PROBS];
    if ((rc = parse_study(&s, set)) >= 0 || (rc = check_files()) >= 0) return rc;
    if (ds_dist_rank() == 0 && (rc = open_state(&s)) >= 0) return rc;
    cmp_sched x = {.cmd = &compare_cmd, .s = &s, .set = set, .dir = o.resume};
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    x.t0 = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    if (ds_dist_rank() > 0) return (rc = cmp_sched_worker(&x)) >= 0 ? rc : CLI_EXIT_OK;
    rc = protocol(&x, strcmp(s.budget, "tiny") != 0);
    int stop = cmp_sched_stop(&x);
    if (rc < 0) rc = stop;
    if (rc < 0 && app_cmp_summarise(&s) != DS_OK) rc = cli_lib_error(&compare_cmd, CLI_EXIT_FAIL);
    if (rc < 0) rc = write_outputs(&s);
    app_cmp_free(&s);
    return rc;
}

const cli_subcommand cli_cmd_compare = {&compare_cmd, run_compare};
