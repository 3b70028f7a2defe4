/* test_atomic_file.c - the output writer (descent/afile.h) never
 * harms what is at the path: a new file gets 0666 minus the umask; a
 * replaced file keeps its mode (and owner, as root); a symlink (chains and
 * dangling ones too) stays a link and its target gets the content; a FIFO,
 * a socket and a character device are written in place and stay what they
 * are; a directory, a symlink loop and (where a file is needed) a stream are
 * refused with nothing touched; no temporary file is ever left behind. */
#include "descent/afile.h"
#include "descent/error.h"
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

static void write_text(const char *p, const char *text)
{
    assert_int_equal(ds_write_file_atomic(p, text, strlen(text)), DS_OK);
}

static void expect_content(const char *p, const char *text)
{
    char got[256] = {0};
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    assert_int_equal(n, strlen(text));
    assert_string_equal(got, text);
}

static mode_t mode_of(const char *p)
{
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    return st.st_mode;
}

/* No "*.tmp.*" file anywhere in the test folder. */
static void expect_no_temp(void)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp.")) fail_msg("temporary file left: %s", e->d_name);
    closedir(d);
}

static void new_file_follows_umask(void **state)
{
    (void)state;
    mode_t old = umask(022);
    write_text(path_in_tmp("new644"), "a\n");
    umask(077);
    write_text(path_in_tmp("new600"), "b\n");
    umask(old);
    assert_int_equal(mode_of(path_in_tmp("new644")) & 07777, 0644);
    assert_int_equal(mode_of(path_in_tmp("new600")) & 07777, 0600);
    expect_content(path_in_tmp("new644"), "a\n");
    expect_no_temp();
}

/* A 0600 file stays 0600 (it used to become 0644); as root, its owner and
 * group stay too. */
static void replaced_file_keeps_mode_and_owner(void **state)
{
    (void)state;
    const char *p = path_in_tmp("private.ckpt");
    write_text(p, "old\n");
    assert_int_equal(chmod(p, 0600), 0);
    int root = geteuid() == 0;
    if (root) assert_int_equal(chown(p, 1234, 5678), 0);
    write_text(p, "new\n");
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    if (root) assert_true(st.st_uid == 1234 && st.st_gid == 5678);
    expect_content(p, "new\n");
    expect_no_temp();
}

/* A link, a relative link from a subfolder, a chain of links and a dangling
 * link: each stays a link, and the file at the end gets the content. */
static void symlink_target_replaced(void **state)
{
    (void)state;
    char target[512], link2[512];
    snprintf(target, sizeof target, "%s", path_in_tmp("target.csv"));
    write_text(target, "old\n");
    assert_int_equal(mkdir(path_in_tmp("sub"), 0755), 0);
    assert_int_equal(symlink("../target.csv", path_in_tmp("sub/rel.csv")), 0);
    snprintf(link2, sizeof link2, "%s", path_in_tmp("chain.csv"));
    assert_int_equal(symlink("sub/rel.csv", link2), 0);
    write_text(link2, "via chain\n");
    assert_true(S_ISLNK(mode_of(link2)) && S_ISLNK(mode_of(path_in_tmp("sub/rel.csv"))));
    assert_true(S_ISREG(mode_of(target)));
    expect_content(target, "via chain\n");
    assert_int_equal(symlink("made.csv", path_in_tmp("dangling.csv")), 0);
    write_text(path_in_tmp("dangling.csv"), "made\n");
    assert_true(S_ISLNK(mode_of(path_in_tmp("dangling.csv"))));
    expect_content(path_in_tmp("made.csv"), "made\n");
    expect_no_temp();
}

static void symlink_loop_refused(void **state)
{
    (void)state;
    assert_int_equal(symlink("loop-b", path_in_tmp("loop-a")), 0);
    assert_int_equal(symlink("loop-a", path_in_tmp("loop-b")), 0);
    assert_int_equal(ds_write_file_atomic(path_in_tmp("loop-a"), "x", 1), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "symlinks"));
    assert_true(S_ISLNK(mode_of(path_in_tmp("loop-a"))));
    expect_no_temp();
}

/* With a reader already waiting, the bytes go through the FIFO, which is
 * still a FIFO afterwards. */
