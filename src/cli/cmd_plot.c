/* cmd_plot.c - `descent plot`: the lectures' pictures as SVG files. A
 * contour map (or 3-D surface, or animation) of a 2-D test function with
 * the paths of several optimizers, their loss per step, or the curves of
 * `descent train --log` files. The figure is rendered in memory and written
 * atomically, so bad input or a failure never leaves a partial file. */
#include "commands.h"
#include "confusion.h"
#include "fn_opts.h"
#include "outputs.h"

#include "descent/parse.h"
#include "descent/functions.h"
#include "descent/optim.h"
#include "descent/plot.h"
#include "descent/prep.h"
#include "descent/schedule.h"
#include "descent/train.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A path of 100000 steps is already a 2 MB figure; more helps no reader. */
#define MAX_STEPS 100000L
/* --width, --height, --levels not given (0 is a value to reject, not "unset") */
#define UNSET LONG_MIN

static struct {
    const char *start, *schedule, *output, *window, *view, *angle, *title;
    const char *model_file, *data;
    cli_fn_opts fn;
    cli_arg_list opt;
    long steps, width, height, levels;
    int animate, loss, log, confusion;
} o;

static const cli_arg plot_args[] = {
    CLI_FN_ARGS(o.fn),
    {"opt", CLI_ARG_MULTI, &o.opt, "SPEC", "optimizer NAME[:key=value,...]; repeat to compare"},
    {"start", CLI_ARG_STRING, &o.start, "X,Y", "start point of every optimizer"},
    {"steps", CLI_ARG_INT, &o.steps, "N", "updates per optimizer, 0..100000 (default 100)"},
    {"schedule", CLI_ARG_STRING, &o.schedule, "S", "learning-rate schedule for every optimizer"},
    {"output", CLI_ARG_STRING, &o.output, "FILE", "the SVG file to write (required; - for stdout)"},
    {"window", CLI_ARG_STRING, &o.window, "X0,X1,Y0,Y1", "plot window (default: the function's)"},
    {"view", CLI_ARG_STRING, &o.view, "V", "contour (default) or surface (3-D)"},
    {"angle", CLI_ARG_STRING, &o.angle, "AZ,EL", "surface view angles in degrees (default -50,35)"},
    {"animate", CLI_ARG_FLAG, &o.animate, NULL, "animate the optimizers along their paths (SMIL)"},
    {"loss", CLI_ARG_FLAG, &o.loss, NULL, "plot the loss against the step instead of the map"},
    {"log", CLI_ARG_FLAG, &o.log, NULL, "plot the train --log CSV files given as arguments"},
    {"confusion", CLI_ARG_FLAG, &o.confusion, NULL,
     "the confusion matrix of --model-file on --data (a classifier)"},
    {"model-file", CLI_ARG_STRING, &o.model_file, "FILE", "--confusion: a saved model"},
    {"data", CLI_ARG_STRING, &o.data, "SPEC",
     "--confusion: labelled data (its test split, else all rows)"},
    {"title", CLI_ARG_STRING, &o.title, "TEXT", "figure title"},
    {"width", CLI_ARG_INT, &o.width, "PX", "figure width without the legend (default 720)"},
    {"height", CLI_ARG_INT, &o.height, "PX", "figure height (default 480)"},
    {"levels", CLI_ARG_INT, &o.levels, "N", "number of contour levels (default 14)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short plot_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command plot_cmd = {
    .name = "plot",
    .usage = "descent plot --fn F --opt SPEC [--opt SPEC ...] --start X,Y [--steps N] -o out.svg\n"
             "       descent plot --log FILE.csv [FILE.csv ...] -o out.svg\n"
             "       descent plot --confusion --model-file FILE --data SPEC -o cm.svg",
    .summary = "draw contour maps, surfaces, animations and loss curves as SVG",
    .details = "functions: quadratic rosenbrock beale himmelblau booth saddle neuron,\n"
               "  or an expression in x and y such as 'x^2 + 10*y^2'\n"
               "Trajectories: GD black, momentum red, NAG blue, others distinct colours;\n"
               "hollow circle = start, filled = end, star = known minimum.\n"
               "--loss uses a log y axis when the loss spans more than two decades.\n"
               "--log draws train/validation loss, validation accuracy and learning rate\n"
               "per epoch, one colour per file. See doc/plotting.md.",
    .args = plot_args,
    .shorts = plot_shorts,
};

/* Parses "a,b,c,d" strictly into w[4]; 0 on success. */
static int parse_window(const char *s, double w[4])
{
    char buf[256];
    if (strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    char *p = buf;
    for (int k = 0; k < 4; k++) {
        char *comma = strchr(p, ',');
        if ((k < 3) != (comma != NULL)) return -1;
        if (comma) *comma = '\0';
        if (ds_parse_double(p, &w[k])) return -1;
        p = comma ? comma + 1 : p;
    }
    return w[0] < w[1] && w[2] < w[3] ? 0 : -1;
}

/* Options every figure kind shares; exit status or -1. */
static int fill_opts(ds_plot_opts *po)
{
    *po = ds_plot_default_opts();
    if (o.width != UNSET && (o.width < 100 || o.width > 20000))
        return cli_usage_error(&plot_cmd, "--width must be 100..20000 (got %ld)", o.width);
    if (o.height != UNSET && (o.height < 100 || o.height > 20000))
        return cli_usage_error(&plot_cmd, "--height must be 100..20000 (got %ld)", o.height);
    if (o.levels != UNSET && (o.levels < 1 || o.levels > 256))
        return cli_usage_error(&plot_cmd, "--levels must be 1..256 (got %ld)", o.levels);
    po->title = o.title;
    if (o.width != UNSET) po->width = (int)o.width;
    if (o.height != UNSET) po->height = (int)o.height;
    if (o.levels != UNSET) po->levels = (int)o.levels;
    return -1;
}

/* Saves the figure if rendering (st) went well; the exit status. */
static int finish(ds_status st, ds_strbuf *svg)
{
    if (st == DS_OK) st = cli_save(svg, o.output);
    ds_strbuf_free(svg);
    if (st == DS_OK) return CLI_EXIT_OK;
    return cli_lib_error(&plot_cmd, st == DS_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAIL);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The learning-rate panel: a log axis once the rates span more than a
 * decade (a decaying schedule), where AUTO would wait for two. */
static ds_plot_scale lr_scale(const ds_plot_train_log *logs, int n)
{
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < n; i++)
        for (size_t r = 0; r < logs[i].n; r++) {
            double lr = logs[i].col[DS_LOG_LR][r];
            if (!(lr > 0)) return DS_PLOT_LINEAR;
            lo = lr < lo ? lr : lo;
            hi = lr > hi ? lr : hi;
        }
    return hi > 10 * lo ? DS_PLOT_LOG : DS_PLOT_LINEAR;
}

/* `--log FILE...`: four panels, one series per file in each, epochs on x. */
static int plot_logs(const cli_arg_list *files, ds_plot_opts *po)
{
    static const struct {
        int col;
        const char *title, *ylabel;
        ds_plot_scale scale;
    } kinds[4] = {{DS_LOG_TRAIN_LOSS, "training loss", "loss", DS_PLOT_AUTO},
                  {DS_LOG_VAL_LOSS, "validation loss", "loss", DS_PLOT_AUTO},
                  {DS_LOG_VAL_ACCURACY, "validation accuracy", "accuracy", DS_PLOT_LINEAR},
                  {DS_LOG_LR, "learning rate", "lr", DS_PLOT_LINEAR}};
    ds_plot_train_log logs[CLI_ARG_LIST_MAX] = {0};
    ds_plot_series series[4][CLI_ARG_LIST_MAX];
    ds_plot_panel panels[4];
    int n = files->n, rc = -1;
    for (int i = 0; i < n && rc < 0; i++)
        if (ds_plot_read_train_log(files->v[i], &logs[i]) != DS_OK)
            rc = cli_lib_error(&plot_cmd, CLI_EXIT_USAGE);
    for (int k = 0; k < 4 && rc < 0; k++) {
        for (int i = 0; i < n; i++)
            series[k][i] = (ds_plot_series){.name = base_name(files->v[i]),
                                            .color = ds_plot_color(i),
                                            .x = logs[i].col[DS_LOG_EPOCH],
                                            .y = logs[i].col[kinds[k].col],
                                            .n = logs[i].n};
        panels[k] = (ds_plot_panel){series[k], n, *po};
        panels[k].opts.title = kinds[k].title;
        panels[k].opts.xlabel = "epoch";
        panels[k].opts.ylabel = kinds[k].ylabel;
        panels[k].opts.yscale = kinds[k].col == DS_LOG_LR ? lr_scale(logs, n) : kinds[k].scale;
        panels[k].opts.xwhole = 1;
    }
    if (rc < 0) {
        ds_strbuf svg = {0};
        po->width = po->width * 2 / 3 > 100 ? po->width * 2 / 3 : 100; /* one panel */
        po->height = po->height * 3 / 4 > 100 ? po->height * 3 / 4 : 100;
        rc = finish(ds_plot_panels(&svg, panels, 4, 2, po), &svg);
    }
    for (int i = 0; i < n; i++)
        ds_plot_train_log_free(&logs[i]);
    return rc;
}

/* Checks the map and loss options and fills what the run needs; exit
 * status or -1. */
static int check_paths(cli_fn *f, ds_opt_params *p, ds_schedule *s, double xy[2], ds_plot_opts *po)
{
    if (!o.fn.fn) return cli_usage_error(&plot_cmd, "missing --fn F (or --log FILE.csv ...)");
    if (o.opt.n == 0)
        return cli_usage_error(&plot_cmd, "missing --opt SPEC (one per optimizer, e.g. "
                                          "--opt gd --opt momentum --opt nag)");
    if (!o.start) return cli_usage_error(&plot_cmd, "missing --start X,Y");
    if (o.steps < 0 || o.steps > MAX_STEPS)
        return cli_usage_error(&plot_cmd, "--steps must be 0..%ld (got %ld)", MAX_STEPS, o.steps);
    int rc = cli_fn_load(&plot_cmd, &o.fn, f);
    if (rc >= 0) return rc;
    if (cli_parse_pair(o.start, &xy[0], &xy[1]))
        return cli_usage_error(&plot_cmd, "--start expects X,Y (two numbers), got '%s'", o.start);
    for (int i = 0; i < o.opt.n; i++)
        if (ds_opt_parse(o.opt.v[i], &p[i]) != DS_OK) return cli_option_error(&plot_cmd, "opt");
    if (ds_schedule_parse(o.schedule, s) != DS_OK) return cli_option_error(&plot_cmd, "schedule");
    if (o.view && strcmp(o.view, "contour") != 0 && strcmp(o.view, "surface") != 0)
        return cli_usage_error(&plot_cmd, "--view must be contour or surface, got '%s'", o.view);
    po->view = o.view && strcmp(o.view, "surface") == 0 ? DS_PLOT_SURFACE : DS_PLOT_CONTOUR;
    if (o.angle && (cli_parse_pair(o.angle, &po->azimuth, &po->elevation) ||
                    !(po->elevation > 0 && po->elevation <= 90)))
        return cli_usage_error(
            &plot_cmd, "--angle expects AZ,EL in degrees with 0 < EL <= 90, got '%s'", o.angle);
    if (o.window && parse_window(o.window, po->window))
        return cli_usage_error(
            &plot_cmd, "--window expects X0,X1,Y0,Y1 with X0 < X1 and Y0 < Y1, got '%s'", o.window);
    po->has_window = o.window != NULL;
    if (o.loss && (o.animate || o.view || o.angle || o.window))
        return cli_usage_error(&plot_cmd, "--loss draws a chart: drop --animate, --view, "
                                          "--angle and --window");
    return -1;
}

/* Runs every optimizer; rows[i] gets its path. Exit status or -1. */
static int run_paths(const ds_fn2d *f, const ds_opt_params *p, const ds_schedule *s,
                     const double xy[2], double **rows, long *nrows)
{
    for (int i = 0; i < o.opt.n; i++) {
        rows[i] = malloc(sizeof(double) * 3 * (size_t)(o.steps + 1));
        if (!rows[i]) {
            fprintf(stderr, "descent plot: out of memory for %ld steps\n", o.steps);
            return CLI_EXIT_FAIL;
        }
        ds_status st = ds_fn2d_trace(f, &p[i], s, xy[0], xy[1], o.steps, rows[i], &nrows[i]);
        if (st == DS_ERR_NONFINITE)
            fprintf(stderr,
                    "descent plot: note: '%s' left the finite numbers after %ld steps; "
                    "its path is drawn up to there\n",
                    o.opt.v[i], nrows[i] > 0 ? nrows[i] - 1 : 0);
        else if (st != DS_OK)
            return cli_lib_error(&plot_cmd, st == DS_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAIL);
    }
    return -1;
}

/* The map, surface, animation or loss chart of the optimizers' paths. */
static int plot_paths(ds_plot_opts *po)
{
    cli_fn f = {0};
    ds_opt_params p[CLI_ARG_LIST_MAX];
    ds_schedule s;
    double xy[2], *rows[CLI_ARG_LIST_MAX] = {0};
    long nrows[CLI_ARG_LIST_MAX] = {0};
    int rc = check_paths(&f, p, &s, xy, po);
    if (rc < 0) rc = run_paths(f.f, p, &s, xy, rows, nrows);
    if (rc < 0) {
        const char *colors[CLI_ARG_LIST_MAX];
        ds_plot_series series[CLI_ARG_LIST_MAX];
        char title[160];
        ds_plot_opt_colors(p, o.opt.n, colors);
        for (int i = 0; i < o.opt.n; i++)
            series[i] = (ds_plot_series){.name = o.opt.v[i],
                                         .color = colors[i],
                                         .x = o.loss ? NULL : rows[i],
                                         .y = rows[i] + (o.loss ? 2 : 1),
                                         .n = (size_t)nrows[i],
                                         .stride = 3};
        snprintf(title, sizeof title, "%s%s from (%g, %g), %ld steps%s", f.f->name,
                 o.loss ? " loss" : "", xy[0], xy[1], o.steps,
                 o.fn.noise > 0 ? ", gradient noise" : "");
        if (!po->title) po->title = title;
        po->animate = o.animate;
        po->xlabel = o.loss ? "step" : NULL;
        po->ylabel = o.loss ? "f(x, y)" : NULL;
        po->yscale = DS_PLOT_AUTO;
        ds_strbuf svg = {0};
        rc = finish(o.loss ? ds_plot_lines(&svg, series, o.opt.n, po)
                           : ds_plot_map(&svg, f.f, series, o.opt.n, po),
                    &svg);
    }
    for (int i = 0; i < o.opt.n; i++)
        free(rows[i]);
    cli_fn_free(&f);
    return rc;
}

/* The confusion matrix of a saved classifier on labelled data. */
static int plot_confusion(ds_plot_opts *po)
{
    if (!o.model_file || !o.data)
        return cli_usage_error(&plot_cmd, "--confusion needs --model-file FILE and --data SPEC");
    ds_model *m = NULL;
    ds_prep *prep = NULL;
    ds_data d = {NULL, NULL};
    cli_confusion c = {0};
    ds_status st = ds_model_load(o.model_file, &m);
    if (st == DS_OK) st = ds_prep_load(o.model_file, &prep);
    if (st == DS_OK) st = ds_data_load_for(o.data, 0, prep, &d);
    if (st == DS_OK) st = ds_prep_apply_dataset(prep, d.test ? d.test : d.train);
    if (st == DS_OK) st = cli_confusion_of(m, d.test ? d.test : d.train, 0, &c);
    int rc = -1;
    if (st != DS_OK) rc = cli_lib_error(&plot_cmd, CLI_EXIT_USAGE);
    if (rc < 0) {
        char title[160];
        snprintf(title, sizeof title, "confusion matrix: accuracy %.4f, macro F1 %.4f", c.accuracy,
                 c.macro_f1);
        if (!po->title) po->title = title;
        ds_strbuf svg = {0};
        const char *const *names =
            ds_prep_classes(prep) == (int32_t)c.k ? ds_prep_class_names(prep) : NULL;
        rc = finish(ds_plot_confusion(&svg, c.cm, c.k, names, po), &svg);
    }
    cli_confusion_free(&c);
    ds_prep_free(prep);
    ds_data_free(&d);
    ds_model_free(m);
    return rc;
}

/* -o against itself and the files it reads (--log files, or the model and
 * data of --confusion). */
static int check_files(const cli_arg_list *files)
{
    cli_file out = {"output", o.output, CLI_STREAM | CLI_STDOUT, 0};
    cli_file in[CLI_ARG_LIST_MAX + 2];
    int n = 0;
    for (int i = 0; i < files->n; i++)
        in[n++] = (cli_file){"log", files->v[i], 0, 0};
    if (o.model_file) in[n++] = (cli_file){"model-file", o.model_file, 0, 0};
    if (o.data) in[n++] = (cli_file){"data", o.data, CLI_SPEC, 0};
    return cli_check_outputs(&plot_cmd, &out, 1, in, n);
}

static int run_plot(int argc, char **argv)
{
    memset(&o, 0, sizeof o);
    o.steps = 100;
    o.width = o.height = o.levels = UNSET;
    cli_arg_list files = {0};
    int rc = cli_parse(&plot_cmd, argc, argv, &files);
    ds_plot_opts po;
    if (rc < 0 && !o.output) rc = cli_usage_error(&plot_cmd, "missing -o/--output FILE.svg");
    if (rc < 0 && files.n > 0 && !o.log)
        rc = cli_usage_error(&plot_cmd, "unexpected argument '%s' (files go with --log)",
                             files.v[0]);
    if (rc < 0 && o.log && files.n == 0)
        rc = cli_usage_error(&plot_cmd, "--log needs at least one FILE.csv");
    if (rc < 0 && o.log &&
        (o.fn.fn || o.fn.noise > 0 || o.opt.n || o.start || o.loss || o.animate || o.view))
        rc = cli_usage_error(&plot_cmd,
                             "--log plots files only: drop --fn, --noise, --opt, --start, "
                             "--loss, --animate and --view");
    if (rc < 0) rc = check_files(&files);
    if (rc < 0) rc = fill_opts(&po);
    if (rc < 0 && o.confusion &&
        (o.log || o.fn.fn || o.fn.noise > 0 || o.opt.n || o.start || o.loss || o.animate))
        rc = cli_usage_error(&plot_cmd, "--confusion draws a model's matrix: drop --log, --fn, "
                                        "--noise, --opt, --start, --loss and --animate");
    if (rc < 0 && !o.confusion && (o.model_file || o.data))
        rc = cli_usage_error(&plot_cmd, "--model-file and --data go with --confusion");
    if (rc < 0)
        rc = o.confusion ? plot_confusion(&po) : o.log ? plot_logs(&files, &po) : plot_paths(&po);
    return rc;
}

const cli_subcommand cli_cmd_plot = {&plot_cmd, run_plot};
