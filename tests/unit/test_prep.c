/* test_prep.c - the features' preprocessing (descent/prep.h): statistics
 * of the training rows worked by hand, the transform's exact arithmetic,
 * the fill of missing values, class names, and the checkpoint records
 * (round trip, files without them, malformed ones). */
#include "descent/prep.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

/* 4 rows x 2 features: column 0 = 1, 2, 3, 6 (mean 3, population std
 * sqrt(3.5), min 1, max 6); column 1 = 5 everywhere (std 0, max == min). */
static ds_dataset *four_rows(void)
{
    static const float x[8] = {1, 5, 2, 5, 3, 5, 6, 5};
    ds_dataset *d = ds_dataset_create(4, 2, 2, 0);
    assert_non_null(d);
    memcpy(ds_dataset_x(d), x, sizeof x);
    return d;
}

static void standard(void **state)
{
    (void)state;
    ds_dataset *d = four_rows();
    ds_prep *p;
    assert_int_equal(ds_prep_fit(d, DS_NORM_STANDARD, &p), DS_OK);
    assert_int_equal(ds_prep_inputs(p), 2);
    assert_true(ds_prep_offset(p)[0] == 3.0f && ds_prep_scale(p)[0] == (float)(1 / sqrt(3.5)));
    assert_true(ds_prep_offset(p)[1] == 5.0f && ds_prep_scale(p)[1] == 1.0f); /* std 0 */
    assert_int_equal(ds_prep_apply_dataset(p, d), DS_OK);
    const float *x = ds_dataset_x(d);
    double sum = 0, sq = 0;
    for (int i = 0; i < 4; i++)
        sum += x[2 * i], sq += (double)x[2 * i] * x[2 * i];
    assert_true(fabs(sum / 4) < 1e-6 && fabs(sq / 4 - 1) < 1e-6); /* mean 0, variance 1 */
    assert_true(x[1] == 0.0f && x[7] == 0.0f);
    /* the exact float operations an exporter's Sub then Mul reproduce */
    float row[2] = {4.5f, 7.0f};
    ds_prep_apply(p, row, 1);
    assert_true(row[0] == (4.5f - 3.0f) * (float)(1 / sqrt(3.5)) && row[1] == 2.0f);
    assert_int_equal(ds_prep_classes(p), 0);
    assert_null(ds_prep_class_name(p, 0));
    ds_prep_free(p);
    ds_dataset_free(d);
}

static void minmax_and_none(void **state)
{
    (void)state;
    ds_dataset *d = four_rows();
    ds_prep *p;
    assert_int_equal(ds_prep_fit(d, DS_NORM_MINMAX, &p), DS_OK);
    float row[4] = {1, 5, 6, 9};
    ds_prep_apply(p, row, 2);
    assert_true(row[0] == 0.0f && row[2] == 1.0f && row[1] == 0.0f && row[3] == 4.0f);
    ds_prep_free(p);
    assert_int_equal(ds_prep_fit(d, DS_NORM_NONE, &p), DS_OK);
    float keep[2] = {-0.0f, 1e-30f};
    ds_prep_apply(p, keep, 1);
    assert_true(signbit(keep[0]) && keep[1] == 1e-30f); /* bits unchanged */
    ds_prep_free(p);
    ds_norm n = DS_NORM_NONE;
    assert_int_equal(ds_norm_parse("minmax", &n), DS_OK);
    assert_int_equal(n, DS_NORM_MINMAX);
    assert_int_equal(ds_norm_parse("z-score", &n), DS_ERR_PARSE);
    assert_non_null(strstr(ds_last_error(), "accepted: none, standard, minmax"));
    assert_string_equal(ds_norm_name(DS_NORM_STANDARD), "standard");
    assert_null(ds_norm_name(DS_NORM_COUNT));
    ds_dataset_free(d);
}

/* NaN cells (missing=mean) are left out of the statistics and filled with
 * the column's mean before scaling. */
static void missing_filled(void **state)
{
    (void)state;
    ds_dataset *d = four_rows();
    ds_dataset_x(d)[6] = NAN; /* column 0: 1, 2, 3 -> mean 2 */
    ds_prep *p;
    assert_int_equal(ds_prep_fit(d, DS_NORM_MINMAX, &p), DS_OK);
    assert_true(ds_prep_fill(p)[0] == 2.0f && ds_prep_offset(p)[0] == 1.0f);
    assert_true(ds_prep_scale(p)[0] == 0.5f);
    ds_prep_apply_dataset(p, d);
    assert_true(ds_dataset_x(d)[6] == 0.5f);
    ds_prep_free(p);
    ds_dataset_x(d)[0] = NAN; /* none: only the fill */
    assert_int_equal(ds_prep_fit(d, DS_NORM_NONE, &p), DS_OK);
    ds_prep_apply_dataset(p, d);
    assert_true(ds_dataset_x(d)[0] == ds_prep_fill(p)[0] && isfinite(ds_dataset_x(d)[0]));
    ds_prep_free(p);
    ds_dataset *other = ds_dataset_create(1, 3, 2, 0);
    assert_int_equal(ds_prep_fit(d, DS_NORM_NONE, &p), DS_OK);
    assert_int_equal(ds_prep_apply_dataset(p, other), DS_ERR_MISMATCH);
    assert_non_null(strstr(ds_last_error(), "learned on 2 features, the data has 3"));
    ds_prep_free(p);
    ds_dataset_free(other);
    ds_dataset_free(d);
}

