/* cmd_lectures.c - `descent lectures -o report.html`: runs every experiment
 * of the lectures (descent/report.h) and writes one self-contained HTML page,
 * atomically, so a failed run never leaves a partial or clobbered file. */
#include "commands.h"
#include "outputs.h"

#include "../report/report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static struct {
    const char *output, *tune_data;
} o;

static const cli_arg lectures_args[] = {
    {"output", CLI_ARG_STRING, &o.output, "FILE",
     "the HTML page to write (required; - for stdout)"},
    {"tune-data", CLI_ARG_STRING, &o.tune_data, "SPEC",
     "data of the learning-rate sweep (default fashion-mnist:limit=3000, else blobs)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short lectures_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command lectures_cmd = {
    .name = "lectures",
    .usage = "descent lectures -o report.html [--tune-data SPEC]",
    .summary = "run every experiment of the lectures into one self-contained HTML page",
    .details = "Sections, in the lectures' order: the toy neuron's guess work and error surface;\n"
               "GD's plateau; momentum and NAG; stochastic, mini-batch and batch GD; sparse\n"
               "data and adaptive rates; d2l's quadratic; line search; schedules; EWMA; the\n"
               "learning-rate sweep; optimizers racing (animated) and Reddi et al.'s\n"
               "counterexample. Inline SVG and CSS only: no script, no network.\n"
               "Exit status: 0 written, 1 runtime failure, 2 bad input (nothing written).",
    .args = lectures_args,
    .shorts = lectures_shorts,
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run_lectures(int argc, char **argv)
{
    int rc = cli_parse(&lectures_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    if (!o.output) return cli_usage_error(&lectures_cmd, "missing -o/--output FILE.html");
    cli_file out = {"output", o.output, CLI_STREAM | CLI_STDOUT, 0};
    cli_file in = {"tune-data", o.tune_data ? o.tune_data : "fashion-mnist", CLI_SPEC, 0};
    if ((rc = cli_check_outputs(&lectures_cmd, &out, 1, &in, 1)) >= 0) return rc;
    app_report_params p = app_report_default_params();
    p.tune_data = o.tune_data;
    ds_strbuf page = {0};
    double t0 = now();
    ds_status st = app_report_lectures(&page, &p);
    if (st == DS_OK) st = cli_save(&page, o.output);
    size_t bytes = page.len;
    ds_strbuf_free(&page);
    if (st != DS_OK)
        return cli_lib_error(&lectures_cmd, st == DS_ERR_INVALID || st == DS_ERR_PARSE
                                                ? CLI_EXIT_USAGE
                                                : CLI_EXIT_FAIL);
    printf("wrote %s: %d sections, %.0f KB in %.1f s\n",
           strcmp(o.output, "-") ? o.output : "standard output", app_report_section_count(),
           (double)bytes / 1024, now() - t0);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

const cli_subcommand cli_cmd_lectures = {&lectures_cmd, run_lectures};
