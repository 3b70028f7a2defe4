/* cmd_explore.c - `descent explore -o explorer.html`: writes the optimizer
 * explorer, one self-contained HTML page (no network, opens from disk) whose
 * engine is descent's own optimizer code compiled to WebAssembly
 * (src/explore, doc/explorer.md). The page and the engine are embedded at
 * build time (cmake/embed.cmake); here the engine goes into the page as
 * base64, and the page is written atomically. */
#include "commands.h"
#include "outputs.h"

#include "descent/strbuf.h"

#include <stdio.h>
#include <string.h>

static struct {
    const char *output;
} o;

static const cli_arg explore_args[] = {
    {"output", CLI_ARG_STRING, &o.output, "FILE",
     "the HTML page to write (required; - for stdout)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short explore_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command explore_cmd = {
    .name = "explore",
    .usage = "descent explore -o explorer.html",
    .summary = "write the optimizer explorer: one offline HTML page where sliders redraw paths",
    .details = "The page runs descent's own optimizers, schedules and functions, compiled\n"
               "to WebAssembly: pick a function or type an expression in x and y, click the\n"
               "map to set the start, race up to 6 optimizers with their options as sliders,\n"
               "step through the run, and copy each optimizer's `descent trace` command.\n"
               "No network, no server: open the file in a browser. See doc/explorer.md.\n"
               "Exit status: 0 written, 1 runtime failure, 2 bad input (nothing written).",
    .args = explore_args,
    .shorts = explore_shorts,
};

#ifdef DS_HAVE_EXPLORER
extern const unsigned char cli_explore_page[], cli_explore_wasm[];
extern const unsigned long cli_explore_page_size, cli_explore_wasm_size;

/* Appends n bytes as base64 (RFC 4648, with padding). */
static void put_base64(ds_strbuf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16;
        if (i + 1 < n) v |= (unsigned long)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        quad[0] = digits[v >> 18 & 63];
        quad[1] = digits[v >> 12 & 63];
        quad[2] = i + 1 < n ? digits[v >> 6 & 63] : '=';
        quad[3] = i + 2 < n ? digits[v & 63] : '=';
        ds_strbuf_append(b, quad, 4);
    }
}

/* The page with the engine in place of its @WASM@ marker. */
static void build_page(ds_strbuf *b)
{
    const char *page = (const char *)cli_explore_page, *mark = strstr(page, "@WASM@");
    size_t head = mark ? (size_t)(mark - page) : cli_explore_page_size;
    ds_strbuf_append(b, page, head);
    if (!mark) return;
    put_base64(b, cli_explore_wasm, cli_explore_wasm_size);
    ds_strbuf_puts(b, mark + strlen("@WASM@"));
}

static int write_page(void)
{
    ds_strbuf page = {0};
    build_page(&page);
    ds_status st = cli_save(&page, o.output);
    size_t bytes = page.len;
    ds_strbuf_free(&page);
    if (st != DS_OK) return cli_lib_error(&explore_cmd, CLI_EXIT_FAIL);
    printf("wrote %s: %.0f KB\n", strcmp(o.output, "-") ? o.output : "standard output",
           (double)bytes / 1024);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
#else
static int write_page(void)
{
    fprintf(stderr, "descent explore: this build has no explorer: clang's wasm32-wasi target was "
                    "missing when it was built (apt-get install clang lld wasi-libc "
                    "libclang-rt-14-dev-wasm32, then rebuild)\n");
    return CLI_EXIT_FAIL;
}
#endif

static int run_explore(int argc, char **argv)
{
    int rc = cli_parse(&explore_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    if (!o.output) return cli_usage_error(&explore_cmd, "missing -o/--output FILE.html");
    cli_file out = {"output", o.output, CLI_STREAM | CLI_STDOUT, 0};
    if ((rc = cli_check_outputs(&explore_cmd, &out, 1, NULL, 0)) >= 0) return rc;
    return write_page();
}

const cli_subcommand cli_cmd_explore = {&explore_cmd, run_explore};
