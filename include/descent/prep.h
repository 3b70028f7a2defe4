/* descent/prep.h - what is done to the features before the model sees them,
 * learned at training time and stored with the model: the scaling of each
 * feature (--normalize standard|minmax|none), the fill value of a missing
 * cell (a CSV read with missing=mean leaves NaN there), and the names of
 * the classes when the labels were strings ("cat", "dog": sorted by byte
 * value, index 0 the first), and the training CSV file's column names.
 *
 *     ds_prep *p;
 *     if (ds_prep_fit(train, DS_NORM_STANDARD, &p) != DS_OK) ... ds_last_error() ...
 *     ds_prep_apply_dataset(p, train);            // and the validation and test sets
 *     train_params.prep = p;                       // recorded in every checkpoint
 *     ...
 *     ds_prep_load("model.ckpt", &p);              // later: eval, predict, export
 *     ds_prep_apply(p, rows, n);                   // rows: n x ds_prep_inputs(p) floats
 *     printf("%s\n", ds_prep_class_name(p, k));   // NULL when the labels were numbers
 *     ds_prep_free(p);
 *
 * The transform, per feature j (float arithmetic, in this order, so that an
 * exported graph "Sub, Mul" gives the same bits):
 *     x = isnan(x) ? fill[j] : x;
 *     x = (x - offset[j]) * scale[j];
 *   standard: offset = mean, scale = 1 / std (population std, as
 *             scikit-learn's StandardScaler; 1 where std is 0)
 *   minmax:   offset = min, scale = 1 / (max - min) (1 where max == min),
 *             so training values land in [0, 1]
 *   none:     offset = 0, scale = 1 (the identity: bits unchanged)
 * fill[j] is the mean of the column's non-missing training values (0 if
 * it has none). Statistics are computed in double over the training split
 * only (never the validation or test rows).
 *
 * Checkpoint records (descent/checkpoint.h; written by the trainer when
 * ds_train_params.prep is set): "prep.norm" (text: none, standard or
 * minmax), "prep.offset", "prep.scale", "prep.fill" (f32, one per feature),
 * "prep.classes" (text: the class names joined by '\n'; absent when the
 * labels were numbers), "prep.columns" (text: the training CSV file's
 * column names joined by '\n') and "prep.label_column" (i64; both absent
 * when the data was not read from a CSV file).
 *
 * A ds_prep is immutable once made: any number of threads may apply one at
 * once. Errors: ds_status with a message (ds_last_error()); on failure
 * *out is NULL. */
#ifndef DESCENT_PREP_H
#define DESCENT_PREP_H

#include "descent/export.h"

#include "descent/checkpoint.h"
#include "descent/data.h"
#include "descent/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ds_norm {
    DS_NORM_NONE = 0, /* no scaling */
    DS_NORM_STANDARD, /* zero mean, unit variance */
    DS_NORM_MINMAX,   /* [min, max] -> [0, 1] */
    DS_NORM_COUNT
} ds_norm;

/* "none" | "standard" | "minmax"; on failure *out is unchanged and the
 * message lists the accepted words. */
DS_API ds_status ds_norm_parse(const char *s, ds_norm *out);
/* The canonical word, NULL if out of range. */
DS_API const char *ds_norm_name(ds_norm n);

typedef struct ds_prep ds_prep;

/* Learns the transform from the rows of `train` (an in-memory data set:
 * DS_ERR_UNSUPPORTED for a streamed one), and takes its class names
 * (ds_dataset_class_name). NaN cells are missing values: left out of the
 * statistics, filled by ds_prep_apply. */
DS_API ds_status ds_prep_fit(const ds_dataset *train, ds_norm norm, ds_prep **out);

/* Frees it. NULL is a no-op. */
DS_API void ds_prep_free(ds_prep *p);

/* Transforms `rows` rows of ds_prep_inputs(p) floats in place. A prep with
 * 0 inputs (from a checkpoint that has no prep records) leaves x as it is.
 * Never fails, never allocates. */
DS_API void ds_prep_apply(const ds_prep *p, float *x, size_t rows);

/* The same on every row of d. DS_ERR_MISMATCH unless d has
 * ds_prep_inputs(p) features (or p has 0 inputs); DS_ERR_UNSUPPORTED for a
 * streamed data set. */
DS_API ds_status ds_prep_apply_dataset(const ds_prep *p, ds_dataset *d);

/* Number of input columns (features) it was fitted on; 0 for the identity
 * read from a checkpoint without prep records. */
DS_API size_t ds_prep_inputs(const ds_prep *p);
DS_API ds_norm ds_prep_norm(const ds_prep *p);

/* The per-feature arrays (ds_prep_inputs(p) floats each, owned by p; NULL
 * with 0 inputs), for exporters that write the transform as graph nodes. */
DS_API const float *ds_prep_offset(const ds_prep *p);
DS_API const float *ds_prep_scale(const ds_prep *p);
DS_API const float *ds_prep_fill(const ds_prep *p);

/* Class names: the count (0 when the labels were numbers: print the index
 * itself), the name of class k (NULL for k out of range or no names), and
 * the whole array (NULL with no names). */
DS_API int32_t ds_prep_classes(const ds_prep *p);
DS_API const char *ds_prep_class_name(const ds_prep *p, int32_t k);
DS_API const char *const *ds_prep_class_names(const ds_prep *p);

/* The columns of the training CSV file (features and label, in file
 * order; "1", "2", ... for a file without a header), so that other files
 * can be matched to them by name: the count (0 when the data was not
 * read from a CSV file), the name of column i (NULL out of range), and
 * the index of the label column among them. */
DS_API size_t ds_prep_column_count(const ds_prep *p);
DS_API const char *ds_prep_column_name(const ds_prep *p, size_t i);
DS_API size_t ds_prep_label_column(const ds_prep *p);

/* Adds the "prep.*" records to c (replacing older ones). */
DS_API ds_status ds_prep_put(const ds_prep *p, ds_ckpt *c);

/* Reads the "prep.*" records of a checkpoint or model file. A file without
 * them (written before they existed, or by a run that did not record one)
 * gives the identity: 0 inputs, DS_NORM_NONE, no class names.
 * DS_ERR_FORMAT for malformed records (sizes that differ, a bad name, an
 * unknown norm). ds_prep_load reads the file first (ds_ckpt_load's errors). */
DS_API ds_status ds_prep_from_checkpoint(const ds_ckpt *c, ds_prep **out);
DS_API ds_status ds_prep_load(const char *path, ds_prep **out);

#ifdef __cplusplus
}
#endif
#endif
