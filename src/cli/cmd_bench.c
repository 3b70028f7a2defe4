/* cmd_bench.c - `descent bench optim|train`: speed measurements anyone can
 * rerun. `optim` times one step of every optimizer over a large parameter
 * array and compares its bandwidth with a STREAM triad measured in the same
 * process at the same thread count; `train` times training epochs and
 * compares the achieved GFLOP/s with the backend's sgemm on the same shapes.
 * bench/vs-pytorch.sh runs both next to PyTorch. The measuring code is
 * library code in src/bench; this file parses, runs and prints. */
#include "commands.h"
#include "train_opts.h"

#include "../bench/bench.h"
#include "descent/train.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static struct {
    cli_train_opts t; /* bench train: the options it shares with descent train */
    long params, reps;
    cli_arg_list opts;
    int json, verbose;
} o = {.t = {.epochs = 1, .seed = 0}, .params = 10000000, .reps = 10};

static const cli_arg bench_args[] = {
    {"params", CLI_ARG_INT, &o.params, "N", "optim: parameters per step (default 10000000)"},
    {"opt", CLI_ARG_MULTI, &o.opts, "SPEC",
     "optimizer spec, repeatable (optim default: every rule; train: adam:lr=1e-3)"},
    {"reps", CLI_ARG_INT, &o.reps, "N", "timed repetitions, best kept (default 10)"},
    CLI_TRAIN_ARG_MODEL(o.t),
    CLI_TRAIN_ARG_ACT(o.t),
    CLI_TRAIN_ARG_DATA(o.t),
    CLI_TRAIN_ARG_BATCH(o.t),
    {"epochs", CLI_ARG_INT, &o.t.epochs, "N", "train: epochs to time (default 1)"},
    CLI_TRAIN_ARG_SEED(o.t),
    CLI_TRAIN_ARG_PRECISION(o.t),
    CLI_TRAIN_ARG_THREADS(o.t),
    {"json", CLI_ARG_FLAG, &o.json, NULL, "print one JSON object instead of a table"},
    {"verbose", CLI_ARG_FLAG, &o.verbose, NULL,
     "train: also name the kernels the products ran (oneDNN's impl names)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_command bench_cmd = {
    .name = "bench",
    .usage = "descent bench optim|train [options]",
    .summary = "measure optimizer step bandwidth and training speed",
    .details = "optim: one step of each optimizer over --params floats: seconds, parameters/s,\n"
               "  bytes/s (ds_opt_bytes_per_param: every float the rule must read and write,\n"
               "  4 bytes each) and the fraction of a STREAM triad a = b + s c (12 bytes per\n"
               "  element, no write-allocate) measured in the same run and thread count.\n"
               "train: --epochs of training as `descent train` runs them: seconds per epoch,\n"
               "  examples/s, GFLOP/s of the matrix products (per layer 2 N(l-1) N(l) per\n"
               "  example forward and for each gradient; none for the first layer's input\n"
               "  gradient) and the backend's sgemm's GFLOP/s on the same shapes (oneDNN's\n"
               "  dnnl_sgemm or OpenBLAS's cblas_sgemm), and the test\n"
               "  accuracy reached, and the backend of the products (onednn or openblas;\n"
               "  with --verbose its library and the kernels it ran, e.g. brg:avx512_core).\n"
               "  Timings are the best of --reps (optim).\n"
               "--model, --act, --data, --batch, --seed: bench train only, as train reads them.",
    .args = bench_args,
};

static int check_counts(void)
{
    if (o.params < 1 || o.params > (LONG_MAX / 64))
        return cli_usage_error(&bench_cmd, "--params must be >= 1 (got %ld)", o.params);
    if (o.t.threads < 0 || o.t.threads > 4096)
        return cli_usage_error(&bench_cmd, "--threads must be 0..4096 (got %ld)", o.t.threads);
    if (o.reps < 1 || o.reps > 100000)
        return cli_usage_error(&bench_cmd, "--reps must be 1..100000 (got %ld)", o.reps);
    if (o.t.epochs < 1 || o.t.epochs > 1000)
        return cli_usage_error(&bench_cmd, "--epochs must be 1..1000 (got %ld)", o.t.epochs);
    if (o.t.seed < 0) return cli_usage_error(&bench_cmd, "--seed must be >= 0 (got %ld)", o.t.seed);
    return -1;
}

/* ---- bench optim -------------------------------------------------------- */

/* The optimizers to time: --opt specs, else every rule with its defaults. */
static int optim_list(ds_opt_params *list, int *count)
{
    *count = 0;
    for (int i = 0; i < o.opts.n; i++)
        if (ds_opt_parse(o.opts.v[i], &list[(*count)++]) != DS_OK)
            return cli_option_error(&bench_cmd, "opt");
    for (int t = 0; o.opts.n == 0 && t < DS_OPT_COUNT; t++)
        list[(*count)++] = ds_opt_default_params((ds_opt_type)t);
    return -1;
}

typedef struct optim_row {
    const char *name;
    double seconds, params_per_s, bytes_per_s, fraction;
} optim_row;

static void print_optim(const optim_row *rows, int count, int threads, double triad)
{
    if (o.json) {
        printf("{\"threads\": %d, \"params\": %ld, \"triad_bytes_per_s\": %.6g, \"optimizers\": [",
               threads, o.params, triad);
        for (int i = 0; i < count; i++)
            printf("%s{\"name\": \"%s\", \"seconds_per_step\": %.6g, \"params_per_s\": %.6g, "
                   "\"bytes_per_s\": %.6g, \"triad_fraction\": %.4f}",
                   i ? ", " : "", rows[i].name, rows[i].seconds, rows[i].params_per_s,
                   rows[i].bytes_per_s, rows[i].fraction);
        printf("]}\n");
        return;
    }
    printf("threads %d, params %ld, triad %.2f GB/s (12 bytes/element)\n", threads, o.params,
           triad / 1e9);
    printf("%-18s %12s %14s %10s %8s\n", "optimizer", "ms/step", "Mparams/s", "GB/s", "triad");
    for (int i = 0; i < count; i++)
        printf("%-18s %12.3f %14.1f %10.2f %7.1f%%\n", rows[i].name, rows[i].seconds * 1e3,
               rows[i].params_per_s / 1e6, rows[i].bytes_per_s / 1e9, 100.0 * rows[i].fraction);
}

static int run_optim(int threads)
{
    ds_opt_params list[CLI_ARG_LIST_MAX > DS_OPT_COUNT ? CLI_ARG_LIST_MAX : DS_OPT_COUNT];
    optim_row rows[sizeof list / sizeof list[0]];
    int count, rc = optim_list(list, &count);
    if (rc >= 0) return rc;
    double triad;
    size_t n = (size_t)o.params;
    if (app_bench_triad(n, threads, (int)o.reps, &triad) != DS_OK)
        return cli_lib_error(&bench_cmd, CLI_EXIT_FAIL);
    for (int i = 0; i < count; i++) {
        optim_row *r = &rows[i];
        if (app_bench_optim(&list[i], n, threads, (int)o.reps, &r->seconds) != DS_OK)
            return cli_lib_error(&bench_cmd, CLI_EXIT_FAIL);
        r->name = ds_opt_name(list[i].type);
        r->params_per_s = (double)n / r->seconds;
        r->bytes_per_s = r->params_per_s * (double)ds_opt_bytes_per_param(&list[i]);
    }
    /* The triad again after the optimizers, the best of both kept: a busy
     * moment during one measurement cannot flatter the fractions. */
    double again;
    if (app_bench_triad(n, threads, (int)o.reps, &again) != DS_OK)
        return cli_lib_error(&bench_cmd, CLI_EXIT_FAIL);
    triad = again > triad ? again : triad;
    for (int i = 0; i < count; i++)
        rows[i].fraction = rows[i].bytes_per_s / triad;
    print_optim(rows, count, threads, triad);
    return CLI_EXIT_OK;
}

/* ---- bench train -------------------------------------------------------- */

typedef struct train_run {
    cli_train_job job;
    double best_epoch;     /* seconds of the fastest epoch: the least disturbed one */
    double prod_s, prod_f; /* the products' seconds and flops during the run */
} train_run;

static int on_epoch(void *ctx, const ds_train_progress *p)
{
    train_run *r = ctx;
    if (p->epoch_end && p->seconds < r->best_epoch) r->best_epoch = p->seconds;
    return 0;
}

/* The run as `descent train` would make it, the first --opt its optimizer;
 * an exit status (the error printed) or -1. */
static int train_setup(train_run *r, int threads)
{
    o.t.opt = o.opts.n ? o.opts.v[0] : NULL;
    int rc = cli_train_opts_resolve(&bench_cmd, &o.t, NULL, &r->job);
    if (rc >= 0) return rc;
    r->job.tp.threads = threads;
    r->job.tp.progress = on_epoch, r->job.tp.progress_ctx = r, r->best_epoch = INFINITY;
    if ((rc = cli_train_job_load(&bench_cmd, &r->job)) >= 0) return rc;
    return cli_train_job_build(&bench_cmd, &r->job);
}

/* What was measured on the test split, worded as train's report: no split,
 * a regression loss, or an accuracy. */
static void print_test(double loss, double acc)
{
    if (isnan(loss))
        printf("  no test split\n");
    else if (isnan(acc))
        printf("  test_loss %.6g\n", loss);
    else
        printf("  test_accuracy %.4f\n", acc);
}

static void print_train(const train_run *r, int threads, double secs, double gemm_s, double loss,
                        double acc)
{
    size_t rows = ds_dataset_rows(r->job.data.train);
    size_t batch = r->job.tp.batch ? r->job.tp.batch : rows;
    double examples = (double)rows * (double)o.t.epochs;
    double flops = ds_model_step_flops(r->job.m);
    double gflops = flops * examples / secs / 1e9;
    double sgemm = flops * (double)(batch < rows ? batch : rows) / gemm_s / 1e9;
    double prod = r->prod_s > 0 ? r->prod_f / r->prod_s / 1e9 : NAN;
    char kernels[512];
    ds_backend_describe(r->job.m, kernels, sizeof kernels);
    if (o.json) {
        printf("{\"backend\": \"%s\", \"precision\": \"%s\", ", ds_backend_name(),
               ds_precision_name(ds_model_get_params(r->job.m)->precision));
        if (o.verbose) printf("\"kernels\": \"%s\", ", kernels);
        printf("\"threads\": %d, \"batch\": %zu, \"epochs\": %ld, \"examples\": %.0f, "
               "\"seconds\": %.6g, \"seconds_per_epoch\": %.6g, \"best_epoch_seconds\": %.6g, "
               "\"examples_per_s\": %.6g, \"flops_per_example\": %.0f, \"gflops\": %.6g, ",
               threads, batch, o.t.epochs, examples, secs, secs / (double)o.t.epochs, r->best_epoch,
               examples / secs, flops, gflops);
        printf(isnan(sgemm) ? "\"sgemm_gflops\": null, " : "\"sgemm_gflops\": %.6g, ", sgemm);
        printf("\"product_seconds\": %.6g, ", r->prod_s);
        printf(isnan(prod) ? "\"product_gflops\": null, " : "\"product_gflops\": %.6g, ", prod);
        printf("\"test_accuracy\": ");
        printf(isnan(acc) ? "null}\n" : "%.6f}\n", acc);
        return;
    }
    printf("backend %s%s%s\n", ds_backend_name(), o.verbose ? ": " : "", o.verbose ? kernels : "");
    printf("threads %d, batch %zu, %ld epoch(s) of %zu examples\n", threads, batch, o.t.epochs,
           rows);
    printf("seconds/epoch %.3f (best %.3f)  examples/s %.0f  GFLOP/s %.2f",
           secs / (double)o.t.epochs, r->best_epoch, examples / secs, gflops);
    if (!isnan(sgemm))
        printf("  (%s sgemm on the same shapes: %.2f, %.0f%%)", ds_backend_name(), sgemm,
               100.0 * gflops / sgemm);
    if (!isnan(prod)) {
        printf("\nproducts in training: %.3f s/epoch, GFLOP/s %.2f", r->prod_s / (double)o.t.epochs,
               prod);
        if (!isnan(sgemm)) printf(" (%.0f%% of sgemm alone)", 100.0 * prod / sgemm);
        printf("\n");
    }
    print_test(loss, acc);
}

static int run_train_bench(int threads)
{
    train_run r;
    memset(&r, 0, sizeof r);
    cli_train_job *j = &r.job;
    int rc = train_setup(&r, threads);
    if (rc < 0 && ds_trainer_run(j->t, 0) != DS_OK) {
        rc = cli_lib_error(&bench_cmd, CLI_EXIT_FAIL);
    } else if (rc < 0) {
        r.prod_s = ds_model_product_seconds(j->m, &r.prod_f); /* before the test pass */
        double loss = NAN, acc = NAN, gemm_s;
        size_t rows = ds_dataset_rows(j->data.train), batch = j->tp.batch ? j->tp.batch : rows;
        char desc[8];
        ds_model_describe(j->m, desc, sizeof desc);
        int mlp = strncmp(desc, "net:", 4) != 0; /* the sgemm yardstick has mlp shapes */
        gemm_s = NAN;
        if ((j->data.test && ds_trainer_evaluate(j->t, j->data.test, &loss, &acc) != DS_OK) ||
            (mlp &&
             app_bench_mlp_gemms(j->m, batch < rows ? batch : rows, (int)o.reps, &gemm_s) != DS_OK))
            rc = cli_lib_error(&bench_cmd, CLI_EXIT_FAIL);
        else
            print_train(&r, threads, ds_trainer_seconds(j->t), gemm_s, loss, acc);
    }
    cli_train_job_free(j);
    return rc >= 0 ? rc : CLI_EXIT_OK;
}

static int run_bench(int argc, char **argv)
{
    cli_arg_list words = {0};
    int rc = cli_parse(&bench_cmd, argc, argv, &words);
    if (rc >= 0) return rc;
    if ((rc = check_counts()) >= 0) return rc;
    if (words.n != 1 || (strcmp(words.v[0], "optim") != 0 && strcmp(words.v[0], "train") != 0))
        return cli_usage_error(&bench_cmd, "expects one of: optim, train (got %s%s)",
                               words.n ? words.v[0] : "nothing", words.n > 1 ? " ..." : "");
    int threads = o.t.threads > 0 ? (int)o.t.threads : app_bench_threads(0);
    rc = words.v[0][0] == 'o' ? run_optim(threads) : run_train_bench(threads);
    if (rc == CLI_EXIT_OK && fflush(stdout) != 0) rc = CLI_EXIT_FAIL;
    return rc;
}

const cli_subcommand cli_cmd_bench = {&bench_cmd, run_bench};
