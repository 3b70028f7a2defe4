/* fuzz_schedule_spec.c - libFuzzer target for ds_schedule_parse (schedule
 * specs such as "warmup:steps=100+cosine:period=1000,min=0.001"). Holds the
 * parser to schedule.h: on failure *out is untouched and a message says why;
 * on success the schedule can be evaluated anywhere (UBSan watches the
 * integer arithmetic at extreme t) and its canonical text parses back to
 * the same value. */
#include "fuzz.h"

#include "descent/schedule.h"

#include <string.h>

/* DS_SCHED_MAX_PARTS parts of a few %.17g keys each fit easily. */
#define SPEC_MAX 4096

static int same_part(const ds_sched_part *a, const ds_sched_part *b)
{
    return a->kind == b->kind && a->every == b->every && a->factor == b->factor && a->k == b->k &&
           a->period == b->period && a->min == b->min && a->steps == b->steps;
}

/* schedule.h: the canonical text "parses back to the same value". */
static void check_round_trip(const ds_schedule *s)
{
    char text[SPEC_MAX];
    ds_schedule again;
    int n = ds_schedule_format(s, text, sizeof text);
    DS_FUZZ_CHECK(n >= 0 && (size_t)n < sizeof text);
    DS_FUZZ_CHECK(ds_schedule_parse(text, &again) == DS_OK);
    DS_FUZZ_CHECK(again.nparts == s->nparts);
    for (int i = 0; i < s->nparts; i++)
        DS_FUZZ_CHECK(same_part(&again.parts[i], &s->parts[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t ts[] = {INT64_MIN, -1, 0, 1, 2, 99, 100, 1000, 123456789, INT64_MAX};
    char *spec = ds_fuzz_cstring(data, size);
    if (!spec) return 0;
    ds_schedule s, before;
    memset(&s, 0xA5, sizeof s);
    memcpy(&before, &s, sizeof s);
    ds_clear_error();
    if (ds_schedule_parse(spec, &s) == DS_OK) {
        DS_FUZZ_CHECK(s.nparts >= 0 && s.nparts <= DS_SCHED_MAX_PARTS);
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
            (void)ds_schedule_lr(&s, 0.1, ts[i]);
        check_round_trip(&s);
    } else {
        DS_FUZZ_CHECK(memcmp(&s, &before, sizeof s) == 0);
        DS_FUZZ_CHECK(ds_last_error()[0] != '\0');
    }
    free(spec);
    return 0;
}
