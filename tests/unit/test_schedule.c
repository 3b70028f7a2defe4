/* test_schedule.c - learning-rate schedules: each formula against the
 * lectures' tables and torch.optim.lr_scheduler's definitions, chains at
 * their boundaries, the canonical text round trip, and every kind of bad
 * spec (rejected with a message naming the part, key or value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "descent/schedule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static ds_schedule parse_ok(const char *spec)
{
    ds_schedule s;
    if (ds_schedule_parse(spec, &s) != DS_OK) fail_msg("'%s': %s", spec, ds_last_error());
    return s;
}

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g (tol %g)", got, want, tol);
}

/* Ng: alpha0 = 0.2, decay_rate = 1 gives 0.1, 0.067, 0.05, 0.04 for epochs 1..4
 * (printed rounded to 4 decimals in the deck's table). */
static void test_inv_matches_ng_table(void **state)
{
    (void)state;
    ds_schedule s = parse_ok("inv:k=1");
    const double printed[4] = {0.1, 0.0667, 0.05, 0.04};
    assert_near(ds_schedule_lr(&s, 0.2, 0), 0.2, 0);
    for (int e = 1; e <= 4; e++) {
        assert_near(ds_schedule_lr(&s, 0.2, e), printed[e - 1], 0.5e-4);
        assert_near(ds_schedule_lr(&s, 0.2, e), 0.2 / (1.0 + e), 1e-16);
    }
}

/* CS7015 "halve every 5 epochs" = torch StepLR(step_size=5, gamma=0.5). */
static void test_step_halves(void **state)
{
    (void)state;
    ds_schedule s = parse_ok("step:every=5,factor=0.5");
    for (int t = 0; t < 5; t++)
        assert_near(ds_schedule_lr(&s, 0.45, t), 0.45, 0);
    for (int t = 5; t < 10; t++)
        assert_near(ds_schedule_lr(&s, 0.45, t), 0.225, 0);
    assert_near(ds_schedule_lr(&s, 0.45, 10), 0.1125, 0);
    /* torch's default gamma is 0.1 */
    ds_schedule d = parse_ok("step:every=2");
    assert_near(ds_schedule_lr(&d, 1.0, 4), 0.01, 1e-17);
}

/* Ng's alpha = 0.95^epoch * alpha0 is exp with k = -ln 0.95. */
static void test_exp_is_ng_power_decay(void **state)
{
    (void)state;
    char spec[64];
    snprintf(spec, sizeof spec, "exp:k=%.17g", -log(0.95));
    ds_schedule s = parse_ok(spec);
    for (int t = 0; t < 50; t += 7)
        assert_near(ds_schedule_lr(&s, 0.2, t), 0.2 * pow(0.95, t), 1e-15);
    ds_schedule z = parse_ok("exp:k=0");
    assert_near(ds_schedule_lr(&z, 0.3, 1000), 0.3, 0);
}

/* doc/optimizers.md's one counting convention: t counts updates from 0 and
 * every schedule runs the first update at lr0 (torch LambdaLR's multiplier
 * at last_epoch 0). */
static void test_every_schedule_starts_at_lr0(void **state)
{
    (void)state;
    static const char *const specs[] = {"step:every=3", "exp:k=0.7", "inv:k=0.7", "invsqrt",
                                        "cosine:period=5,min=0.1"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        ds_schedule s = parse_ok(specs[i]);
        assert_near(ds_schedule_lr(&s, 0.3, 0), 0.3, 0);
        assert_true(ds_schedule_lr(&s, 0.3, 1) <= 0.3);
    }
}

static void test_invsqrt(void **state)
{
    (void)state;
    ds_schedule s = parse_ok("invsqrt");
    assert_near(ds_schedule_lr(&s, 0.8, 0), 0.8, 0);
    assert_near(ds_schedule_lr(&s, 0.8, 3), 0.4, 1e-16);
    assert_near(ds_schedule_lr(&s, 0.8, 99), 0.08, 1e-16);
}

