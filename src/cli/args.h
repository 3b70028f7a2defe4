/* args.h - declarative long options for the descent subcommands.
 *
 * Each subcommand describes its options in one table; the same table drives
 * parsing, the --help text and (through `descent help-options`) the test that
 * keeps the man page in step with --help. Errors follow the project rule:
 * one line on stderr naming the option, the value and what is accepted, and
 * exit status 2 (CLI_EXIT_USAGE). */
#ifndef DESCENT_CLI_ARGS_H
#define DESCENT_CLI_ARGS_H

#include <stddef.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_DIVERGED = 3 };

typedef enum cli_arg_kind {
    CLI_ARG_FLAG,   /* int*: set to 1, takes no value */
    CLI_ARG_STRING, /* const char**: the value as given */
    CLI_ARG_DOUBLE, /* double*: a finite number */
    CLI_ARG_INT,    /* long*: an integer */
    CLI_ARG_MULTI   /* cli_arg_list*: repeatable, every value kept in order */
} cli_arg_kind;

#define CLI_ARG_LIST_MAX 16

typedef struct cli_arg_list {
    int n;
    const char *v[CLI_ARG_LIST_MAX];
} cli_arg_list;

typedef struct cli_arg {
    const char *name; /* long name without dashes: "steps" for --steps */
    cli_arg_kind kind;
    void *dst;
    const char *metavar; /* "N", "SPEC", ... (NULL for flags) */
    const char *help;    /* one line */
} cli_arg;

/* A one-letter alias of a long option: {'o', "output"} makes "-o FILE" mean
 * "--output FILE". --help shows it ("-o, --output FILE"); help-options and
 * the man-page test keep to the long names. */
typedef struct cli_arg_short {
    char letter;
    const char *name; /* the long option's name */
} cli_arg_short;

typedef struct cli_command {
    const char *name;    /* "trace" */
    const char *usage;   /* "descent trace --fn F --start X,Y --opt SPEC --steps N [options]" */
    const char *summary; /* one line */
    const char *details; /* extra --help paragraphs, or NULL */
    const cli_arg *args; /* terminated by an entry with name == NULL */
    const cli_arg_short *shorts; /* aliases, ended by {0}; NULL for none */
} cli_command;

/* Parses argv[1..argc-1] (argv[0] is the subcommand name). Returns -1 when
 * everything parsed, CLI_EXIT_OK after printing --help, CLI_EXIT_USAGE after
 * printing an error ("descent trace: ..."). Positional words are errors
 * unless `positional` is non-NULL, in which case they are collected there. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_arg_list *positional);

/* Prints the command's help to stdout. */
void cli_help(const cli_command *cmd);

/* Prints "descent CMD: message" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "descent CMD: " + ds_last_error() to stderr; returns `code`, or
 * CLI_EXIT_FAIL if the library ran out of memory (a runtime failure in every
 * command, never bad input). */
int cli_lib_error(const cli_command *cmd, int code);

/* A library parser rejected the value of --OPT: prints "descent CMD: --OPT: "
 * + ds_last_error() ("descent trace: --opt: adam: beta2 must be ...") and
 * returns CLI_EXIT_USAGE, so every command names the option the same way. */
int cli_option_error(const cli_command *cmd, const char *opt);

/* Splits path into its folder (written to dir: "." for a bare name, "/"
 * for a file at the root) and returns its last component. */
const char *cli_split_path(const char *path, char *dir, size_t size);

/* Parses "X,Y" (negative numbers allowed) into two doubles; 0 on success. */
int cli_parse_pair(const char *s, double *x, double *y);

#endif
