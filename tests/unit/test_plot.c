/* test_plot.c - the pieces under every figure: nice tick steps, log ticks,
 * tick labels, the SVG writer's escaping and number format, segment
 * clipping, lecture colours, dash patterns, the training-log reader's strictness, the
 * atomic save, and the renderers' refusal of bad options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/optim.h"
#include "descent/plot.h"
#include "plot/plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_nice(double step)
{
    double mag = pow(10, floor(log10(step) + 1e-9));
    double m = step / mag;
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9;
}

static void test_nice_step(void **state)
{
    (void)state;
    assert_true(fabs(ds__nice_step(10, 5) - 2) < 1e-12);
    assert_true(fabs(ds__nice_step(1, 5) - 0.2) < 1e-12);
    assert_true(fabs(ds__nice_step(0.037, 8) - 0.005) < 1e-15);
    assert_true(fabs(ds__nice_step(7300, 6) - 2000) < 1e-9);
    /* For many spans: a 1-2-5 step, at most max ticks, and the next
     * smaller nice step would give too many. */
    for (double span = 1e-3; span < 1e6; span *= 1.37) {
        double s = ds__nice_step(span, 6);
        assert_true(is_nice(s));
        assert_true(span / s <= 6 + 1e-9);
        double smaller = is_nice(s / 2) ? s / 2 : s / 2.5;
        assert_true(span / smaller > 6);
    }
}

static void test_ticks(void **state)
{
    (void)state;
    double t[64];
    int n = ds__ticks(-1.3, 2.7, 8, t, 64);
    assert_int_equal(n, 8); /* step 0.5: -1, -0.5, ..., 2.5 */
    assert_true(t[0] >= -1.3 && t[n - 1] <= 2.7);
    int zero = 0;
    for (int i = 0; i < n; i++) {
        if (i) assert_true(fabs(t[i] - t[i - 1] - 0.5) < 1e-12);
        zero += t[i] == 0 && !signbit(t[i]);
    }
    assert_int_equal(zero, 1);
    n = ds__log_ticks(0.003, 2000, t, 64);
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++)
        assert_true(fabs(t[i] / pow(10, i - 2) - 1) < 1e-12);
    assert_true(ds__log_ticks(1e-30, 1e30, t, 64) <= 9); /* thinned decades */
    char s[32];
    ds__tick_label(0.5, 0.5, s, sizeof s);
    assert_string_equal(s, "0.5");
    ds__tick_label(-0.25, 0.05, s, sizeof s);
    assert_string_equal(s, "-0.25");
    ds__tick_label(2000, 1000, s, sizeof s);
    assert_string_equal(s, "2000");
    ds__tick_label(0.001, 0, s, sizeof s);
    assert_string_equal(s, "0.001");
}

