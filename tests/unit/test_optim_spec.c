/* test_optim_spec.c - the "NAME:key=value,..." optimizer spec: defaults,
 * aliases, canonical format round trips, and one clear message per bad
 * input (naming the optimizer, key or value and what is accepted). */
#include "descent/optim.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void assert_same_params(const ds_opt_params *a, const ds_opt_params *b)
{
    char fa[1024], fb[1024];
    ds_opt_format(a, fa, sizeof fa);
    ds_opt_format(b, fb, sizeof fb);
    assert_string_equal(fa, fb);
    assert_int_equal(a->type, b->type);
    assert_true(a->lr == b->lr && a->weight_decay == b->weight_decay);
}

/* Every type: defaults and a modified set survive format -> parse. */
static void test_round_trip_every_optimizer(void **state)
{
    (void)state;
    for (int t = 0; t < DS_OPT_COUNT; t++) {
        ds_opt_params p = ds_opt_default_params((ds_opt_type)t), q;
        char buf[1024];
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) p.lr = 0.1 / 3, p.clip_norm = 2.5; /* not exact in decimal */
            int len = ds_opt_format(&p, buf, sizeof buf);
            assert_int_equal(len, (int)strlen(buf));
            assert_int_equal(ds_opt_parse(buf, &q), DS_OK);
            assert_same_params(&p, &q);
            assert_true(q.lr == p.lr && q.clip_norm == p.clip_norm);
            assert_string_equal(strtok(buf, ":"), ds_opt_name((ds_opt_type)t));
        }
    }
}

static void test_format_reports_needed_length(void **state)
{
    (void)state;
    ds_opt_params p = ds_opt_default_params(DS_OPT_ADAM);
    char big[1024], small[8];
    int full = ds_opt_format(&p, big, sizeof big);
    assert_int_equal(ds_opt_format(&p, small, sizeof small), full);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, big, sizeof small - 1);
}

static void test_values_and_aliases(void **state)
{
    (void)state;
    ds_opt_params p;
    assert_int_equal(ds_opt_parse("adam:lr=0.05,beta2=0.99,amsgrad=1", &p), DS_OK);
    assert_int_equal(p.type, DS_OPT_ADAM);
    assert_true(p.lr == 0.05 && p.adam.beta2 == 0.99 && p.adam.amsgrad == 1);
    assert_true(p.adam.beta1 == 0.9 && p.adam.eps == 1e-8); /* torch's defaults kept */
    assert_int_equal(ds_opt_parse("gd", &p), DS_OK);
    assert_true(p.type == DS_OPT_SGD && p.sgd.momentum == 0);
    assert_int_equal(ds_opt_parse("momentum:lr=0.2", &p), DS_OK);
    assert_true(p.type == DS_OPT_SGD && p.sgd.momentum == 0.9 && p.lr == 0.2);
    assert_int_equal(ds_opt_parse("amsgrad", &p), DS_OK);
    assert_true(p.type == DS_OPT_ADAM && p.adam.amsgrad == 1);
    assert_int_equal(ds_opt_parse("adamw", &p), DS_OK);
    assert_true(p.weight_decay == 1e-2); /* torch AdamW's default */
    assert_int_equal(ds_opt_parse("sgd:momentum=0.99,momentum_schedule=sutskever", &p), DS_OK);
    assert_int_equal(p.sgd.momentum_schedule, DS_MOMENTUM_SUTSKEVER);
    assert_int_equal(ds_opt_parse("linesearch:lrs=0.1/0.5/1/5/10", &p), DS_OK);
    assert_int_equal(p.linesearch.n, 5);
    assert_true(p.linesearch.lrs[0] == 0.1 && p.linesearch.lrs[4] == 10);
    assert_int_equal(ds_opt_parse("lion", &p), DS_OK);
    assert_true(p.lr == 1e-4 && p.lion.beta1 == 0.9 && p.lion.beta2 == 0.99);
    assert_int_equal(ds_opt_parse("rmsprop_nesterov:lr=0.05,alpha=0.9,momentum=0.5,eps=1e-6", &p),
                     DS_OK);
    assert_true(p.rmsprop_nesterov.alpha == 0.9 && p.rmsprop_nesterov.momentum == 0.5);
}

typedef struct bad {
    const char *spec;
    ds_status status;
    const char *needles[3]; /* substrings the message must contain */
} bad;