static void fifo_written_in_place(void **state)
{
    (void)state;
    const char *p = path_in_tmp("pipe");
    assert_int_equal(mkfifo(p, 0644), 0);
    int rd = open(p, O_RDONLY | O_NONBLOCK);
    assert_true(rd >= 0);
    write_text(p, "through the pipe\n");
    char got[64] = {0};
    assert_int_equal(read(rd, got, sizeof got - 1), 17);
    close(rd);
    assert_string_equal(got, "through the pipe\n");
    assert_true(S_ISFIFO(mode_of(p)));
    expect_no_temp();
}

static void socket_connected_to(void **state)
{
    (void)state;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path_in_tmp("sock"));
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(srv >= 0);
    assert_int_equal(bind(srv, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(srv, 1), 0);
    write_text(sa.sun_path, "to the socket\n");
    fcntl(srv, F_SETFL, O_NONBLOCK); /* no connection: fail, do not wait */
    int c = accept(srv, NULL, NULL);
    assert_true(c >= 0);
    char got[64] = {0};
    assert_int_equal(read(c, got, sizeof got - 1), 14);
    assert_string_equal(got, "to the socket\n");
    close(c);
    close(srv);
    assert_true(S_ISSOCK(mode_of(sa.sun_path)));
}

/* A null device made in the test folder (root only: mknod needs it). */
static void device_written_in_place(void **state)
{
    (void)state;
    const char *p = path_in_tmp("null");
    if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) != 0) skip();
    write_text(p, "into the device\n");
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    expect_no_temp();
}

/* A stream where a file is needed (a seeked output), and a directory:
 * refused, nothing created, the path as it was. */
static void refused_targets(void **state)
{
    (void)state;
    const char *fifo = path_in_tmp("pipe2"), *dir = path_in_tmp("folder");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    ds_afile a;
    assert_int_equal(ds_afile_open(&a, fifo, 0), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "must be a file"));
    assert_null(a.f);
    assert_true(S_ISFIFO(mode_of(fifo)));
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(ds_write_file_atomic(dir, "x", 1), DS_ERR_INVALID);
    assert_non_null(strstr(ds_last_error(), "is a directory"));
    assert_true(S_ISDIR(mode_of(dir)));
    expect_no_temp();
}

/* An aborted write leaves the old content; a commit in a missing folder
 * fails with DS_ERR_IO. */
static void abort_keeps_old(void **state)
{
    (void)state;
    const char *p = path_in_tmp("kept.svg");
    write_text(p, "old\n");
    ds_afile a;
    assert_int_equal(ds_afile_open(&a, p, 0), DS_OK);
    fputs("half", a.f);
    ds_afile_abort(&a);
    expect_content(p, "old\n");
    expect_no_temp();
    assert_int_equal(ds_write_file_atomic(path_in_tmp("no/such/x.svg"), "x", 1), DS_ERR_IO);
}

static void target_kinds(void **state)
{
    (void)state;
    ds_target t;
    assert_int_equal(ds_afile_target(path_in_tmp("absent"), &t), DS_OK);
    assert_int_equal(t.kind, DS_TARGET_NEW);
    ds_target_free(&t);
    write_text(path_in_tmp("present"), "x");
    assert_int_equal(symlink("present", path_in_tmp("to-present")), 0);
    assert_int_equal(ds_afile_target(path_in_tmp("to-present"), &t), DS_OK);
    assert_int_equal(t.kind, DS_TARGET_FILE);
    assert_non_null(strstr(t.path, "/present"));
    assert_true(S_ISREG(t.st.st_mode));
    ds_target_free(&t);
    assert_int_equal(mkfifo(path_in_tmp("pipe3"), 0644), 0);
    assert_int_equal(ds_afile_target(path_in_tmp("pipe3"), &t), DS_OK);
    assert_int_equal(t.kind, DS_TARGET_STREAM);
    ds_target_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_file_follows_umask),
        cmocka_unit_test(replaced_file_keeps_mode_and_owner),
        cmocka_unit_test(symlink_target_replaced),
        cmocka_unit_test(symlink_loop_refused),
        cmocka_unit_test(fifo_written_in_place),
        cmocka_unit_test(socket_connected_to),
        cmocka_unit_test(device_written_in_place),
        cmocka_unit_test(refused_targets),
        cmocka_unit_test(abort_keeps_old),
        cmocka_unit_test(target_kinds),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
