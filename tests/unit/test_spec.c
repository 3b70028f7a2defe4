/* test_spec.c - the spec engine (src/core/spec.h) on a table of its own:
 * the tokenizer's edge cases, one message per kind of bad item, ranges with
 * open and closed ends, integer overflow, non-finite numbers, and the
 * canonical text; then the four parsers built on it (every optimizer,
 * schedule, data and model form) through their public entry points. */
#include "core/spec.h"
#include "descent/data.h"
#include "descent/model.h"
#include "descent/optim.h"
#include "descent/schedule.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

typedef struct opts {
    double rate, unit, frac;
    double every;
    int64_t count;
    int flag, mode;
    const char *label;
} opts;

static const char *const modes[] = {"fast", "slow", "exact", NULL};

#define F(field) offsetof(opts, field)
static const ds__spec_key keys[] = {
    {.name = "rate", .type = DS__SPEC_DOUBLE, .offset = F(rate), .max = HUGE_VAL, .def = 0.5},
    {.name = "unit", .type = DS__SPEC_DOUBLE, .offset = F(unit), .max = 1, .def = 1},
    {.name = "frac",
     .type = DS__SPEC_DOUBLE,
     .offset = F(frac),
     .max = 1,
     .open = DS__SPEC_MIN_OPEN | DS__SPEC_MAX_OPEN,
     .def = 0.25},
    {.name = "every",
     .type = DS__SPEC_WHOLE,
     .offset = F(every),
     .max = HUGE_VAL,
     .open = DS__SPEC_MIN_OPEN,
     .def = 3},
    {.name = "count", .type = DS__SPEC_INT, .offset = F(count), .min = 1, .max = 4096, .def = 8},
    {.name = "flag", .type = DS__SPEC_BOOL, .offset = F(flag)},
    {.name = "mode", .type = DS__SPEC_ENUM, .offset = F(mode), .words = modes, .def = 2},
    {.name = "label", .type = DS__SPEC_STRING, .offset = F(label)},
    {0}};
static const ds__spec_key need_keys[] = {{.name = "k",
                                          .type = DS__SPEC_DOUBLE,
                                          .offset = F(rate),
                                          .max = HUGE_VAL,
                                          .required = 1,
                                          .help = "decay rate"},
                                         {0}};

/* Parses text against keys (up to 2 positional values); the status. */
static ds_status run(const char *text, const ds__spec_key *table, opts *o, ds__spec *sp)
{
    char *pos[2];
    int npos = 0;
    ds_clear_error();
    ds__spec_defaults(table, o);
    ds_status st = ds__spec_split(text, strlen(text), "test spec", sp);
    return st != DS_OK ? st : ds__spec_apply("t", table, sp, o, pos, 2, &npos);
}

static void expect_error(const char *text, ds_status status, const char *message)
{
    opts o;
    ds__spec sp;
    ds_status st = run(text, keys, &o, &sp);
    if (st != status || strcmp(ds_last_error(), message) != 0)
        fail_msg("'%s': status %d, message '%s'; want %d, '%s'", text, st, ds_last_error(), status,
                 message);
}

static void test_defaults_and_values(void **state)
{
    (void)state;
    opts o;
    ds__spec sp;
    assert_int_equal(run("x", keys, &o, &sp), DS_OK);
    assert_true(o.rate == 0.5 && o.unit == 1 && o.frac == 0.25 && o.every == 3 && o.count == 8);
    assert_true(o.flag == 0 && o.mode == 2 && o.label == NULL);
    assert_int_equal(run("x:rate=2,unit=0,frac=0.5,every=1e3,count=4096,flag=1,mode=slow,label=a b",
                         keys, &o, &sp),
                     DS_OK);
    assert_true(o.rate == 2 && o.unit == 0 && o.frac == 0.5 && o.every == 1000 && o.count == 4096);
    assert_true(o.flag == 1 && o.mode == 1 && strcmp(o.label, "a b") == 0);
    assert_string_equal(sp.name, "x");
}