/* CosineAnnealingLR: lr0 at 0, (lr0 + eta_min)/2 at T/2, eta_min at T. */
static void test_cosine_endpoints_and_midpoint(void **state)
{
    (void)state;
    ds_schedule s = parse_ok("cosine:period=300,min=0.001");
    assert_near(ds_schedule_lr(&s, 0.05, 0), 0.05, 0);
    assert_near(ds_schedule_lr(&s, 0.05, 150), (0.05 + 0.001) / 2, 1e-15);
    assert_near(ds_schedule_lr(&s, 0.05, 300), 0.001, 1e-15);
    /* monotone decreasing within the period */
    for (int t = 1; t <= 300; t++)
        assert_true(ds_schedule_lr(&s, 0.05, t) < ds_schedule_lr(&s, 0.05, t - 1));
    ds_schedule z = parse_ok("cosine:period=10");
    assert_near(ds_schedule_lr(&z, 1.0, 10), 0.0, 1e-16);
}

static void test_warmup_ramp(void **state)
{
    (void)state;
    ds_schedule s = parse_ok("warmup:steps=4");
    const double want[6] = {0.25, 0.5, 0.75, 1.0, 1.0, 1.0};
    for (int t = 0; t < 6; t++)
        assert_near(ds_schedule_lr(&s, 2.0, t), 2.0 * want[t], 1e-16);
}

/* The cosine starts counting at 0 when the warmup ends; the last part runs on. */
static void test_chain_warmup_cosine(void **state)
{
    (void)state;
    ds_schedule s = parse_ok("warmup:steps=5+cosine:period=10,min=0.01");
    assert_int_equal(s.nparts, 2);
    assert_near(ds_schedule_lr(&s, 1.0, 3), 0.8, 1e-16);
    assert_near(ds_schedule_lr(&s, 1.0, 4), 1.0, 0);
    assert_near(ds_schedule_lr(&s, 1.0, 5), 1.0, 0);
    assert_near(ds_schedule_lr(&s, 1.0, 10), 0.505, 1e-15);
    assert_near(ds_schedule_lr(&s, 1.0, 15), 0.01, 1e-15);
    ds_schedule c = parse_ok("cosine:period=10,min=0.01+step:every=2,factor=0.5");
    assert_near(ds_schedule_lr(&c, 1.0, 9), 0.01 + 0.99 * (1 + cos(M_PI * 0.9)) / 2, 1e-15);
    assert_near(ds_schedule_lr(&c, 1.0, 10), 1.0, 0);
    assert_near(ds_schedule_lr(&c, 1.0, 13), 0.5, 0);
}

static void test_constant_and_negative_t(void **state)
{
    (void)state;
    ds_schedule c = ds_schedule_constant(), e = parse_ok(""), n = parse_ok("constant");
    assert_int_equal(c.nparts, 0);
    assert_memory_equal(&c, &e, sizeof c);
    assert_memory_equal(&c, &n, sizeof c);
    assert_near(ds_schedule_lr(&c, 0.3, 12345), 0.3, 0);
    assert_near(ds_schedule_lr(NULL, 0.3, 7), 0.3, 0);
    ds_schedule w = parse_ok("warmup:steps=4");
    assert_near(ds_schedule_lr(&w, 1.0, -3), 0.25, 0);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    static const char *const specs[] = {
        "constant",        "step:every=5,factor=0.5",
        "exp:k=0.01",      "inv:k=0.05",
        "invsqrt",         "cosine:period=300,min=0.001",
        "warmup:steps=10", "warmup:steps=3+cosine:period=7,min=0.1+cosine:period=5,min=0+inv:k=0.3",
        "step:every=3",    "cosine:period=9"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        ds_schedule a = parse_ok(specs[i]), b;
        char buf[256];
        int n = ds_schedule_format(&a, buf, sizeof buf);
        assert_int_equal(n, (int)strlen(buf));
        b = parse_ok(buf);
        if (memcmp(&a, &b, sizeof a) != 0) fail_msg("'%s' -> '%s' changed", specs[i], buf);
        for (int t = 0; t < 40; t++)
            assert_true(ds_schedule_lr(&a, 0.7, t) == ds_schedule_lr(&b, 0.7, t));
    }
    /* Canonical text: every key, shortest exact numbers. */
    ds_schedule s = parse_ok("step:every=5");
    char buf[64];
    ds_schedule_format(&s, buf, sizeof buf);
    assert_string_equal(buf, "step:every=5,factor=0.1");
    /* snprintf contract: a short buffer is terminated and the full length returned. */
    char small[6];
    int need = ds_schedule_format(&s, small, sizeof small);
    assert_int_equal(need, (int)strlen("step:every=5,factor=0.1"));
    assert_string_equal(small, "step:");
    assert_int_equal(ds_schedule_format(&s, NULL, 0), need);
}