/* A prep with class names, through a checkpoint file and back. */
static void checkpoint_round_trip(void **state)
{
    (void)state;
    const char *path = path_in_tmp("named.csv");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("a,b,kind\n1,2,dog\n3,4,cat\n5,6,emu\n", f);
    fclose(f);
    ds_dataset *d;
    assert_int_equal(ds_csv_load(path, NULL, &d), DS_OK);
    ds_prep *p, *q;
    assert_int_equal(ds_prep_fit(d, DS_NORM_STANDARD, &p), DS_OK);
    assert_int_equal(ds_prep_classes(p), 3);
    assert_string_equal(ds_prep_class_name(p, 0), "cat");
    ds_ckpt *c = ds_ckpt_new();
    assert_int_equal(ds_prep_put(p, c), DS_OK);
    const char *file = path_in_tmp("prep.ckpt");
    assert_int_equal(ds_ckpt_save(c, file), DS_OK);
    assert_int_equal(ds_prep_load(file, &q), DS_OK);
    assert_int_equal(ds_prep_inputs(q), 2);
    assert_int_equal(ds_prep_norm(q), DS_NORM_STANDARD);
    assert_memory_equal(ds_prep_offset(q), ds_prep_offset(p), 2 * sizeof(float));
    assert_memory_equal(ds_prep_scale(q), ds_prep_scale(p), 2 * sizeof(float));
    assert_memory_equal(ds_prep_fill(q), ds_prep_fill(p), 2 * sizeof(float));
    assert_int_equal(ds_prep_classes(q), 3);
    for (int32_t k = 0; k < 3; k++)
        assert_string_equal(ds_prep_class_name(q, k), ds_prep_class_name(p, k));
    assert_string_equal(ds_prep_class_names(q)[2], "emu");
    assert_int_equal(ds_prep_column_count(q), 3); /* the file's columns, label included */
    assert_string_equal(ds_prep_column_name(q, 1), "b");
    assert_int_equal(ds_prep_label_column(q), 2);
    assert_null(ds_prep_column_name(q, 3));
    ds_prep_free(q);
    /* malformed records */
    assert_int_equal(ds_ckpt_put_i64(c, "prep.label_column", 3), DS_OK);
    assert_int_equal(ds_prep_from_checkpoint(c, &q), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "3 columns with the label at 3"));
    assert_int_equal(ds_ckpt_put_text(c, "prep.classes", "cat\n\nemu"), DS_OK);
    assert_int_equal(ds_prep_from_checkpoint(c, &q), DS_ERR_FORMAT);
    assert_null(q);
    assert_int_equal(ds_prep_put(p, c), DS_OK);
    float three[3] = {0};
    assert_int_equal(ds_ckpt_put(c, "prep.scale", DS_CKPT_F32, three, 3), DS_OK);
    assert_int_equal(ds_prep_from_checkpoint(c, &q), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), "prep.scale"));
    assert_int_equal(ds_ckpt_put_text(c, "prep.norm", "zscore"), DS_OK);
    assert_int_equal(ds_prep_from_checkpoint(c, &q), DS_ERR_FORMAT);
    ds_ckpt_free(c);
    ds_prep_free(p);
    ds_dataset_free(d);
}

/* A file without prep records is the identity of 0 inputs. */
static void identity_without_records(void **state)
{
    (void)state;
    ds_ckpt *c = ds_ckpt_new();
    ds_prep *p;
    assert_int_equal(ds_prep_from_checkpoint(c, &p), DS_OK);
    assert_int_equal(ds_prep_inputs(p), 0);
    assert_int_equal(ds_prep_classes(p), 0);
    assert_null(ds_prep_offset(p));
    float x[3] = {NAN, 2, 3};
    ds_prep_apply(p, x, 1);
    assert_true(isnan(x[0]) && x[1] == 2);
    ds_dataset *d = four_rows();
    assert_int_equal(ds_prep_apply_dataset(p, d), DS_OK);
    assert_int_equal(ds_prep_put(p, c), DS_OK); /* writes nothing */
    assert_int_equal(ds_ckpt_count(c), 0);
    ds_prep_free(p);
    ds_dataset_free(d);
    ds_ckpt_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(standard),
        cmocka_unit_test(minmax_and_none),
        cmocka_unit_test(missing_filled),
        cmocka_unit_test(checkpoint_round_trip),
        cmocka_unit_test(identity_without_records),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
