/* progress.c - the training progress bar and the per-epoch lines. */
#include "progress.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, FILE *f)
{
    p->f = f;
    p->tty = isatty(fileno(f));
    p->last_draw = 0;
    p->drawn = 0;
}

/* "1:05" or "1:02:05" */
static void fmt_duration(char *buf, size_t size, double s)
{
    long t = isfinite(s) && s > 0 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

void cli_progress_step(cli_progress *p, const ds_train_progress *tp)
{
    double t = now();
    if (!p->tty || (t - p->last_draw < 0.1 && tp->batch < tp->batches)) return;
    p->last_draw = t;
    int fill = tp->batches ? (int)(BAR_WIDTH * tp->batch / tp->batches) : 0;
    char bar[BAR_WIDTH + 1], left[32];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    double rate = tp->seconds > 0 ? (double)tp->examples / tp->seconds : 0;
    double remaining = tp->batch ? tp->seconds * (double)(tp->batches - tp->batch) / tp->batch : 0;
    fmt_duration(left, sizeof left, remaining);
    fprintf(p->f, "\r\033[Kepoch %lld/%lld [%s] %zu/%zu loss %.4g %.0f ex/s left %s",
            (long long)tp->epoch, (long long)tp->epochs, bar, tp->batch, tp->batches,
            tp->train_loss, rate, left);
    fflush(p->f);
    p->drawn = 1;
}

void cli_progress_clear(cli_progress *p)
{
    /* flushed: a message on stderr must not land on the bar's line */
    if (p->drawn) fprintf(p->f, "\r\033[K"), fflush(p->f);
    p->drawn = 0;
}

void cli_progress_epoch(cli_progress *p, const ds_train_progress *tp)
{
    cli_progress_clear(p);
    fprintf(p->f, "epoch %lld/%lld  step %lld  lr %.4g  train_loss %.6g", (long long)tp->epoch,
            (long long)tp->epochs, (long long)tp->step, tp->lr, tp->train_loss);
    if (!isnan(tp->val_loss)) fprintf(p->f, "  val_loss %.6g", tp->val_loss);
    if (!isnan(tp->val_accuracy)) fprintf(p->f, "  val_accuracy %.4f", tp->val_accuracy);
    if (tp->rollbacks) fprintf(p->f, "  rollbacks %lld", (long long)tp->rollbacks);
    fprintf(p->f, "  %.2fs\n", tp->seconds);
    fflush(p->f);
}
