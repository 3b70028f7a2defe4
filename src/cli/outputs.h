/* outputs.h - every file a command writes, checked in one place before any
 * work: the folder exists and is writable; the path is not a directory; a
 * device, FIFO, socket or "-" (standard output) only where the output can
 * be a stream; and no output is the same file as an input or as another
 * output. Paths are compared by device and inode after following symlinks
 * (a new file by its folder and name), so "d.csv", "./d.csv", a hard link
 * and a symlink to it are all the same file. The writes themselves go
 * through the library's writer (descent/afile.h): files replaced
 * atomically, streams written in place. */
#ifndef DESCENT_CLI_OUTPUTS_H
#define DESCENT_CLI_OUTPUTS_H

#include "args.h"

#include "descent/afile.h"
#include "descent/strbuf.h"

enum {
    /* An output written from start to end once (or, a log, appended to): a
     * device, FIFO or socket gets it in place. Without it the output must
     * be a file: a checkpoint rewritten all through a run and read back by
     * --resume; a stream file whose header is rewritten at the end. */
    CLI_STREAM = 1,
    /* A text output (CSV, SVG, HTML) that "-" sends to standard output. */
    CLI_STDOUT = 2,
    /* A checkpoint. An input and an output both so marked may be the same
     * file: `--resume X --checkpoint X` (or --save X) continues a run in
     * place, as the checkpoint is read whole before anything is written. */
    CLI_CKPT = 4,
    /* An input given as a data spec (doc/data.md): the files it reads
     * (every item that names a file, the files of a folder item, and
     * Fashion-MNIST's default folder) are the inputs. */
    CLI_SPEC = 8,
};

/* A file (or data spec) a command reads or writes, named by --opt. */
typedef struct cli_file {
    const char *opt;  /* the option without dashes: "save" */
    const char *path; /* as given; NULL when the option was not given */
    int flags;        /* DS_CLI_* */
    int stream;       /* set by cli_check_outputs: 1 if written in place */
} cli_file;

/* Checks out[0..nout-1] against each other and against in[0..nin-1] (at
 * most 8 outputs). On a problem prints one line naming the option(s) and
 * path(s) ("descent train: --save d.csv is the input d.csv (--data
 * csv:d.csv): refusing to overwrite it") and returns CLI_EXIT_USAGE.
 * Otherwise returns -1, after moving the command's own printing to stderr
 * if an output is "-", so that standard output carries that output alone. */
int cli_check_outputs(const cli_command *cmd, cli_file *out, int nout, const cli_file *in, int nin);

/* 1 if the paths a and b name the same file (an existing one by device and
 * inode, symlinks followed; one not made yet by its folder and name). */
int cli_same_file(const char *a, const char *b);

/* Opens the output `path` (DS_AFILE_STREAM_OK); "-" is the standard
 * output kept by cli_check_outputs. Close with ds_afile_commit. */
ds_status cli_open_output(ds_afile *a, const char *path);

/* Writes b as the whole content of `path` (atomically for a file; "-" is
 * standard output). */
ds_status cli_save(const ds_strbuf *b, const char *path);

#endif
