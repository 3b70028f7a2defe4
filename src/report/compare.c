/* compare.c - what `descent compare` computes from its finished runs: the
 * best rate of each grid (the learning-rate search's own ranking,
 * app_tune_best), the mean and spread over seeds, the epochs each
 * optimizer needs to reach a target loss, and Dolan and More's
 * performance profiles ("Benchmarking optimization software with
 * performance profiles", Math. Programming 91, 2002): for problem p and
 * optimizer o with cost t(p, o) (here epochs to the target), the ratio
 * r = t(p, o) / min over o' of t(p, o'), and rho_o(tau) the share of
 * problems with r <= tau. Also the JSON form of the study. */
#include "report/compare.h"
#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double app_cmp_metric(const app_cmp_problem *p, const app_cmp_run *r)
{
    if (r->diverged) return NAN;
    return p->classify ? r->test_acc : r->test_loss;
}

void app_cmp_pick_best(app_cmp_study *s)
{
    for (int p = 0; p < s->nprob; p++)
        for (int o = 0; o < s->nopt; o++) {
            app_cmp_cell *c = &s->cell[p][o];
            app_tune_trial t[APP_CMP_MAX_GRID];
            for (int i = 0; i < c->ngrid; i++)
                t[i] = (app_tune_trial){.lr = c->grid[i].lr,
                                        .train_loss = c->grid[i].train_loss,
                                        .val_loss = c->grid[i].rank_loss,
                                        .diverged = c->grid[i].diverged};
            c->best = app_tune_best(t, c->ngrid);
        }
}

/* Mean, lowest and highest training loss per epoch over the seeds that did
 * not diverge; the curves are as long as the shortest such run. */
static ds_status cell_curves(app_cmp_cell *c, int nseeds)
{
    int n = -1, k = 0;
    for (int i = 0; i < nseeds; i++)
        if (!c->seeds[i].diverged && (n < 0 || c->seeds[i].nepochs < n)) n = c->seeds[i].nepochs;
    if (n <= 0) return DS_OK;
    c->mean_curve = calloc(3 * (size_t)n, sizeof(double));
    if (!c->mean_curve) return ds_set_error(DS_ERR_NOMEM, "out of memory for compare curves");
    c->ncurve = n;
    c->lo_curve = c->mean_curve + n;
    c->hi_curve = c->lo_curve + n;
    for (int e = 0; e < n; e++)
        c->lo_curve[e] = INFINITY, c->hi_curve[e] = -INFINITY;
    for (int i = 0; i < nseeds; i++) {
        const app_cmp_run *r = &c->seeds[i];
        if (r->diverged) continue;
        k++;
        for (int e = 0; e < n; e++) {
            c->mean_curve[e] += r->curve[e];
            c->lo_curve[e] = fmin(c->lo_curve[e], r->curve[e]);
            c->hi_curve[e] = fmax(c->hi_curve[e], r->curve[e]);
        }
    }
    for (int e = 0; e < n; e++)
        c->mean_curve[e] /= k;
    return DS_OK;
}

