/* main.c - the `descent` program: dispatches to a subcommand.
 * The CLI is the only place that prints or exits; everything else is library
 * code that returns status codes. */
#include "commands.h"

#include "descent/dist.h"
#include "descent/model.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_subcommand *const commands[] = {
    &cli_cmd_trace,   &cli_cmd_train,    &cli_cmd_eval,   &cli_cmd_plot,
    &cli_cmd_bench,   &cli_cmd_lectures, &cli_cmd_tune,   &cli_cmd_gen,
    &cli_cmd_explore, &cli_cmd_predict,  &cli_cmd_export, &cli_cmd_compare,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: descent COMMAND [options]   (descent COMMAND --help for details)\n\n"
               "Training models by gradient descent: every optimizer of the lectures and\n"
               "torch.optim, exact to the reference, from C. descent --version prints the\n"
               "version and the compute backend.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i]->cmd->name, commands[i]->cmd->summary);
    fprintf(f, "  %-12s %s\n", "help-options", "list every option of every command (for docs)");
}

/* Prints "COMMAND --option" for every option: the man-page test reads it. */
static int help_options(void)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        for (const cli_arg *a = commands[i]->cmd->args; a && a->name; a++)
            printf("%s --%s\n", commands[i]->cmd->name, a->name);
    return 0;
}

/* `descent --version`: the version and the backend doing the products
 * (its library, version and CPU kernels), for bug reports. */
static int version(void)
{
    char what[256];
    ds_backend_describe(NULL, what, sizeof what);
    printf("descent %s\nbackend: %s: %s\n", DS_VERSION, ds_backend_name(), what);
    return CLI_EXIT_OK;
}

/* Threads that wait for work sleep instead of spinning, unless the user
 * chose a policy. A training step hands work to the threads ~20 times
 * (OpenMP loops and OpenBLAS products), and libgomp's default spins between
 * them: next to OpenBLAS's own pthreads that is three busy threads on two
 * cores, and whenever another process holds a core the spinning thread
 * burns the time slice of the thread it waits for. Fashion-MNIST epoch at
 * two threads (BENCHMARKS.md): 1.7 s spinning against 0.44 s passive on a
 * quiet machine, 12.9 s against 0.59 s while other jobs ran. libgomp reads
 * OMP_WAIT_POLICY when the program loads, before main, so setting it takes
 * one re-exec of this same program with the same arguments: at most once
 * (DESCENT_REEXEC marks the new image), and a failed exec carries on. */
static void prefer_passive_waiting(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("DESCENT_REEXEC")) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) || setenv("DESCENT_REEXEC", "1", 1)) return;
    execv("/proc/self/exe", argv);
}

/* Under mpirun every rank runs the same command; only rank 0 prints
 * results (ranks > 0 keep stderr for their own failures). A failing rank
 * ends the whole job (ds_dist_finalize aborts) instead of leaving the
 * others waiting in a reduction. */
static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    /* Past a file-size limit (ulimit -f) a write fails with EFBIG, so the
     * message names the file and the cause and the atomic writer removes its
     * temporary file, instead of SIGXFSZ killing the program mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    prefer_passive_waiting(argv);
    if (ds_dist_init(&argc, &argv) != DS_OK) {
        fprintf(stderr, "descent: %s\n", ds_last_error());
        return CLI_EXIT_FAIL;
    }
    if (ds_dist_rank() != 0 && !freopen("/dev/null", "w", stdout)) return CLI_EXIT_FAIL;
    int rc = dispatch(argc, argv);
    ds_dist_finalize(rc);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "help-options") == 0) return help_options();
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) return version();
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i]->cmd->name) == 0)
            return commands[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "descent: unknown command '%s' (accepted:", argv[1]);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(stderr, " %s", commands[i]->cmd->name);
    fprintf(stderr, ")\n");
    return CLI_EXIT_USAGE;
}
