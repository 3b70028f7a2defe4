/* confusion.c - the confusion matrix and per-class scores of `eval
 * --confusion` and `plot --confusion`. Precision of class j is the share
 * of rows predicted j that are j (column j), recall of class i the share
 * of rows of class i predicted i (row i), F1 their harmonic mean; a 0/0
 * is 0, as scikit-learn's zero_division default reports it. */
#include "confusion.h"

#include "descent/infer.h"

#include <stdlib.h>
#include <string.h>

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

static void scores(cli_confusion *c, size_t n)
{
    size_t k = c->k;
    int64_t right = 0;
    c->macro_f1 = 0;
    for (size_t i = 0; i < k; i++) {
        int64_t row = 0, col = 0;
        for (size_t j = 0; j < k; j++)
            row += c->cm[i * k + j], col += c->cm[j * k + i];
        right += c->cm[i * k + i];
        c->support[i] = row;
        c->precision[i] = ratio(c->cm[i * k + i], col);
        c->recall[i] = ratio(c->cm[i * k + i], row);
        double pr = c->precision[i] + c->recall[i];
        c->f1[i] = pr > 0 ? 2 * c->precision[i] * c->recall[i] / pr : 0.0;
        c->macro_f1 += c->f1[i] / (double)k;
    }
    c->accuracy = ratio(right, (int64_t)n);
}

static ds_status count(cli_confusion *c, ds_infer *inf, const ds_dataset *set)
{
    ds_batch all = ds_dataset_view(set, 0, ds_dataset_rows(set));
    size_t n = all.n;
    const int32_t *labels = all.labels;
    int32_t *pred = malloc(n * sizeof *pred);
    if (!pred) return ds_set_error(DS_ERR_NOMEM, "no memory for %zu predictions", n);
    ds_status s = ds_infer_classify(inf, all.x, n, pred, NULL);
    for (size_t i = 0; s == DS_OK && i < n; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= c->k)
            s = ds_set_error(DS_ERR_MISMATCH, "row %zu has label %d, the model has %zu classes", i,
                             (int)labels[i], c->k);
        else
            c->cm[(size_t)labels[i] * c->k + (size_t)pred[i]]++;
    }
    free(pred);
    if (s == DS_OK) scores(c, n);
    return s;
}

ds_status cli_confusion_of(const ds_model *m, const ds_dataset *set, int threads, cli_confusion *c)
{
    memset(c, 0, sizeof *c);
    ds_infer_params p = ds_infer_default_params();
    p.slots = 1, p.threads = threads, p.max_rows = 4096;
    ds_infer *inf;
    ds_status s = ds_infer_from_model(m, &p, &inf);
    if (s != DS_OK) return s;
    if (!(c->k = ds_infer_classes(inf))) {
        ds_infer_free(inf);
        return ds_set_error(DS_ERR_INVALID, "--confusion needs a classifier (a model trained "
                                            "with --loss xent)");
    }
    if (ds_dataset_classes(set) == 0 || ds_dataset_view(set, 0, 1).n == 0) {
        ds_infer_free(inf);
        return ds_set_error(DS_ERR_INVALID, "--confusion needs class labels in memory (this data "
                                            "set has regression targets or is streamed)");
    }
    size_t k = c->k;
    c->cm = calloc(k * k + k, sizeof *c->cm);
    c->precision = calloc(3 * k, sizeof *c->precision);
    s = c->cm && c->precision ? DS_OK : ds_set_error(DS_ERR_NOMEM, "no memory for %zu classes", k);
    if (s == DS_OK) {
        c->support = c->cm + k * k;
        c->recall = c->precision + k, c->f1 = c->precision + 2 * k;
        s = count(c, inf, set);
    }
    ds_infer_free(inf);
    if (s != DS_OK) cli_confusion_free(c);
    return s;
}

void cli_confusion_print(const cli_confusion *c, FILE *f)
{
    fprintf(f, "confusion matrix (rows: true class, columns: predicted)\n%6s", "");
    for (size_t j = 0; j < c->k; j++)
        fprintf(f, " %7zu", j);
    for (size_t i = 0; i < c->k; i++) {
        fprintf(f, "\n%6zu", i);
        for (size_t j = 0; j < c->k; j++)
            fprintf(f, " %7lld", (long long)c->cm[i * c->k + j]);
    }
    fprintf(f, "\n\n%6s %9s %9s %9s %9s\n", "class", "precision", "recall", "f1", "support");
    for (size_t i = 0; i < c->k; i++)
        fprintf(f, "%6zu %9.4f %9.4f %9.4f %9lld\n", i, c->precision[i], c->recall[i], c->f1[i],
                (long long)c->support[i]);
    fprintf(f, "%6s %29.4f\n", "macro", c->macro_f1);
}

static void json_list(FILE *f, const char *name, const double *v, size_t k)
{
    fprintf(f, ", \"%s\": [", name);
    for (size_t i = 0; i < k; i++)
        fprintf(f, "%s%.17g", i ? ", " : "", v[i]);
    fputs("]", f);
}

void cli_confusion_json(const cli_confusion *c, FILE *f)
{
    fputs("\"confusion\": {\"matrix\": [", f);
    for (size_t i = 0; i < c->k; i++) {
        fputs(i ? ", [" : "[", f);
        for (size_t j = 0; j < c->k; j++)
            fprintf(f, "%s%lld", j ? ", " : "", (long long)c->cm[i * c->k + j]);
        fputs("]", f);
    }
    fputs("]", f);
    json_list(f, "precision", c->precision, c->k);
    json_list(f, "recall", c->recall, c->k);
    json_list(f, "f1", c->f1, c->k);
    fputs(", \"support\": [", f);
    for (size_t i = 0; i < c->k; i++)
        fprintf(f, "%s%lld", i ? ", " : "", (long long)c->support[i]);
    fprintf(f, "], \"macro_f1\": %.17g}", c->macro_f1);
}

void cli_confusion_free(cli_confusion *c)
{
    free(c->cm);
    free(c->precision);
    memset(c, 0, sizeof *c);
}