/* Mean and sample standard deviation of the final metric over the seeds. */
static void cell_stats(const app_cmp_problem *p, app_cmp_cell *c, int nseeds)
{
    double sum = 0, sq = 0;
    int k = 0;
    for (int i = 0; i < nseeds; i++) {
        double m = app_cmp_metric(p, &c->seeds[i]);
        if (isnan(m)) continue;
        sum += m, sq += m * m, k++;
    }
    c->mean = k ? sum / k : NAN;
    c->sd = k > 1 ? sqrt(fmax(0, (sq - sum * sum / k) / (k - 1))) : k ? 0 : NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The target of problem p: the median over optimizers of the last mean
 * training loss, so that about half of them reach it; then each
 * optimizer's first epoch at or below it. */
static void problem_target(app_cmp_study *s, int p)
{
    double last[APP_CMP_MAX_OPTS];
    int n = 0;
    for (int o = 0; o < s->nopt; o++) {
        const app_cmp_cell *c = &s->cell[p][o];
        if (c->ncurve > 0 && isfinite(c->mean_curve[c->ncurve - 1]))
            last[n++] = c->mean_curve[c->ncurve - 1];
    }
    qsort(last, (size_t)n, sizeof *last, cmp_double);
    s->prob[p].target = n ? last[(n - 1) / 2] : NAN;
    for (int o = 0; o < s->nopt; o++) {
        app_cmp_cell *c = &s->cell[p][o];
        c->to_target = -1;
        for (int e = 0; e < c->ncurve && c->to_target < 0; e++)
            if (c->mean_curve[e] <= s->prob[p].target) c->to_target = e + 1;
    }
}

/* rho_o(tau) on tau = 1 .. 2^(ntau-1) / 4 (log-spaced), costs = epochs to
 * target (never reached: infinite, so never counted). */
static void profiles(app_cmp_study *s)
{
    s->ntau = 24;
    for (int k = 0; k < s->ntau; k++)
        s->tau[k] = pow(2.0, k / 4.0);
    for (int o = 0; o < s->nopt; o++)
        for (int k = 0; k < s->ntau; k++)
            s->rho[o][k] = 0;
    for (int p = 0; p < s->nprob; p++) {
        int best = -1;
        for (int o = 0; o < s->nopt; o++) {
            int t = s->cell[p][o].to_target;
            if (t > 0 && (best < 0 || t < best)) best = t;
        }
        for (int o = 0; o < s->nopt && best > 0; o++) {
            int t = s->cell[p][o].to_target;
            for (int k = 0; k < s->ntau; k++)
                if (t > 0 && t <= s->tau[k] * best * (1 + 1e-12)) s->rho[o][k] += 1.0 / s->nprob;
        }
    }
}

ds_status app_cmp_summarise(app_cmp_study *s)
{
    for (int p = 0; p < s->nprob; p++) {
        for (int o = 0; o < s->nopt; o++) {
            app_cmp_cell *c = &s->cell[p][o];
            free(c->mean_curve);
            c->mean_curve = c->lo_curve = c->hi_curve = NULL;
            c->ncurve = 0;
            if (c->best < 0) {
                c->mean = c->sd = NAN;
                continue;
            }
            cell_stats(&s->prob[p], c, s->seeds);
            if (cell_curves(c, s->seeds) != DS_OK) return DS_ERR_NOMEM;
        }
        problem_target(s, p);
    }
    profiles(s);
    return DS_OK;
}

void app_cmp_free(app_cmp_study *s)
{
    for (int p = 0; p < s->nprob; p++)
        for (int o = 0; o < s->nopt; o++) {
            app_cmp_cell *c = &s->cell[p][o];
            for (int i = 0; i < c->ngrid; i++)
                free(c->grid[i].curve);
            for (int i = 1; i < s->seeds; i++)
                free(c->seeds[i].curve);
            free(c->mean_curve);
        }
}

/* ---- JSON ---------------------------------------------------------- */

static void num(ds_strbuf *b, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        ds_strbuf_printf(b, "\"%s\": %.17g%s", key, v, sep);
    else
        ds_strbuf_printf(b, "\"%s\": null%s", key, sep);
}

/* s[0..n) as a JSON string (specs and arguments hold no control characters). */
static void json_str(ds_strbuf *b, const char *s, size_t n)
{
    ds_strbuf_puts(b, "\"");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\') ds_strbuf_puts(b, "\\");
        ds_strbuf_append(b, s + i, 1);
    }
    ds_strbuf_puts(b, "\"");
}

/* "command": ["ARG", ...] from the tab-separated arguments, or null. */
static void json_command(ds_strbuf *b, const char *cmd)
{
    ds_strbuf_puts(b, "\"command\": ");
    if (!cmd) {
        ds_strbuf_puts(b, "null");
        return;
    }
    ds_strbuf_puts(b, "[");
    for (const char *p = cmd;; p++) {
        size_t n = strcspn(p, "\t");
        json_str(b, p, n);
        if (!p[n]) break;
        ds_strbuf_puts(b, ", ");
        p += n;
    }
    ds_strbuf_puts(b, "]");
}

