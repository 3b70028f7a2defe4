/* commands.h - the subcommands of the descent program, one file each
 * (cmd_<name>.c). Each entry point receives argv with argv[0] = the
 * subcommand name and returns the process exit status. Each also exports
 * its option table so `descent help-options` can list every option. */
#ifndef DESCENT_CLI_COMMANDS_H
#define DESCENT_CLI_COMMANDS_H

#include "args.h"

typedef struct cli_subcommand {
    const cli_command *cmd;
    int (*run)(int argc, char **argv);
} cli_subcommand;

/* One line per subcommand; add new ones here and in main.c's table. */
extern const cli_subcommand cli_cmd_trace;
extern const cli_subcommand cli_cmd_train;
extern const cli_subcommand cli_cmd_eval;
extern const cli_subcommand cli_cmd_plot;
extern const cli_subcommand cli_cmd_bench;
extern const cli_subcommand cli_cmd_lectures;
extern const cli_subcommand cli_cmd_tune;
extern const cli_subcommand cli_cmd_gen;
extern const cli_subcommand cli_cmd_explore;
extern const cli_subcommand cli_cmd_predict;
extern const cli_subcommand cli_cmd_export;
extern const cli_subcommand cli_cmd_compare;

#endif
