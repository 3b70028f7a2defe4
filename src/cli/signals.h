/* signals.h - SIGINT and SIGTERM as a request to stop, for the commands
 * that write files (train, gen). The handler only records the signal; the
 * command polls it from the library's progress or cancel callback and
 * stops at a point where its files are whole, then exits 128 + the signal.
 * The library itself never touches signals. */
#ifndef DESCENT_CLI_SIGNALS_H
#define DESCENT_CLI_SIGNALS_H

#include <signal.h>

/* The first SIGINT/SIGTERM received since cli_catch_signals, or 0. */
extern volatile sig_atomic_t cli_stop_signal;

/* Installs the handler for SIGINT and SIGTERM. It stays installed: a
 * second signal while the command stops (saving a checkpoint, removing a
 * temporary file) is absorbed, so the stop always completes and leaves no
 * temporary file; SIGQUIT (Ctrl-\) or SIGKILL still end it at once. */
void cli_catch_signals(void);

/* 128 + the signal that stopped the command: its exit status. */
int cli_signal_status(void);

#endif