static void json_run(ds_strbuf *b, const app_cmp_run *r, int curve)
{
    ds_strbuf_printf(b, "{\"seed\": %ld, \"diverged\": %s, ", r->seed,
                     r->diverged ? "true" : "false");
    num(b, "lr", r->lr, ", ");
    num(b, "rank_loss", r->rank_loss, ", ");
    num(b, "train_loss", r->train_loss, ", ");
    num(b, "test_loss", r->test_loss, ", ");
    num(b, "test_accuracy", r->test_acc, curve ? ", " : "}");
    if (!curve) return;
    ds_strbuf_puts(b, "\"curve\": [");
    for (int e = 0; e < r->nepochs; e++)
        ds_strbuf_printf(b, isfinite(r->curve[e]) ? "%s%.17g" : "%snull", e ? ", " : "",
                         r->curve[e]);
    ds_strbuf_puts(b, "]}");
}

static void json_cell(ds_strbuf *b, const app_cmp_study *s, const app_cmp_cell *c, int o)
{
    ds_strbuf_puts(b, "    {\"optimizer\": ");
    json_str(b, s->opt[o], strlen(s->opt[o]));
    ds_strbuf_puts(b, ",\n     \"grid\": [");
    for (int i = 0; i < c->ngrid; i++) {
        ds_strbuf_puts(b, i ? ",\n              " : "");
        json_run(b, &c->grid[i], 0);
    }
    ds_strbuf_puts(b, "],\n     ");
    num(b, "best_lr", c->best >= 0 ? c->grid[c->best].lr : NAN, ", ");
    num(b, "mean", c->mean, ", ");
    num(b, "sd", c->sd, ", ");
    ds_strbuf_printf(b, "\"epochs_to_target\": %d,\n     \"seeds\": [", c->to_target);
    for (int i = 0; c->best >= 0 && i < s->seeds; i++) {
        ds_strbuf_puts(b, i ? ",\n               " : "");
        json_run(b, &c->seeds[i], 1);
    }
    ds_strbuf_puts(b, "]}");
}

void app_cmp_json(ds_strbuf *b, const app_cmp_study *s)
{
    ds_strbuf_printf(b, "{\"budget\": \"%s\", \"seeds\": %d,\n \"problems\": [\n", s->budget,
                     s->seeds);
    for (int p = 0; p < s->nprob; p++) {
        const app_cmp_problem *pr = &s->prob[p];
        ds_strbuf_printf(b, "  {\"problem\": \"%s\", \"metric\": \"%s\", \"epochs\": %d, ",
                         pr->name, pr->classify ? "test_accuracy" : "test_loss", pr->epochs);
        num(b, "target_train_loss", pr->target, ", ");
        num(b, "optimum", pr->optimum, ", ");
        ds_strbuf_puts(b, "\"published\": [");
        for (int k = 0; k < 3; k++)
            ds_strbuf_printf(b, isfinite(pr->deepobs[k]) ? "%s%.17g" : "%snull", k ? ", " : "",
                             pr->deepobs[k]);
        ds_strbuf_puts(b, "], ");
        json_command(b, pr->command);
        ds_strbuf_puts(b, ",\n   \"optimizers\": [\n");
        for (int o = 0; o < s->nopt; o++) {
            json_cell(b, s, &s->cell[p][o], o);
            ds_strbuf_puts(b, o + 1 < s->nopt ? ",\n" : "]}");
        }
        ds_strbuf_puts(b, p + 1 < s->nprob ? ",\n" : "],\n");
    }
    ds_strbuf_puts(b, " \"profiles\": {\"tau\": [");
    for (int k = 0; k < s->ntau; k++)
        ds_strbuf_printf(b, "%s%.17g", k ? ", " : "", s->tau[k]);
    ds_strbuf_puts(b, "]");
    for (int o = 0; o < s->nopt; o++) {
        ds_strbuf_puts(b, ",\n  ");
        json_str(b, s->opt[o], strlen(s->opt[o]));
        ds_strbuf_puts(b, ": [");
        for (int k = 0; k < s->ntau; k++)
            ds_strbuf_printf(b, "%s%.17g", k ? ", " : "", s->rho[o][k]);
        ds_strbuf_puts(b, "]");
    }
    ds_strbuf_puts(b, "}}\n");
}
