/* test_args.c - the program's option parser (src/cli/args.c, compiled into
 * this test): long options as "--x v" and "--x=v", short aliases, typed
 * values, repeated options, positional words, --help, and the one-line
 * messages for every mistake (captured from stderr). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli/args.c"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct {
    const char *out;
    double lr;
    long steps;
    int verbose;
    cli_arg_list fn;
} o;

static const cli_arg demo_args[] = {
    {"output", CLI_ARG_STRING, &o.out, "FILE", "where to write"},
    {"lr", CLI_ARG_DOUBLE, &o.lr, "X", "learning rate"},
    {"steps", CLI_ARG_INT, &o.steps, "N", "number of steps"},
    {"verbose", CLI_ARG_FLAG, &o.verbose, NULL, "say more"},
    {"fn", CLI_ARG_MULTI, &o.fn, "NAME", "a function (repeatable)"},
    {0},
};
static const cli_arg_short demo_shorts[] = {{'o', "output"}, {'n', "steps"}, {0}};
static const cli_command demo = {
    "demo", "descent demo [options]", "A demo command.", NULL, demo_args, demo_shorts};

/* What the last parse printed on stdout and stderr. */
static char out_text[4096], err_text[4096];

/* Runs cli_parse on the words (argv[0] is the subcommand) with fresh
 * option values, capturing stdout and stderr. */
static int parse(cli_arg_list *positional, int argc, const char **words)
{
    memset(&o, 0, sizeof o);
    o.lr = NAN;
    char *argv[64];
    assert_true(argc < 64);
    argv[0] = "demo";
    for (int i = 0; i < argc; i++)
        argv[i + 1] = (char *)words[i];
    FILE *out = tmpfile(), *err = tmpfile();
    assert_true(out && err);
    fflush(stdout), fflush(stderr);
    int keep_out = dup(1), keep_err = dup(2);
    dup2(fileno(out), 1), dup2(fileno(err), 2);
    int rc = cli_parse(&demo, argc + 1, argv, positional);
    fflush(stdout), fflush(stderr);
    dup2(keep_out, 1), dup2(keep_err, 2);
    close(keep_out), close(keep_err);
    char *texts[2] = {out_text, err_text};
    FILE *files[2] = {out, err};
    for (int k = 0; k < 2; k++) {
        rewind(files[k]);
        size_t n = fread(texts[k], 1, sizeof out_text - 1, files[k]);
        texts[k][n] = '\0';
        fclose(files[k]);
    }
    return rc;
}

#define PARSE(...)                                                                                 \
    parse(NULL, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),               \
          (const char *[]){__VA_ARGS__})

static void test_long_options_both_forms(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--output", "a.svg", "--lr=0.5", "--steps", "30", "--verbose"), -1);
    assert_string_equal(o.out, "a.svg");
    assert_true(o.lr == 0.5);
    assert_int_equal(o.steps, 30);
    assert_int_equal(o.verbose, 1);
    assert_string_equal(err_text, "");
    /* "=" keeps everything after the first '=', including more '=' and empties */
    assert_int_equal(PARSE("--output=x=y.svg", "--steps=-3"), -1);
    assert_string_equal(o.out, "x=y.svg");
    assert_int_equal(o.steps, -3);
    assert_int_equal(PARSE("--output="), -1);
    assert_string_equal(o.out, "");
    /* a value that looks like an option is still the value */
    assert_int_equal(PARSE("--output", "--lr"), -1);
    assert_string_equal(o.out, "--lr");
}

static void test_short_aliases(void **state)
{
    (void)state;
    assert_int_equal(PARSE("-o", "b.svg", "-n", "7"), -1);
    assert_string_equal(o.out, "b.svg");
    assert_int_equal(o.steps, 7);
    assert_int_equal(PARSE("-x"), CLI_EXIT_USAGE);
    assert_string_equal(err_text,
                        "descent demo: unexpected argument '-x' (see descent demo --help)\n");
    assert_int_equal(PARSE("-on"), CLI_EXIT_USAGE); /* no bundling */
}

static void test_missing_values(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--steps"), CLI_EXIT_USAGE);
    assert_string_equal(err_text, "descent demo: --steps needs an integer N\n");
    assert_int_equal(PARSE("--lr", "0.1", "-o"), CLI_EXIT_USAGE);
    assert_string_equal(err_text, "descent demo: --output needs a value FILE\n");
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--lr", "1e-3x"), CLI_EXIT_USAGE);
    assert_string_equal(err_text, "descent demo: --lr expects a number, got '1e-3x'\n");
    assert_int_equal(PARSE("--lr=inf"), CLI_EXIT_USAGE);
    assert_int_equal(PARSE("--steps=2.5"), CLI_EXIT_USAGE);
    assert_string_equal(err_text, "descent demo: --steps expects an integer, got '2.5'\n");
    assert_int_equal(PARSE("--steps", ""), CLI_EXIT_USAGE);
}

