/* confusion.h - a classifier's confusion matrix and per-class precision,
 * recall and F1 on a labelled data set, for `eval --confusion` and
 * `plot --confusion`. */
#ifndef DESCENT_CLI_CONFUSION_H
#define DESCENT_CLI_CONFUSION_H

#include "descent/data.h"
#include "descent/model.h"

#include <stdint.h>
#include <stdio.h>

typedef struct cli_confusion {
    size_t k;                        /* classes (the model's outputs) */
    int64_t *cm;                     /* k x k: row = true class, column = predicted */
    int64_t *support;                /* rows of each true class */
    double *precision, *recall, *f1; /* per class; 0 where undefined (0/0) */
    double accuracy, macro_f1;
} cli_confusion;

/* Classifies every row of set with m (the inference API, the pass eval
 * uses) and fills *c. DS_ERR_INVALID if m is not a classifier, set has no
 * labels or is streamed; DS_ERR_MISMATCH for a label >= the model's
 * classes. Free with cli_confusion_free. */
ds_status cli_confusion_of(const ds_model *m, const ds_dataset *set, int threads, cli_confusion *c);

/* The matrix and a table of precision, recall, F1 and support per class. */
void cli_confusion_print(const cli_confusion *c, FILE *f);

/* `"confusion": {...}` (matrix, per-class lists, macro F1), for a JSON object. */
void cli_confusion_json(const cli_confusion *c, FILE *f);

void cli_confusion_free(cli_confusion *c);

#endif
