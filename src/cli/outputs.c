/* outputs.c - the checks of outputs.h: what each output path is, whether
 * the output may be that, and whether it is the same file as an input or
 * another output; and "-" as standard output. */
#include "outputs.h"

#include "descent/data.h"
#include "descent/strbuf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OUTPUTS 8

/* Who an output is: an existing file (or standard output) by its device
 * and inode; a new file by its folder's and its name. */
typedef struct out_id {
    cli_file *f;
    struct stat st;   /* the file's; for a new file its folder's */
    char *path;       /* symlinks followed (owned); NULL for "-" */
    const char *base; /* a new file's name in the folder (in path), else NULL */
} out_id;

/* The real standard output once an output is "-" (fd 1 then goes to stderr). */
static FILE *kept_stdout;

static int is_dash(const char *path)
{
    return strcmp(path, "-") == 0;
}

/* The folder of t's file must exist and be writable (a new file or the
 * temporary file is made there); for a new file, id gets its identity. */
static int check_folder(const cli_command *cmd, const ds_target *t, out_id *id)
{
    char dir[4096];
    const char *base = cli_split_path(t->path, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) != 0)
        return cli_usage_error(cmd, "--%s %s: folder '%s' does not exist or is not writable",
                               id->f->opt, id->f->path, dir);
    if (t->kind == DS_TARGET_NEW) id->st = st, id->base = base;
    return -1;
}

/* "-": standard output, for text outputs only. */
static int identify_dash(const cli_command *cmd, out_id *id)
{
    if (!(id->f->flags & CLI_STDOUT))
        return cli_usage_error(cmd,
                               "--%s -: '-' (standard output) is for the text outputs (--log, "
                               "-o, --plot); give a path",
                               id->f->opt);
    if (fstat(STDOUT_FILENO, &id->st) != 0)
        return cli_usage_error(cmd, "--%s -: standard output is closed", id->f->opt);
    id->f->stream = 1;
    return -1;
}

/* Fills id for the output f (given); an exit status or -1. */
static int identify(const cli_command *cmd, cli_file *f, out_id *id)
{
    memset(id, 0, sizeof *id);
    id->f = f;
    if (!*f->path) return cli_usage_error(cmd, "--%s: empty path: give a file name", f->opt);
    if (is_dash(f->path)) return identify_dash(cmd, id);
    ds_target t;
    if (ds_afile_target(f->path, &t) != DS_OK)
        return cli_usage_error(cmd, "--%s %s: %s", f->opt, f->path, ds_last_error());
    int rc = -1;
    f->stream = t.kind == DS_TARGET_STREAM;
    if (f->stream && !(f->flags & CLI_STREAM))
        rc = cli_usage_error(cmd,
                             "--%s %s: a device, FIFO or socket cannot take this output: it is "
                             "rewritten or read back, so it must be a file",
                             f->opt, f->path);
    else if (!f->stream)
        rc = check_folder(cmd, &t, id);
    if (t.kind != DS_TARGET_NEW) id->st = t.st;
    id->path = t.path; /* id owns it from here */
    return rc;
}

static int same_output(const out_id *a, const out_id *b)
{
    return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino && !a->base == !b->base &&
           (!a->base || strcmp(a->base, b->base) == 0);
}

/* The path's identity: the file's stat (symlinks followed), else its
 * folder's and its name (a file not made yet); 0 on success. */
static int path_id(const char *path, struct stat *st, const char **base)
{
    *base = NULL;
    if (stat(path, st) == 0) return 0;
    char dir[4096];
    *base = cli_split_path(path, dir, sizeof dir);
    return stat(dir, st);
}

int cli_same_file(const char *a, const char *b)
{
    out_id x = {0}, y = {0};
    return path_id(a, &x.st, &x.base) == 0 && path_id(b, &y.st, &y.base) == 0 &&
           same_output(&x, &y);
}

/* What an input is compared with. */
typedef struct inputs {
    const cli_command *cmd;
    const cli_file *in; /* the input option being checked */
    const out_id *ids;
    int n;
} inputs;

/* The input file `path` against every existing output. */
static int check_input(const inputs *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1; /* a missing input is the loader's to report */
    for (int i = 0; i < c->n; i++) {
        const out_id *o = &c->ids[i];
        if (o->base || o->st.st_dev != st.st_dev || o->st.st_ino != st.st_ino ||
            (o->f->flags & c->in->flags & CLI_CKPT))
            continue;
        return cli_usage_error(c->cmd,
                               "--%s %s is the input %s (--%s %s): refusing to overwrite it; "
                               "give another output path",
                               o->f->opt, o->f->path, path, c->in->opt, c->in->path);
    }
    return -1;
}

