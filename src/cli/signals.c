/* signals.c - the stop request of signals.h. No SA_RESETHAND: with it a
 * second Ctrl-C killed `descent train` in the middle of the checkpoint it
 * was saving because of the first, leaving FILE.tmp.XXXXXX behind. The
 * handler may run on any thread (OpenMP workers too); it only stores. */
#include "signals.h"

#include <string.h>

volatile sig_atomic_t cli_stop_signal;

static void on_signal(int sig)
{
    if (!cli_stop_signal) cli_stop_signal = sig;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_signal_status(void)
{
    return 128 + (int)cli_stop_signal;
}
