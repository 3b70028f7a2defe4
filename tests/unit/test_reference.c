/* test_reference.c - golden trajectories (llm.c-style, but able to fail):
 * every case of tests/data/reference/{torch,lecture}/cases.csv is run through
 * ds_fn2d_trace with its optimizer spec and schedule, and every x, y and loss
 * of every step must lie within 1e-3 * max(1, |reference|) of the file
 * written by tools/gen_reference.py (torch.optim 1.13 in float64, or the
 * lecture formulas). See tests/data/reference/README.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/functions.h"
#include "descent/optim.h"
#include "descent/schedule.h"

#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL        1e-3
#define MAX_FIELDS 8

/* Splits one CSV line in place into fields (double quotes group, no escaped
 * quotes: the case files need none). Returns the number of fields. */
static int split_csv(char *line, char **fields)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < MAX_FIELDS) {
        if (*p == '"') {
            char *close = strchr(p + 1, '"');
            if (!close) return -1;
            fields[n++] = p + 1;
            *close = '\0';
            p = close + 1;
        } else {
            fields[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p != ',') break;
        *p++ = '\0';
    }
    return *p == '\0' ? n : -1;
}

/* Reads a trajectory file (step,x,y,loss) into rows[3 * k]; returns the row count or -1. */
static long read_trajectory(const char *path, double *rows, long max_rows)
{
    FILE *f = fopen(path, "r");
    char line[512], *fl[MAX_FIELDS];
    long n = 0;
    if (!f) return -1;
    if (!fgets(line, sizeof line, f) || strncmp(line, "step,x,y,loss", 13) != 0) n = -1;
    while (n >= 0 && fgets(line, sizeof line, f)) {
        long step;
        if (n == max_rows || split_csv(line, fl) != 4 || ds_parse_long(fl[0], &step) != 0 ||
            step != n || ds_parse_double(fl[1], &rows[3 * n]) != 0 ||
            ds_parse_double(fl[2], &rows[3 * n + 1]) != 0 ||
            ds_parse_double(fl[3], &rows[3 * n + 2]) != 0)
            n = -1;
        else
            n++;
    }
    fclose(f);
    return n;
}

/* Runs one case; returns 0 if it matches, else prints why and returns 1. */
static int run_case(const char *dir, char **c)
{
    const char *id = c[0];
    double x0, y0;
    long steps;
    ds_opt_params p;
    ds_schedule s;
    const ds_fn2d *f = ds_fn2d_find(c[1]);
    if (!f || ds_parse_double(c[2], &x0) || ds_parse_double(c[3], &y0) ||
        ds_opt_parse(c[4], &p) != DS_OK || ds_parse_long(c[5], &steps) || steps < 0 ||
        ds_schedule_parse(c[6], &s) != DS_OK) {
        print_error("%s: bad case: %s\n", id, ds_last_error());
        return 1;
    }
    size_t bytes = sizeof(double) * 3 * (size_t)(steps + 1);
    double *ours = malloc(bytes), *ref = malloc(bytes);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.csv", dir, id);
    long nref = ours && ref ? read_trajectory(path, ref, steps + 1) : -1, rows = 0;
    int bad = 0;
    if (nref != steps + 1) {
        print_error("%s: %s unreadable or not %ld rows\n", id, path, steps + 1);
        bad = 1;
    } else if (ds_fn2d_trace(f, &p, &s, x0, y0, steps, ours, &rows) != DS_OK) {
        print_error("%s: trace failed after %ld rows: %s\n", id, rows, ds_last_error());
        bad = 1;
    }
    for (long i = 0; !bad && i < 3 * (steps + 1); i++)
        if (!(fabs(ours[i] - ref[i]) <= TOL * fmax(1.0, fabs(ref[i])))) {
            print_error("%s: step %ld: %s = %.9g, reference %.9g\n", id, i / 3,
                        (const char *[]){"x", "y", "loss"}[i % 3], ours[i], ref[i]);
            bad = 1;
        }
    free(ours);
    free(ref);
    return bad;
}

/* Runs every case of <DS_TEST_DATA>/reference/<suite>/cases.csv. */
static void run_suite(const char *suite, int min_cases)
{
    const char *data = getenv("DS_TEST_DATA");
    char dir[512], path[600], line[1024], *fl[MAX_FIELDS];
    if (!data) fail_msg("DS_TEST_DATA is not set (run through ctest)");
    snprintf(dir, sizeof dir, "%s/reference/%s", data, suite);
    snprintf(path, sizeof path, "%s/cases.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    int cases = 0, failed = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, "id,fn,x0,y0,opt,steps,schedule", 30) != 0)
        fail_msg("%s: bad header", path);
    while (fgets(line, sizeof line, f)) {
        if (split_csv(line, fl) != 7) fail_msg("%s: malformed line %d", path, cases + 2);
        failed += run_case(dir, fl);
        cases++;
    }
    fclose(f);
    if (failed) fail_msg("%s: %d of %d cases differ from the reference", suite, failed, cases);
    /* guard against a suite that silently lost its cases */
    if (cases < min_cases) fail_msg("%s: only %d cases (expected >= %d)", suite, cases, min_cases);
}

static void test_torch_reference(void **state)
{
    (void)state;
    run_suite("torch", 24);
}

static void test_lecture_reference(void **state)
{
    (void)state;
    run_suite("lecture", 9);
}

/* The trace's own contract: row 0 is the start, the schedule sets the rate
 * of update t before it runs (hand-computed in float32 below), and a path
 * that leaves the finite numbers stops with its finite rows kept. */
static void test_trace_contract(void **state)
{
    (void)state;
    const ds_fn2d *q = ds_fn2d_find("quadratic");
    ds_opt_params p = ds_opt_default_params(DS_OPT_SGD);
    ds_schedule s;
    double out[3 * 41];
    long rows = -1;
    p.lr = 0.5;
    assert_int_equal(ds_schedule_parse("inv:k=1", &s), DS_OK);
    assert_int_equal(ds_fn2d_trace(q, &p, &s, -5, -2, 3, out, &rows), DS_OK);
    assert_int_equal(rows, 4);
    /* GD on 0.1 x^2 + 2 y^2: x -= lr_t 0.2 x, y -= lr_t 4 y, lr_t = 0.5 / (1 + t) */
    float x = -5.0f, y = -2.0f;
    for (int t = 0; t <= 3; t++) {
        assert_true(out[3 * t] == x && out[3 * t + 1] == y);
        assert_true(out[3 * t + 2] == 0.1 * (double)x * x + 2.0 * (double)y * y);
        float lr = (float)(0.5 / (1.0 + t));
        x -= lr * (float)(0.2 * x);
        y -= lr * (float)(4.0 * y);
    }
    /* lr = 10 > 2 / 4: the y coordinate grows 39x per step until it overflows */
    p.lr = 10.0;
    assert_int_equal(ds_fn2d_trace(q, &p, NULL, -5, -2, 40, out, &rows), DS_ERR_NONFINITE);
    assert_true(rows > 1 && rows < 41);
    for (long i = 0; i < 3 * rows; i++)
        assert_true(isfinite(out[i]));
    char want[32];
    snprintf(want, sizeof want, "at step %ld ", rows);
    assert_non_null(strstr(ds_last_error(), want));
    assert_int_equal(ds_fn2d_trace(q, &p, NULL, -5, -2, -1, out, &rows), DS_ERR_INVALID);
    assert_int_equal(ds_fn2d_trace(NULL, &p, NULL, -5, -2, 1, out, &rows), DS_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torch_reference),
        cmocka_unit_test(test_lecture_reference),
        cmocka_unit_test(test_trace_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