static void test_unknown_options(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--nope"), CLI_EXIT_USAGE);
    assert_string_equal(err_text,
                        "descent demo: unknown option '--nope' (see descent demo --help)\n");
    assert_int_equal(PARSE("--nope=3"), CLI_EXIT_USAGE);
    assert_string_equal(err_text,
                        "descent demo: unknown option '--nope' (see descent demo --help)\n");
    /* a prefix of a known name is not that option */
    assert_int_equal(PARSE("--out", "a"), CLI_EXIT_USAGE);
    assert_int_equal(PARSE("--"), CLI_EXIT_USAGE);
    assert_string_equal(err_text,
                        "descent demo: unexpected argument '--' (see descent demo --help)\n");
}

static void test_flags_take_no_value(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--verbose=1"), CLI_EXIT_USAGE);
    assert_string_equal(err_text, "descent demo: --verbose takes no value\n");
    /* the next word after a flag is not its value */
    assert_int_equal(PARSE("--verbose", "extra"), CLI_EXIT_USAGE);
    assert_string_equal(err_text,
                        "descent demo: unexpected argument 'extra' (see descent demo --help)\n");
}

static void test_repeated_options(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--fn", "beale", "--fn=rosenbrock", "--fn", "beale"), -1);
    assert_int_equal(o.fn.n, 3);
    assert_string_equal(o.fn.v[0], "beale");
    assert_string_equal(o.fn.v[1], "rosenbrock");
    assert_string_equal(o.fn.v[2], "beale");
    /* a single-value option given twice: the last one wins */
    assert_int_equal(PARSE("--steps", "1", "--steps", "2"), -1);
    assert_int_equal(o.steps, 2);
    const char *many[2 * (CLI_ARG_LIST_MAX + 1)];
    for (int i = 0; i <= CLI_ARG_LIST_MAX; i++)
        many[2 * i] = "--fn", many[2 * i + 1] = "f";
    assert_int_equal(parse(NULL, 2 * CLI_ARG_LIST_MAX, many), -1);
    assert_int_equal(o.fn.n, CLI_ARG_LIST_MAX);
    assert_int_equal(parse(NULL, 2 * (CLI_ARG_LIST_MAX + 1), many), CLI_EXIT_USAGE);
    assert_string_equal(err_text, "descent demo: --fn given more than 16 times\n");
}

static void test_positional_words(void **state)
{
    (void)state;
    cli_arg_list pos = {0};
    const char *words[] = {"a.csv", "--steps", "4", "b.csv"};
    assert_int_equal(parse(&pos, 4, words), -1);
    assert_int_equal(pos.n, 2);
    assert_string_equal(pos.v[0], "a.csv");
    assert_string_equal(pos.v[1], "b.csv");
    assert_int_equal(o.steps, 4);
    assert_int_equal(PARSE("a.csv"), CLI_EXIT_USAGE); /* none accepted */
    assert_string_equal(err_text,
                        "descent demo: unexpected argument 'a.csv' (see descent demo --help)\n");
}

/* --help (or -h) prints the help on stdout and returns 0, wherever it
 * stands, without looking at the other words. */
static void test_help(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--lr", "0.1", "--help", "--nope"), CLI_EXIT_OK);
    assert_string_equal(err_text, "");
    assert_non_null(strstr(out_text, "usage: descent demo [options]\n\nA demo command.\n"));
    assert_non_null(strstr(out_text, "-o, --output FILE"));
    assert_non_null(strstr(out_text, "--verbose "));
    assert_non_null(strstr(out_text, "--help"));
    assert_int_equal(PARSE("-h"), CLI_EXIT_OK);
    assert_non_null(strstr(out_text, "usage: descent demo"));
}

static void test_parse_pair(void **state)
{
    (void)state;
    double x = 0, y = 0;
    assert_int_equal(cli_parse_pair("-1.5,2e-1", &x, &y), 0);
    assert_true(x == -1.5 && y == 0.2);
    const char *bad[] = {"1", "1,", ",1", "1,2,3", "a,1", "1, 2", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (cli_parse_pair(bad[i], &x, &y) == 0) fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_options_both_forms),
        cmocka_unit_test(test_short_aliases),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_unknown_options),
        cmocka_unit_test(test_flags_take_no_value),
        cmocka_unit_test(test_repeated_options),
        cmocka_unit_test(test_positional_words),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_parse_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
