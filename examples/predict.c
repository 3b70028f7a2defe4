/* predict.c - using a trained model from C with the inference API
 * (descent/infer.h): loads a model file written by `descent train --save`
 * and predicts the rows it reads from standard input, one row of
 * comma-separated numbers per line, in batches.
 *
 *     descent train --data blobs --model mlp:2-16-3 --save model.ckpt
 *     printf '0.5,1\n-2,3\n' | ./predict model.ckpt
 *
 * Prints one line per row: the class and the probabilities of a
 * classifier, else the model's outputs. */
#include "descent/infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

/* Reads one line of `f` numbers into x; 0 at the end of the input, -1 on a
 * malformed line. */
static int read_row(float *x, size_t f)
{
    char line[65536], *p = line, *end;
    if (!fgets(line, sizeof line, stdin)) return 0;
    for (size_t j = 0; j < f; j++) {
        x[j] = strtof(p, &end);
        if (end == p || (*end != ',' && j + 1 < f)) return -1;
        p = end + 1;
    }
    return 1;
}

static void print_rows(ds_infer *inf, const float *x, size_t n, float *out, int32_t *cls)
{
    size_t k = ds_infer_outputs(inf);
    if (ds_infer_classes(inf))
        ds_infer_classify(inf, x, n, cls, out);
    else
        ds_infer_predict(inf, x, n, out);
    for (size_t i = 0; i < n; i++) {
        if (ds_infer_classes(inf)) printf("%d ", (int)cls[i]);
        for (size_t j = 0; j < k; j++)
            printf("%s%.6g", j ? " " : "", out[i * k + j]);
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: predict MODEL_FILE < rows.csv\n");
        return 2;
    }
    ds_infer *inf;
    if (ds_infer_load(argv[1], NULL, &inf) != DS_OK) {
        fprintf(stderr, "predict: %s\n", ds_last_error());
        return 1;
    }
    size_t f = ds_infer_inputs(inf), k = ds_infer_outputs(inf), n = 0, line = 0;
    float *x = malloc(BATCH * f * sizeof *x), *out = malloc(BATCH * k * sizeof *out);
    int32_t cls[BATCH];
    int got, rc = 0;
    while (x && out && (got = read_row(x + n * f, f)) != 0) {
        line++;
        if (got < 0) {
            fprintf(stderr, "predict: line %zu: expected %zu comma-separated numbers\n", line, f);
            rc = 2;
            break;
        }
        if (++n == BATCH) print_rows(inf, x, n, out, cls), n = 0;
    }
    if (rc == 0 && n) print_rows(inf, x, n, out, cls);
    free(x);
    free(out);
    ds_infer_free(inf);
    return rc;
}
