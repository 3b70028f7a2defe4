/* test_util.h - what the unit tests that write files share: one fresh
 * temporary folder per test program, made by the group setup and removed
 * with everything in it by the group teardown, and paths inside it:
 *     return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown); */
#ifndef DS_TEST_UTIL_H
#define DS_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The folder: mkdtemp replaces the XXXXXX in tmpdir_setup. */
static char tmpdir[] = "/tmp/ds_test_XXXXXX";

/* tmpdir/name in a static buffer; two alternate, so two paths can be in
 * use at once (a source and a destination). */
static inline const char *path_in_tmp(const char *name)
{
    static char buf[2][512];
    static int slot;
    slot ^= 1;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", tmpdir, name);
    return buf[slot];
}

static inline int tmpdir_setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int tmpdir_teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