/* One wording per kind of bad item, whatever the parser. */
static void test_grammar_errors(void **state)
{
    (void)state;
    expect_error("x:", DS_ERR_PARSE, "t: nothing after ':'");
    expect_error("x:rate=1,", DS_ERR_PARSE, "t: empty item (stray or trailing comma?)");
    expect_error("x:,rate=1", DS_ERR_PARSE, "t: empty item (stray or trailing comma?)");
    expect_error("x:rate=1,rate=2", DS_ERR_PARSE, "t: rate given twice");
    expect_error("x:rate=", DS_ERR_PARSE, "t: empty value for rate (a number >= 0)");
    expect_error("x:label=", DS_ERR_PARSE, "t: empty value for label");
    expect_error("x:speed=1", DS_ERR_INVALID,
                 "t: unknown key 'speed' (accepted: rate, unit, frac, every, count, flag, mode, "
                 "label)");
    expect_error("x:a,b,c", DS_ERR_PARSE, "t: too many values (at most 2) at 'c'");
    expect_error("x:mode=quick", DS_ERR_PARSE, "t: mode must be fast, slow or exact (got 'quick')");
    expect_error("x:flag=yes", DS_ERR_PARSE, "t: flag must be 0 or 1 (got 'yes')");
    expect_error("x:flag=2", DS_ERR_INVALID, "t: flag must be 0 or 1 (got 2)");
    opts o;
    ds__spec sp;
    assert_int_equal(run("x", need_keys, &o, &sp), DS_ERR_PARSE);
    assert_string_equal(ds_last_error(), "t: missing k (decay rate: a number >= 0)");
    assert_int_equal(ds__spec_split("x:k", 3, "test spec", &sp), DS_OK);
    assert_int_equal(ds__spec_apply("t", need_keys, &sp, &o, NULL, 0, NULL), DS_ERR_PARSE);
    assert_string_equal(ds_last_error(), "t: expected key=value, got 'k'");
    assert_int_equal(ds__spec_split("x:=1", 4, "test spec", &sp), DS_OK);
    assert_int_equal(ds__spec_apply("t", need_keys, &sp, &o, NULL, 0, NULL), DS_ERR_PARSE);
    assert_string_equal(ds_last_error(), "t: no key before '=' in '=1'");
    static const ds__spec_key none[] = {{0}};
    assert_int_equal(run("x:k=1", none, &o, &sp), DS_ERR_INVALID);
    assert_string_equal(ds_last_error(), "t: takes no keys (got 'k')");
}

/* With positional values allowed, an item is a key only if a lower-case
 * word stands before its '=' (a path may hold '='). */
static void test_positional_values(void **state)
{
    (void)state;
    char *pos[2];
    int npos = 0;
    opts o;
    ds__spec sp;
    ds__spec_defaults(keys, &o);
    assert_int_equal(ds__spec_split("x:dir/a=b.csv,Rate=1,rate=3", 27, "t", &sp), DS_OK);
    assert_int_equal(ds__spec_apply("t", keys, &sp, &o, pos, 2, &npos), DS_OK);
    assert_int_equal(npos, 2);
    assert_string_equal(pos[0], "dir/a=b.csv");
    assert_string_equal(pos[1], "Rate=1");
    assert_true(o.rate == 3);
}

static void test_ranges(void **state)
{
    (void)state;
    opts o;
    ds__spec sp;
    expect_error("x:rate=-1", DS_ERR_INVALID, "t: rate must be a number >= 0 (got -1)");
    assert_int_equal(run("x:rate=0", keys, &o, &sp), DS_OK); /* closed end */
    expect_error("x:unit=1.5", DS_ERR_INVALID, "t: unit must be in [0, 1] (got 1.5)");
    assert_int_equal(run("x:unit=1", keys, &o, &sp), DS_OK);
    expect_error("x:frac=0", DS_ERR_INVALID, "t: frac must be in (0, 1) (got 0)");
    expect_error("x:frac=1", DS_ERR_INVALID, "t: frac must be in (0, 1) (got 1)");
    expect_error("x:every=0", DS_ERR_INVALID, "t: every must be a whole number > 0 (got 0)");
    expect_error("x:every=2.5", DS_ERR_INVALID, "t: every must be a whole number > 0 (got 2.5)");
    expect_error("x:every=1e300", DS_ERR_INVALID,
                 "t: every must be a whole number > 0 (got 1e+300)");
    expect_error("x:count=0", DS_ERR_INVALID,
                 "t: count must be a whole number in [1, 4096] (got 0)");
    expect_error("x:count=4097", DS_ERR_INVALID,
                 "t: count must be a whole number in [1, 4096] (got 4097)");
    expect_error("x:count=1.5", DS_ERR_INVALID,
                 "t: count must be a whole number in [1, 4096] (got 1.5)");
    /* Overflow of long and of double: never wrapped, never stored. */
    expect_error("x:count=99999999999999999999", DS_ERR_INVALID,
                 "t: count must be a whole number in [1, 4096] (got 1e+20)");
    expect_error("x:count=1e999", DS_ERR_PARSE,
                 "t: count must be a whole number in [1, 4096] (got '1e999')");
    expect_error("x:count=-9223372036854775809", DS_ERR_INVALID,
                 "t: count must be a whole number in [1, 4096] (got -9.22337e+18)");
}

