/* cmd_gen.c - `descent gen linear|blobs`: writes a generated data set as a
 * stream file (descent/stream.h) for `descent train --data stream:FILE`.
 * Generation is streamed (one block in memory), so a set larger than RAM
 * can be made; the file appears atomically when complete, and bad input
 * (a set larger than the folder's free space too) writes nothing.
 * SIGINT/SIGTERM stop it after the current block: the temporary file is
 * removed and the exit status is 128 + the signal, as for train. */
#include "commands.h"
#include "outputs.h"
#include "signals.h"

#include "descent/stream.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct gen_opts {
    long rows, features, classes, seed, block;
    double noise, spread;
    const char *output;
} gen_opts;

/* LONG_MIN / NaN: not given, so the generator's default applies. */
static const gen_opts unset = {LONG_MIN, LONG_MIN, LONG_MIN, 0, LONG_MIN, NAN, NAN, NULL};
static gen_opts o;

static const cli_arg gen_args[] = {
    {"rows", CLI_ARG_INT, &o.rows, "N", "rows to generate (default 1000 linear, 300 blobs)"},
    {"features", CLI_ARG_INT, &o.features, "D", "features per row (default 3 linear, 2 blobs)"},
    {"classes", CLI_ARG_INT, &o.classes, "C", "blobs: number of classes (default 3)"},
    {"noise", CLI_ARG_DOUBLE, &o.noise, "X", "linear: target noise std (default 0.1)"},
    {"spread", CLI_ARG_DOUBLE, &o.spread, "X", "blobs: cluster std (default 1)"},
    {"seed", CLI_ARG_INT, &o.seed, "S", "random seed (default 0)"},
    {"block", CLI_ARG_INT, &o.block, "N", "rows per block of the file (default 4096)"},
    {"output", CLI_ARG_STRING, &o.output, "FILE", "the stream file to write (required)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short gen_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command gen_cmd = {
    .name = "gen",
    .usage = "descent gen linear|blobs [--rows N] [--features D] [--classes C] [--seed S] "
             "--output FILE",
    .summary = "write a generated data set as a stream file (larger than memory is fine)",
    .details = "The rows equal those of the in-memory linear:/blobs: data sets with the same\n"
               "seed. Train on the file with: descent train --data stream:FILE ...\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input (nothing written; also a\n"
               "file larger than the folder's free space). SIGINT/SIGTERM stop it, remove the\n"
               "unfinished file and exit 128 + the signal number.",
    .args = gen_args,
    .shorts = gen_shorts,
};

/* Fills p from the options; an exit status, or -1 when all is well. */
static int params(const char *kind, ds_stream_gen_params *p)
{
    int blobs = strcmp(kind, "blobs") == 0;
    if (!blobs && strcmp(kind, "linear") != 0)
        return cli_usage_error(&gen_cmd, "unknown generator '%s' (accepted: linear, blobs)", kind);
    *p = ds_stream_gen_default_params(blobs ? DS_STREAM_GEN_BLOBS : DS_STREAM_GEN_LINEAR);
    if (!o.output) return cli_usage_error(&gen_cmd, "--output FILE is required");
    if (!blobs && (o.classes != LONG_MIN || !isnan(o.spread)))
        return cli_usage_error(&gen_cmd, "--classes and --spread are for blobs only");
    if (blobs && !isnan(o.noise)) return cli_usage_error(&gen_cmd, "--noise is for linear only");
    if ((o.rows != LONG_MIN && o.rows < 1) || (o.features != LONG_MIN && o.features < 1) ||
        (o.classes != LONG_MIN && (o.classes < 2 || o.classes > INT32_MAX)) || o.seed < 0 ||
        (o.block != LONG_MIN && o.block < 1))
        return cli_usage_error(&gen_cmd, "--rows, --features, --block must be >= 1, --classes "
                                         ">= 2 and --seed >= 0");
    if (o.rows != LONG_MIN) p->rows = (size_t)o.rows;
    if (o.features != LONG_MIN) p->features = (size_t)o.features;
    if (o.classes != LONG_MIN) p->classes = (int32_t)o.classes;
    if (o.block != LONG_MIN) p->block_rows = (size_t)o.block;
    if (!isnan(o.noise)) p->noise = o.noise;
    if (!isnan(o.spread)) p->spread = o.spread;
    p->seed = (uint64_t)o.seed;
    cli_file out = {"output", o.output, 0, 0}; /* its header is rewritten: a file */
    return cli_check_outputs(&gen_cmd, &out, 1, NULL, 0);
}

/* The library's cancel callback: a signal arrived. */
static int stop_requested(void *ctx)
{
    (void)ctx;
    return cli_stop_signal != 0;
}

static int run_gen(int argc, char **argv)
{
    o = unset;
    cli_arg_list kinds = {0};
    int rc = cli_parse(&gen_cmd, argc, argv, &kinds);
    if (rc >= 0) return rc;
    if (kinds.n != 1) return cli_usage_error(&gen_cmd, "give one generator: linear or blobs");
    ds_stream_gen_params p;
    if ((rc = params(kinds.v[0], &p)) >= 0) return rc;
    p.cancel = stop_requested;
    cli_catch_signals();
    ds_status s = ds_stream_generate(o.output, &p);
    if (s == DS_ERR_INTERRUPTED && cli_stop_signal) {
        fprintf(stderr, "descent gen: interrupted; nothing written (%s)\n", ds_last_error());
        return cli_signal_status();
    }
    if (s != DS_OK)
        return cli_lib_error(&gen_cmd, s == DS_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAIL);
    printf("wrote %s: %zu rows x %zu features (%s)\n", o.output, p.rows, p.features, kinds.v[0]);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

const cli_subcommand cli_cmd_gen = {&gen_cmd, run_gen};