static const bad bads[] = {
    {"adamm", DS_ERR_INVALID, {"unknown optimizer 'adamm'", "accepted:", "rmsprop_nesterov"}},
    {"", DS_ERR_INVALID, {"unknown optimizer ''", "sgd", NULL}},
    {"adam:foo=1", DS_ERR_INVALID, {"adam", "unknown key 'foo'", "beta2"}},
    {"adam:momentum=0.9", DS_ERR_INVALID, {"adam: unknown key 'momentum'", "accepted:", "amsgrad"}},
    {"sgd:beta1=0.9", DS_ERR_INVALID, {"sgd", "'beta1'", "nesterov"}},
    {"nag:weight_decay=0.1", DS_ERR_INVALID, {"nag", "weight_decay", "momentum_schedule"}},
    {"sgd:lr=0.1x", DS_ERR_PARSE, {"sgd", "lr", "'0.1x'"}},
    {"sgd:lr=-1", DS_ERR_INVALID, {"sgd: lr", ">= 0", "-1"}},
    {"adam:beta1=1", DS_ERR_INVALID, {"adam: beta1", "[0, 1)", "got 1"}},
    {"adam:beta2=1.5", DS_ERR_INVALID, {"adam: beta2 must be in [0, 1) (got 1.5)", NULL, NULL}},
    {"rmsprop:alpha=-0.1", DS_ERR_INVALID, {"rmsprop: alpha", "[0, 1)", "-0.1"}},
    {"adam:eps=-1", DS_ERR_INVALID, {"adam: eps", ">= 0", "-1"}},
    {"adam:amsgrad=2", DS_ERR_INVALID, {"adam: amsgrad", "0 or 1", "2"}},
    {"adam:amsgrad=yes", DS_ERR_PARSE, {"amsgrad", "0 or 1", "yes"}},
    {"adam:lr=", DS_ERR_PARSE, {"adam", "empty value", "lr"}},
    {"adam:lr=0.1,", DS_ERR_PARSE, {"adam", "trailing comma", NULL}},
    {"adam:lr=0.1,,beta1=0.9", DS_ERR_PARSE, {"adam", "comma", NULL}},
    {"adam:", DS_ERR_PARSE, {"adam", "nothing after ':'", NULL}},
    {"adam:lr", DS_ERR_PARSE, {"adam", "key=value", "'lr'"}},
    {"sgd:momentum=1.5", DS_ERR_INVALID, {"sgd: momentum", "[0, 1]", "1.5"}},
    {"sgd:dampening=-0.5", DS_ERR_INVALID, {"sgd: dampening", "[0, 1]", NULL}},
    {"sgd:nesterov=1", DS_ERR_INVALID, {"nesterov", "momentum > 0", "dampening"}},
    {"sgd:nesterov=1,momentum=0.9,dampening=0.1", DS_ERR_INVALID, {"nesterov", "dampening", NULL}},
    {"sgd:momentum_schedule=fast", DS_ERR_PARSE, {"momentum_schedule", "sutskever", "'fast'"}},
    {"sgd:clip_norm=-1", DS_ERR_INVALID, {"clip_norm", ">= 0", NULL}},
    {"sgd:lr=nan", DS_ERR_PARSE, {"lr", "'nan'", NULL}},
    {"sgd:lr=1e999", DS_ERR_PARSE, {"lr", "'1e999'", NULL}},
    {"sgd:lr= 0.1", DS_ERR_PARSE, {"lr", "' 0.1'", NULL}},
    {"linesearch:lrs=0.1//1", DS_ERR_PARSE, {"linesearch", "lrs", NULL}},
    {"linesearch:lrs=0.1/-1", DS_ERR_INVALID, {"linesearch", "lrs candidate 2", "-1"}},
    {"linesearch:lrs=1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1/1",
     DS_ERR_INVALID,
     {"at most 16", NULL, NULL}},
    {"adadelta:rho=1", DS_ERR_INVALID, {"adadelta: rho", "[0, 1)", NULL}},
    {"nadam:momentum_decay=-1", DS_ERR_INVALID, {"nadam: momentum_decay", ">= 0", NULL}},
    {"lion:beta2=1", DS_ERR_INVALID, {"lion: beta2", "[0, 1)", NULL}},
    /* a key given twice is a typo, not "last one wins" (as schedules) */
    {"adam:lr=1,lr=2", DS_ERR_PARSE, {"adam", "lr given twice", NULL}},
    {"momentum:momentum=0.5,lr=0.1,momentum=0.8", DS_ERR_PARSE, {"momentum given twice", NULL}},
};

static void test_bad_specs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        ds_opt_params p = ds_opt_default_params(DS_OPT_LION), before = p;
        ds_status s = ds_opt_parse(bads[i].spec, &p);
        if (s != bads[i].status)
            fail_msg("'%s': status %d, expected %d (%s)", bads[i].spec, (int)s, (int)bads[i].status,
                     ds_last_error());
        for (int k = 0; k < 3 && bads[i].needles[k]; k++)
            if (!strstr(ds_last_error(), bads[i].needles[k]))
                fail_msg("'%s': message '%s' lacks '%s'", bads[i].spec, ds_last_error(),
                         bads[i].needles[k]);
        if (strchr(ds_last_error(), '\n')) fail_msg("'%s': message is not one line", bads[i].spec);
        assert_memory_equal(&p, &before, sizeof p); /* *out unchanged on failure */
    }
}

static void test_validate_struct(void **state)
{
    (void)state;
    ds_opt_params p = ds_opt_default_params(DS_OPT_RMSPROP);
    assert_int_equal(ds_opt_validate(&p), DS_OK);
    p.rmsprop.centered = 3;
    assert_int_equal(ds_opt_validate(&p), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "centered"));
    p = ds_opt_default_params(DS_OPT_ADAM);
    p.lr = NAN;
    assert_int_equal(ds_opt_validate(&p), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "lr"));
    p = ds_opt_default_params(DS_OPT_LINESEARCH);
    p.linesearch.n = 0;
    assert_int_equal(ds_opt_validate(&p), DS_ERR_INVALID);
    p.type = DS_OPT_COUNT;
    assert_int_equal(ds_opt_validate(&p), DS_ERR_INVALID);
    assert_null(ds_opt_name(DS_OPT_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_optimizer),
        cmocka_unit_test(test_format_reports_needed_length),
        cmocka_unit_test(test_values_and_aliases),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_validate_struct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