static void test_non_finite_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"nan",      "NaN",   "-nan", "inf", "-inf",
                                      "infinity", "1e999", " 1",   "1 ",  "0x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        opts o;
        ds__spec sp;
        snprintf(text, sizeof text, "x:rate=%s", bad[i]);
        if (run(text, keys, &o, &sp) == DS_OK) fail_msg("'%s' was accepted", text);
    }
    /* A struct filled by hand: NaN and infinity fail the check. */
    opts o;
    ds__spec_defaults(keys, &o);
    assert_int_equal(ds__spec_check("t", keys, &o), DS_OK);
    o.rate = NAN;
    assert_int_equal(ds__spec_check("t", keys, &o), DS_ERR_INVALID);
    assert_string_equal(ds_last_error(), "t: rate must be a number >= 0 (got nan)");
    o.rate = 1, o.unit = INFINITY;
    assert_int_equal(ds__spec_check("t", keys, &o), DS_ERR_INVALID);
    o.unit = 1, o.mode = 3;
    assert_int_equal(ds__spec_check("t", keys, &o), DS_ERR_INVALID);
    assert_string_equal(ds_last_error(), "t: mode must be fast, slow or exact (got 3)");
}

static void test_too_long_and_too_many(void **state)
{
    (void)state;
    char text[DS__SPEC_MAX_TEXT + 8];
    ds__spec sp;
    opts o;
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    assert_int_equal(ds__spec_split(text, strlen(text), "test spec", &sp), DS_ERR_PARSE);
    assert_non_null(strstr(ds_last_error(), "test spec is too long"));
    size_t n = (size_t)snprintf(text, sizeof text, "x");
    for (int i = 0; i <= DS__SPEC_MAX_ITEMS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%sa%d", i ? "," : ":", i);
    assert_int_equal(run(text, keys, &o, &sp), DS_ERR_PARSE);
    assert_non_null(strstr(ds_last_error(), "too many items"));
}

static void test_chain(void **state)
{
    (void)state;
    const char *start[3];
    size_t len[3];
    assert_int_equal(ds__spec_chain("a:k=1+b+", '+', start, len, 3), 3);
    assert_true(len[0] == 5 && len[1] == 1 && len[2] == 0 && start[1][0] == 'b');
    assert_int_equal(ds__spec_chain("a+b+c+d", '+', start, len, 3), 4);
    assert_int_equal(ds__spec_chain("", '+', start, len, 3), 1);
    assert_int_equal(len[0], 0);
}

/* The canonical text: every key, shortest exact numbers, no exponent '+'. */
static void test_format_round_trip(void **state)
{
    (void)state;
    opts a, b;
    ds__spec sp;
    assert_int_equal(run("x:rate=0.1,unit=0.3333333333333333,every=1e15,label=y", keys, &a, &sp),
                     DS_OK);
    char buf[256];
    ds__spec_out out = {buf, sizeof buf, 0};
    ds__spec_format(&out, "x", keys, &a);
    assert_string_equal(buf, "x:rate=0.1,unit=0.33333333333333331,frac=0.25,every=1e15,count=8,"
                             "flag=0,mode=exact,label=y");
    assert_int_equal(out.len, strlen(buf));
    ds__spec sp2;
    assert_int_equal(run(buf, keys, &b, &sp2), DS_OK);
    assert_true(a.rate == b.rate && a.unit == b.unit && a.every == b.every && a.mode == b.mode);
    assert_string_equal(b.label, "y");
    /* A short buffer: cut, terminated, the full length counted. */
    char small[5];
    ds__spec_out cut = {small, sizeof small, 0};
    ds__spec_format(&cut, "x", keys, &a);
    assert_string_equal(small, "x:ra");
    assert_int_equal(cut.len, out.len);
}

/* Every optimizer, schedule kind and model form writes text that parses back. */
static void test_every_parser_round_trips(void **state)
{
    (void)state;
    char one[1024], two[1024];
    for (int t = 0; t < DS_OPT_COUNT; t++) {
        ds_opt_params p = ds_opt_default_params((ds_opt_type)t), q;
        p.lr = 1.0 / 3;
        ds_opt_format(&p, one, sizeof one);
        assert_int_equal(ds_opt_parse(one, &q), DS_OK);
        ds_opt_format(&q, two, sizeof two);
        assert_string_equal(one, two);
    }
    static const char *const scheds[] = {"constant",
                                         "step:every=5",
                                         "exp:k=1e-300",
                                         "inv:k=0.05",
                                         "invsqrt",
                                         "cosine:period=9007199254740992,min=1e300",
                                         "warmup:steps=3+cosine:period=7+inv:k=2"};
    for (size_t i = 0; i < sizeof scheds / sizeof scheds[0]; i++) {
        ds_schedule a, b;
        assert_int_equal(ds_schedule_parse(scheds[i], &a), DS_OK);
        ds_schedule_format(&a, one, sizeof one);
        if (ds_schedule_parse(one, &b) != DS_OK) fail_msg("'%s': %s", one, ds_last_error());
        assert_memory_equal(&a, &b, sizeof a);
    }
    static const char *const models[] = {"mlp:3-5-2", "neuron:4"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        ds_model *m = ds_model_init(models[i], 0, NULL);
        assert_non_null(m);
        ds_model_describe(m, one, sizeof one);
        ds_model *again = ds_model_init_desc(one, NULL);
        assert_non_null(again);
        ds_model_describe(again, two, sizeof two);
        assert_string_equal(one, two);
        ds_model_free(m), ds_model_free(again);
    }
}

/* The parsers refuse what the engine refuses: a key given twice (data specs
 * used to keep the last one), an empty value, an unknown key. */
static void test_parsers_share_the_rules(void **state)
{
    (void)state;
    ds_data d;
    ds_opt_params p;
    ds_schedule s;
    assert_int_equal(ds_data_load("blobs:n=50,n=60", 1, &d), DS_ERR_PARSE);
    assert_string_equal(ds_last_error(), "data spec 'blobs:n=50,n=60': n given twice");
    assert_int_equal(ds_data_load("toy:limit=", 1, &d), DS_ERR_PARSE);
    assert_non_null(strstr(ds_last_error(), "empty value for limit"));
    assert_int_equal(ds_opt_parse("sgd:lr=1,lr=1", &p), DS_ERR_PARSE);
    assert_string_equal(ds_last_error(), "sgd: lr given twice");
    assert_int_equal(ds_schedule_parse("inv:k=1,k=1", &s), DS_ERR_PARSE);
    assert_string_equal(ds_last_error(), "inv: k given twice");
    assert_null(ds_model_init("mlp:2-3,act=relu", 0, NULL));
    assert_string_equal(ds_last_error(), "model 'mlp:2-3,act=relu': takes no keys (got 'act')");
    assert_int_equal(ds_data_load("blobs:colour=1", 1, &d), DS_ERR_INVALID);
    assert_string_equal(ds_last_error(), "data spec 'blobs:colour=1': unknown key 'colour' "
                                         "(accepted: n, features, classes, spread, test, seed, "
                                         "limit)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_grammar_errors),
        cmocka_unit_test(test_positional_values),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_non_finite_refused),
        cmocka_unit_test(test_too_long_and_too_many),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_every_parser_round_trips),
        cmocka_unit_test(test_parsers_share_the_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
