/* progress.h - what `descent train` shows while it trains: on a terminal a
 * live bar per epoch (loss, examples/s, time left), redrawn in place at most
 * ten times a second; otherwise (a pipe, a file, CI) one plain line per
 * epoch, so logs stay readable. Rendering only: the numbers come from the
 * library's progress callback (descent/train.h). */
#ifndef DESCENT_CLI_PROGRESS_H
#define DESCENT_CLI_PROGRESS_H

#include "descent/train.h"

#include <stdio.h>

typedef struct cli_progress {
    FILE *f;          /* where lines go */
    int tty;          /* f is a terminal: draw the live bar */
    double last_draw; /* monotonic seconds of the last redraw */
    int drawn;        /* a bar is on the current line */
} cli_progress;

/* Renders on f; the bar only if f is a terminal (isatty). */
void cli_progress_init(cli_progress *p, FILE *f);

/* After a step: redraws the bar (terminal only, throttled). */
void cli_progress_step(cli_progress *p, const ds_train_progress *tp);

/* At an epoch's end: replaces the bar with the epoch's summary line. */
void cli_progress_epoch(cli_progress *p, const ds_train_progress *tp);

/* Clears an unfinished bar (before an error message). */
void cli_progress_clear(cli_progress *p);

#endif