/* Every malformed spec fails, leaves *out alone and names what was wrong. */
static void test_bad_specs(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"foo",
         "unknown schedule 'foo' (accepted: constant, step, exp, inv, invsqrt, cosine, warmup)"},
        {"step:every=0", "step: every must be a whole number > 0 (got 0)"},
        {"step:every=2.5", "step: every must be a whole number > 0 (got 2.5)"},
        {"step", "step: missing every"},
        {"step:every=5,factor=0", "step: factor must be a number > 0 (got 0)"},
        {"step:every=5,factor=-1", "factor must be a number > 0 (got -1)"},
        {"step:every=5,gamma=0.5", "step: unknown key 'gamma' (accepted: every, factor)"},
        {"step:every=5,every=6", "step: every given twice"},
        {"inv:k=", "inv: empty value for k (a number >= 0)"},
        {"step:every", "step: expected key=value, got 'every'"},
        {"step:every=5,", "step: empty item (stray or trailing comma?)"},
        {"step:", "step: nothing after ':'"},
        {"exp:k=abc", "exp: k must be a number >= 0 (got 'abc')"},
        {"exp:k=-0.1", "exp: k must be a number >= 0 (got -0.1)"},
        {"inv:k=1e999", "inv: k must be a number >= 0 (got '1e999')"},
        {"inv:k=nan", "inv: k must be"},
        {"invsqrt:k=1", "invsqrt: takes no keys"},
        {"cosine:min=0.1", "cosine: missing period"},
        {"cosine:period=10,min=-1", "cosine: min must be a number >= 0 (got -1)"},
        {"warmup:steps=-3", "warmup: steps must be a whole number > 0 (got -3)"},
        {"warmup:steps= 3", "warmup: steps must be"},
        {"warmup:steps=5+", "empty part 2"},
        {"+cosine:period=3", "empty part 1"},
        {"step:every=5+constant", "step cannot stand before '+'"},
        {"constant+warmup:steps=2", "constant cannot stand before '+'"},
        {"warmup:steps=1+warmup:steps=1+warmup:steps=1+warmup:steps=1+warmup:steps=1+"
         "warmup:steps=1+warmup:steps=1+warmup:steps=1+constant",
         "more than 8 parts"},
        {"Cosine:period=3", "unknown schedule 'Cosine'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ds_schedule s = parse_ok("inv:k=0.5"), before = s;
        ds_clear_error();
        if (ds_schedule_parse(bad[i][0], &s) == DS_OK) fail_msg("'%s' was accepted", bad[i][0]);
        if (!strstr(ds_last_error(), bad[i][1]))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i][0], ds_last_error(), bad[i][1]);
        assert_memory_equal(&s, &before, sizeof s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inv_matches_ng_table),
        cmocka_unit_test(test_step_halves),
        cmocka_unit_test(test_exp_is_ng_power_decay),
        cmocka_unit_test(test_every_schedule_starts_at_lr0),
        cmocka_unit_test(test_invsqrt),
        cmocka_unit_test(test_cosine_endpoints_and_midpoint),
        cmocka_unit_test(test_warmup_ramp),
        cmocka_unit_test(test_chain_warmup_cosine),
        cmocka_unit_test(test_constant_and_negative_t),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_bad_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