/* Every file in folder `dir` as an input. */
static int check_input_folder(const inputs *c, const char *dir)
{
    DIR *d = opendir(dir);
    int rc = -1;
    char path[4096];
    for (struct dirent *e; d && rc < 0 && (e = readdir(d));)
        if (e->d_name[0] != '.' && snprintf(path, sizeof path, "%s/%s", dir, e->d_name) > 0)
            rc = check_input(c, path);
    if (d) closedir(d);
    return rc;
}

/* The files a data spec reads, found without parsing it to the letter:
 * every item after "NAME:" that names a file (a key=value item names
 * none), the files of an item that is a folder, and for fashion-mnist
 * without a folder the default one. */
static int check_input_spec(const inputs *c, const char *spec)
{
    const char *colon = strchr(spec, ':');
    char *items = strdup(colon ? colon + 1 : ""), *save = NULL;
    int rc = -1, folder = 0;
    for (char *it = items ? strtok_r(items, ",", &save) : NULL; it && rc < 0;
         it = strtok_r(NULL, ",", &save)) {
        struct stat st;
        if (stat(it, &st) != 0) continue;
        folder |= S_ISDIR(st.st_mode);
        rc = S_ISDIR(st.st_mode) ? check_input_folder(c, it) : check_input(c, it);
    }
    free(items);
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (rc < 0 && !folder && len == strlen("fashion-mnist") && !strncmp(spec, "fashion-mnist", len))
        rc = check_input_folder(c, DS_FASHION_MNIST_DIR);
    return rc;
}

/* Outputs pairwise, then each against every input. */
static int check_same(const cli_command *cmd, const out_id *ids, int n, const cli_file *in, int nin)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (same_output(&ids[i], &ids[j]))
                return cli_usage_error(cmd,
                                       "--%s %s and --%s %s are the same file: give each "
                                       "output its own path",
                                       ids[j].f->opt, ids[j].f->path, ids[i].f->opt,
                                       ids[i].f->path);
    int rc = -1;
    for (int k = 0; k < nin && rc < 0; k++) {
        inputs c = {cmd, &in[k], ids, n};
        if (in[k].path)
            rc = in[k].flags & CLI_SPEC ? check_input_spec(&c, in[k].path)
                                        : check_input(&c, in[k].path);
    }
    return rc;
}

/* Keeps the real standard output for the "-" output and sends fd 1 (so
 * everything else the command prints) to stderr. */
static int keep_stdout(const cli_command *cmd)
{
    fflush(stdout);
    int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 && (kept_stdout = fdopen(fd, "wb")))
        return -1;
    fprintf(stderr, "descent %s: cannot set standard output aside\n", cmd->name);
    return CLI_EXIT_FAIL;
}

int cli_check_outputs(const cli_command *cmd, cli_file *out, int nout, const cli_file *in, int nin)
{
    out_id ids[MAX_OUTPUTS];
    int n = 0, rc = -1, dash = 0;
    for (int i = 0; i < nout && i < MAX_OUTPUTS && rc < 0; i++)
        if (out[i].path) {
            rc = identify(cmd, &out[i], &ids[n++]);
            dash |= is_dash(out[i].path);
        }
    if (rc < 0) rc = check_same(cmd, ids, n, in, nin);
    if (rc < 0 && dash) rc = keep_stdout(cmd);
    for (int i = 0; i < n; i++)
        free(ids[i].path);
    return rc;
}

ds_status cli_open_output(ds_afile *a, const char *path)
{
    if (!is_dash(path)) return ds_afile_open(a, path, DS_AFILE_STREAM_OK);
    memset(a, 0, sizeof *a);
    if (!kept_stdout || !(a->path = strdup("standard output")))
        return ds_set_error(DS_ERR_IO, "standard output was not set aside for this output");
    a->f = kept_stdout;
    kept_stdout = NULL; /* a owns it */
    return DS_OK;
}

ds_status cli_save(const ds_strbuf *b, const char *path)
{
    if (!is_dash(path)) return ds_strbuf_save(b, path);
    ds_afile a;
    ds_status s = cli_open_output(&a, path);
    if (s == DS_OK && (s = ds_strbuf_write(b, a.f)) != DS_OK) ds_afile_abort(&a);
    return s == DS_OK ? ds_afile_commit(&a) : s;
}
