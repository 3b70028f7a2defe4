/* args.c - parser and help printer for the declarative option tables. */
#include "args.h"

#include "descent/error.h"
#include "descent/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_arg *find_arg(const cli_command *cmd, const char *name, size_t len)
{
    for (const cli_arg *a = cmd->args; a && a->name; a++)
        if (strlen(a->name) == len && strncmp(a->name, name, len) == 0) return a;
    return NULL;
}

static const char *kind_word(cli_arg_kind k)
{
    switch (k) {
    case CLI_ARG_DOUBLE:
        return "a number";
    case CLI_ARG_INT:
        return "an integer";
    default:
        return "a value";
    }
}

/* Stores one value into the option's destination; returns 0 or CLI_EXIT_USAGE. */
static int store(const cli_command *cmd, const cli_arg *a, const char *val)
{
    switch (a->kind) {
    case CLI_ARG_FLAG:
        *(int *)a->dst = 1;
        return 0;
    case CLI_ARG_STRING:
        *(const char **)a->dst = val;
        return 0;
    case CLI_ARG_DOUBLE:
        if (ds_parse_double(val, (double *)a->dst) == 0) return 0;
        break;
    case CLI_ARG_INT:
        if (ds_parse_long(val, (long *)a->dst) == 0) return 0;
        break;
    case CLI_ARG_MULTI: {
        cli_arg_list *l = a->dst;
        if (l->n >= CLI_ARG_LIST_MAX)
            return cli_usage_error(cmd, "--%s given more than %d times", a->name, CLI_ARG_LIST_MAX);
        l->v[l->n++] = val;
        return 0;
    }
    }
    return cli_usage_error(cmd, "--%s expects %s, got '%s'", a->name, kind_word(a->kind), val);
}

/* The option a short alias word such as "-o" stands for, or NULL. */
static const cli_arg *find_short(const cli_command *cmd, const char *s)
{
    if (s[0] != '-' || s[1] == '\0' || s[1] == '-' || s[2] != '\0') return NULL;
    for (const cli_arg_short *sh = cmd->shorts; sh && sh->letter; sh++)
        if (sh->letter == s[1]) return find_arg(cmd, sh->name, strlen(sh->name));
    return NULL;
}

/* Stores option a's value: "=value" (eq), else the next word argv[++*i].
 * Returns 0 or CLI_EXIT_USAGE. */
static int take_value(const cli_command *cmd, const cli_arg *a, const char *eq, int argc,
                      char **argv, int *i)
{
    const char *val = NULL;
    if (a->kind == CLI_ARG_FLAG) {
        if (eq) return cli_usage_error(cmd, "--%s takes no value", a->name);
    } else if (eq) {
        val = eq + 1;
    } else if (*i + 1 < argc) {
        val = argv[++*i];
    } else {
        return cli_usage_error(cmd, "--%s needs %s %s", a->name, kind_word(a->kind),
                               a->metavar ? a->metavar : "");
    }
    return store(cmd, a, val);
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_arg_list *positional)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *eq = NULL;
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            cli_help(cmd);
            return CLI_EXIT_OK;
        }
        const cli_arg *a = find_short(cmd, s);
        if (!a && (strncmp(s, "--", 2) != 0 || s[2] == '\0')) {
            if (positional && positional->n < CLI_ARG_LIST_MAX && s[0] != '-') {
                positional->v[positional->n++] = s;
                continue;
            }
            return cli_usage_error(cmd, "unexpected argument '%s' (see descent %s --help)", s,
                                   cmd->name);
        }
        if (!a) {
            const char *name = s + 2;
            eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            if (!(a = find_arg(cmd, name, len)))
                return cli_usage_error(cmd, "unknown option '--%.*s' (see descent %s --help)",
                                       (int)len, name, cmd->name);
        }
        int rc = take_value(cmd, a, eq, argc, argv, &i);
        if (rc) return rc;
    }
    return -1;
}

void cli_help(const cli_command *cmd)
{
    printf("usage: %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->details) printf("\n%s\n", cmd->details);
    printf("\noptions:\n");
    for (const cli_arg *a = cmd->args; a && a->name; a++) {
        char left[64], alias[8] = "";
        for (const cli_arg_short *sh = cmd->shorts; sh && sh->letter; sh++)
            if (strcmp(sh->name, a->name) == 0) snprintf(alias, sizeof alias, "-%c, ", sh->letter);
        snprintf(left, sizeof left, "%s--%s%s%s", alias, a->name, a->metavar ? " " : "",
                 a->metavar ? a->metavar : "");
        printf("  %-26s %s\n", left, a->help);
    }
    printf("  %-26s %s\n", "--help", "show this help and exit");
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "descent %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_lib_error(const cli_command *cmd, int code)
{
    fprintf(stderr, "descent %s: %s\n", cmd->name, ds_last_error());
    /* out of memory is the machine's limit, not bad input, wherever it
     * happens (a request too large to make sense is refused as such) */
    return ds_last_status() == DS_ERR_NOMEM ? CLI_EXIT_FAIL : code;
}

int cli_option_error(const cli_command *cmd, const char *opt)
{
    return cli_usage_error(cmd, "--%s: %s", opt, ds_last_error());
}

const char *cli_split_path(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    snprintf(dir, size, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
             slash ? path : ".");
    return slash ? slash + 1 : path;
}

int cli_parse_pair(const char *s, double *x, double *y)
{
    char buf[128];
    const char *comma = s ? strchr(s, ',') : NULL;
    if (!comma || (size_t)(comma - s) >= sizeof buf) return -1;
    memcpy(buf, s, (size_t)(comma - s));
    buf[comma - s] = '\0';
    return (ds_parse_double(buf, x) == 0 && ds_parse_double(comma + 1, y) == 0) ? 0 : -1;
}
