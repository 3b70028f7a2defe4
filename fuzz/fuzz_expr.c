/* fuzz_expr.c - libFuzzer target for ds_fn2d_parse_expr (expressions in x
 * and y such as "exp(x*y) - log(x^2 + 1) / y"). Holds the parser to
 * functions.h: on failure *out is untouched and the message names a column
 * (or the length limit); on success the function is named by the text and
 * can be evaluated anywhere (UBSan and ASan watch the stack machine), and
 * evaluation with and without the gradient gives the same value. */
#include "fuzz.h"

#include "descent/functions.h"

#include <math.h>
#include <string.h>

static void check_eval(const ds_fn2d *f)
{
    static const double pts[][2] = {{0, 0}, {1, -1}, {-2.5, 3}, {1e300, -1e-300}, {NAN, INFINITY}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double g[2], v = f->eval(f, pts[i][0], pts[i][1], g);
        double w = f->eval(f, pts[i][0], pts[i][1], NULL);
        DS_FUZZ_CHECK(memcmp(&v, &w, sizeof v) == 0 || (isnan(v) && isnan(w)));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ds_fuzz_cstring(data, size);
    if (!text) return 0;
    ds_fn2d *f = (ds_fn2d *)text; /* a sentinel: must survive a failed parse */
    ds_clear_error();
    if (ds_fn2d_parse_expr(text, &f) == DS_OK) {
        DS_FUZZ_CHECK(f != (ds_fn2d *)text && strcmp(f->name, text) == 0);
        check_eval(f);
        ds_fn2d_free(f);
    } else {
        DS_FUZZ_CHECK(f == (ds_fn2d *)text);
        const char *msg = ds_last_error();
        DS_FUZZ_CHECK(strncmp(msg, "column ", 7) == 0 ||
                      strncmp(msg, "expression longer", 17) == 0);
    }
    free(text);
    return 0;
}