static void test_escape_and_numbers(void **state)
{
    (void)state;
    ds_strbuf b = {0};
    ds_strbuf_put_escaped(&b, "a<b & \"c\" 'd'>");
    assert_string_equal(b.data, "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
    ds_strbuf_free(&b);
    /* Controls dropped, UTF-8 kept, bad bytes (lone 0xff, overlong) -> U+FFFD. */
    ds_strbuf_put_escaped(&b, "x\x01y\xc3\xa9z\xff\xc0\xaf");
    assert_string_equal(b.data, "xy\xc3\xa9z\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    ds_strbuf_free(&b);
    double v[] = {3.10, -0.001, 12, 2.456, -7.5};
    for (int i = 0; i < 5; i++) {
        ds__put_num(&b, v[i]);
        ds_strbuf_puts(&b, " ");
    }
    assert_string_equal(b.data, "3.1 0 12 2.46 -7.5 ");
    assert_int_equal(b.len, strlen(b.data));
    ds_strbuf_free(&b);
    assert_null(b.data);
}

static void test_clip(void **state)
{
    (void)state;
    const double w[4] = {0, 1, 0, 1};
    double t0, t1;
    assert_true(ds__clip_segment(w, -1, 0.5, 2, 0.5, &t0, &t1)); /* through both sides */
    assert_true(fabs(t0 - 1.0 / 3) < 1e-12 && fabs(t1 - 2.0 / 3) < 1e-12);
    assert_true(ds__clip_segment(w, 0.2, 0.2, 0.8, 0.9, &t0, &t1)); /* inside */
    assert_true(t0 == 0 && t1 == 1);
    assert_false(ds__clip_segment(w, -1, 2, 2, 2, &t0, &t1));     /* parallel, above */
    assert_false(ds__clip_segment(w, -1, 0.5, 0.5, 3, &t0, &t1)); /* misses a corner */
    assert_true(ds__clip_segment(w, 0.5, 0.5, 0.5, 5, &t0, &t1)); /* leaves at the top */
    assert_true(t0 == 0 && fabs(t1 - 0.5 / 4.5) < 1e-12);
}

/* The legend fits its longest name: advance widths of DejaVu Sans at 12 px
 * (what rsvg draws) sum to 69.7 px for "momentum" and 83.1 for "WWWWWWW";
 * the legend is line + gap (30 px) + text + margins (18 px). */
static void test_legend_width(void **state)
{
    (void)state;
    ds_plot_series s[3] = {{.name = "gd"}, {.name = NULL}, {.name = "momentum"}};
    assert_true(ds__legend_width(s, 3) >= 48 + 69.7);
    s[2].name = "WWWWWWW";
    assert_true(ds__legend_width(s, 3) >= 48 + 83.1);
    s[0].name = s[2].name = NULL;
    assert_true(ds__legend_width(s, 3) == 0); /* no named series, no legend */
}

static void test_lecture_colors(void **state)
{
    (void)state;
    ds_opt_params p[5] = {ds_opt_default_params(DS_OPT_ADAM), ds_opt_default_params(DS_OPT_SGD),
                          ds_opt_default_params(DS_OPT_SGD), ds_opt_default_params(DS_OPT_NAG),
                          ds_opt_default_params(DS_OPT_SGD)};
    p[1].sgd.momentum = 0;
    p[2].sgd.momentum = 0.9;
    p[4].sgd.momentum = 0; /* a second plain GD may not reuse black */
    const char *c[5];
    ds_plot_opt_colors(p, 5, c);
    assert_string_equal(c[1], "#000000");
    assert_string_equal(c[2], "#d62728");
    assert_string_equal(c[3], "#1f77b4");
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            assert_string_not_equal(c[i], c[j]);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ds_test_plot_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

#define HEADER "epoch,step,lr,train_loss,val_loss,val_accuracy,seconds\n"

static void expect_log_error(const char *text, const char *needle)
{
    ds_plot_train_log log;
    char *path = write_tmp(text);
    assert_int_equal(ds_plot_read_train_log(path, &log), DS_ERR_FORMAT);
    assert_non_null(strstr(ds_last_error(), needle));
    assert_non_null(strstr(ds_last_error(), path));
    assert_int_equal(log.n, 0);
    unlink(path);
}

static void test_train_log(void **state)
{
    (void)state;
    ds_plot_train_log log;
    char *path =
        write_tmp(HEADER "1,10,0.1,0.9,0.8,0.5,1.5\n2,20,0.05,0.5,,,3\n3,30,0.05,nan,,,4\n");
    assert_int_equal(ds_plot_read_train_log(path, &log), DS_OK);
    unlink(path);
    assert_int_equal(log.n, 3);
    assert_true(log.col[DS_LOG_STEP][1] == 20 && log.col[DS_LOG_LR][1] == 0.05);
    assert_true(log.col[DS_LOG_VAL_ACCURACY][0] == 0.5 && isnan(log.col[DS_LOG_VAL_LOSS][1]));
    assert_true(isnan(log.col[DS_LOG_TRAIN_LOSS][2]) && log.col[DS_LOG_SECONDS][2] == 4);
    ds_plot_train_log_free(&log);
    expect_log_error("epoch,step,lr\n1,2,3\n", ":1:");
    expect_log_error(HEADER "1,10,0.1,0.9,0.8,0.5,1.5\n2,20,0.1,0.5,0.4,0.6\n", ":3:");
    expect_log_error(HEADER "1,10,0.1,0.9x,0.8,0.5,1.5\n", "train_loss");
    expect_log_error(HEADER "1.5,10,0.1,0.9,0.8,0.5,1.5\n", "epoch");
    expect_log_error(HEADER "1,10,,0.9,0.8,0.5,1.5\n", "lr");
    expect_log_error("", "empty");
    assert_int_equal(ds_plot_read_train_log("/nonexistent/x.csv", &log), DS_ERR_IO);
}

static void test_save_atomic(void **state)
{
    (void)state;
    ds_strbuf b = {0};
    ds_strbuf_puts(&b, "<svg/>\n");
    char *path = write_tmp("old");
    assert_int_equal(ds_strbuf_save(&b, path), DS_OK);
    FILE *f = fopen(path, "r");
    char got[16] = {0};
    assert_non_null(f);
    assert_int_equal(fread(got, 1, sizeof got - 1, f), 7);
    fclose(f);
    assert_string_equal(got, "<svg/>\n");
    unlink(path);
    assert_int_equal(ds_strbuf_save(&b, "/nonexistent-dir/out.svg"), DS_ERR_IO);
    assert_int_equal(access("/nonexistent-dir/out.svg", F_OK), -1);
    ds_strbuf_free(&b);
}

static double bowl(const ds_fn2d *f, double x, double y, double *g)
{
    (void)f;
    if (g) g[0] = 2 * x, g[1] = 2 * y;
    return x * x + y * y;
}

static void test_bad_options(void **state)
{
    (void)state;
    ds_fn2d f = {"bowl", bowl, {-1, 1, -1, 1}, 1, {{0, 0}}, 0, NULL};
    ds_plot_opts o = ds_plot_default_opts();
    ds_strbuf b = {0};
    o.has_window = 1;
    o.window[0] = 1, o.window[1] = 1, o.window[2] = 0, o.window[3] = 1;
    assert_int_equal(ds_plot_map(&b, &f, NULL, 0, &o), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "window"));
    o = ds_plot_default_opts();
    o.levels = 0;
    assert_int_equal(ds_plot_map(&b, &f, NULL, 0, &o), DS_ERR_INVALID);
    o = ds_plot_default_opts();
    o.view = DS_PLOT_SURFACE;
    o.elevation = 0;
    assert_int_equal(ds_plot_map(&b, &f, NULL, 0, &o), DS_ERR_INVALID);
    assert_int_equal(ds_plot_panels(&b, NULL, 0, 1, NULL), DS_ERR_INVALID);
    ds_strbuf_free(&b);
    /* A good map is one document: declaration, one <svg> root, closed. */
    o = ds_plot_default_opts();
    assert_int_equal(ds_plot_map(&b, &f, NULL, 0, &o), DS_OK);
    assert_int_equal(strncmp(b.data, "<?xml", 5), 0);
    assert_non_null(strstr(b.data, "xmlns=\"http://www.w3.org/2000/svg\""));
    assert_string_equal(b.data + b.len - 7, "</svg>\n");
    ds_strbuf_free(&b);
}

/* 1 if `needle` is inside the element that starts at `tag` (before its '>'). */
static int in_tag(const char *tag, const char *needle)
{
    const char *hit = strstr(tag, needle), *end = strchr(tag, '>');
    return hit && end && hit < end;
}

/* A dashed series gets stroke-dasharray (escaped) on its line, its legend
 * swatch and its trajectory; a solid one (NULL or "") gets none, so figures
 * that never set .dash are unchanged. */
static void test_dash(void **state)
{
    (void)state;
    const double y[3] = {1, 2, 3}, xy[4] = {-0.5, -0.5, 0.5, 0.5};
    ds_plot_series s[3] = {{.name = "solid", .y = y, .n = 3},
                           {.name = "empty", .y = y, .n = 3, .dash = ""},
                           {.name = "dashed", .y = y, .n = 3, .dash = "6 4\"x"}};
    ds_plot_opts o = ds_plot_default_opts();
    ds_strbuf b = {0};
    assert_int_equal(ds_plot_lines(&b, s, 3, &o), DS_OK);
    const char *want = " stroke-dasharray=\"6 4&quot;x\"";
    const char *line = strstr(b.data, "<path class=\"series\"");
    assert_non_null(line);
    for (int k = 0; k < 2; k++) { /* the two solid lines: no dash before their end */
        assert_false(in_tag(line, "dasharray"));
        line = strstr(line + 1, "<path class=\"series\"");
        assert_non_null(line);
    }
    assert_true(in_tag(line, want));
    const char *legend = strstr(b.data, "<g class=\"legend\">");
    assert_non_null(legend);
    assert_non_null(strstr(legend, want)); /* the swatch shows the pattern */
    assert_null(
        strstr(strstr(legend, want) + strlen(want), "dasharray")); /* and only the dashed one */
    ds_strbuf_free(&b);
    ds_fn2d f = {"bowl", bowl, {-1, 1, -1, 1}, 1, {{0, 0}}, 0, NULL};
    ds_plot_series path[2] = {{.x = xy, .y = xy + 1, .n = 2, .stride = 2},
                              {.x = xy, .y = xy + 1, .n = 2, .stride = 2, .dash = "3 3"}};
    for (int view = 0; view < 2; view++) {
        o.view = view ? DS_PLOT_SURFACE : DS_PLOT_CONTOUR;
        assert_int_equal(ds_plot_map(&b, &f, path, 2, &o), DS_OK);
        const char *t0 = strstr(b.data, "<path class=\"trajectory\"");
        assert_non_null(t0);
        const char *t1 = strstr(t0 + 1, "<path class=\"trajectory\"");
        assert_non_null(t1);
        assert_false(in_tag(t0, "dasharray"));
        assert_true(in_tag(t1, " stroke-dasharray=\"3 3\""));
        ds_strbuf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_step),          cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_escape_and_numbers), cmocka_unit_test(test_clip),
        cmocka_unit_test(test_lecture_colors),     cmocka_unit_test(test_train_log),
        cmocka_unit_test(test_save_atomic),        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_legend_width),       cmocka_unit_test(test_dash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
