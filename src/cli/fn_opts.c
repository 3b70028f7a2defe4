/* fn_opts.c - --fn, --noise and --seed for `trace` and `plot`. */
#include "fn_opts.h"

#include <string.h>

int cli_fn_load(const cli_command *cmd, const cli_fn_opts *o, cli_fn *out)
{
    memset(out, 0, sizeof *out);
    if (o->noise < 0) return cli_usage_error(cmd, "--noise must be >= 0 (got %g)", o->noise);
    if (o->seed < 0) return cli_usage_error(cmd, "--seed must be >= 0 (got %ld)", o->seed);
    if (ds_fn2d_parse(o->fn, &out->base) != DS_OK) return cli_option_error(cmd, "fn");
    out->f = out->base;
    if (o->noise > 0) {
        if (ds_fn2d_noisy(out->base, o->noise, (uint64_t)o->seed, &out->noisy) != DS_OK)
            return cli_option_error(cmd, "noise");
        out->f = out->noisy;
    }
    return -1;
}

void cli_fn_free(cli_fn *fn)
{
    ds_fn2d_free(fn->noisy);
    ds_fn2d_free(fn->base);
    memset(fn, 0, sizeof *fn);
}
