/* atomic_file.c - looks at the target first; a file is replaced through a
 * temporary file in the same folder, fsync, rename and fsync of the folder,
 * a stream is written in place (see descent/afile.h for why each step is
 * needed and what each kind of target gets). */
#include "descent/afile.h"
#include "core/internal.h"

#include "descent/rng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Linux's own limit on the links followed in one path (path_resolution(7)). */
#define MAX_LINKS 40

/* What a link found at `at` points to, as a path usable from here: an
 * absolute target as is, a relative one joined to the link's folder. */
static char *link_target(const char *at)
{
    char buf[4096];
    ssize_t n = readlink(at, buf, sizeof buf - 1);
    if (n < 0) return NULL;
    buf[n] = '\0';
    const char *slash = strrchr(at, '/');
    size_t dir = buf[0] == '/' || !slash ? 0 : (size_t)(slash - at) + 1;
    char *out = malloc(dir + (size_t)n + 1);
    if (!out) return NULL;
    memcpy(out, at, dir);
    memcpy(out + dir, buf, (size_t)n + 1);
    return out;
}

/* Follows symlinks from `path` to the file they lead to; *exists says
 * whether that file is there (st filled) or would be created. */
static ds_status follow(const char *path, char **out, struct stat *st, int *exists)
{
    char *p = strdup(path);
    for (int links = 0; p; links++) {
        if (lstat(p, st) != 0) {
            *exists = 0;
            if (errno == ENOENT) return *out = p, DS_OK;
            ds_status s = ds__fail(DS_ERR_IO, "cannot examine '%s': %s", p, strerror(errno));
            free(p);
            return s;
        }
        *exists = 1;
        if (!S_ISLNK(st->st_mode)) return *out = p, DS_OK;
        if (links == MAX_LINKS) {
            free(p);
            return ds__fail(DS_ERR_INVALID, "'%s': more than %d symlinks to follow (a loop?)", path,
                            MAX_LINKS);
        }
        char *next = link_target(p);
        if (!next && errno != ENOMEM) {
            ds_status s = ds__fail(DS_ERR_IO, "cannot read the link '%s': %s", p, strerror(errno));
            free(p);
            return s;
        }
        free(p);
        p = next;
    }
    return ds__nomem("a file name", strlen(path) + 1);
}

static const char *type_name(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device" : "not a file or a stream";
}

static int is_stream(mode_t m)
{
    return S_ISCHR(m) || S_ISFIFO(m) || S_ISSOCK(m);
}

ds_status ds_afile_target(const char *path, ds_target *t)
{
    memset(t, 0, sizeof *t);
    /* A stream is opened through its links as given: /dev/stdout's link
     * (/proc/self/fd/1) reads "pipe:[1234]" for a pipe, no path to follow. */
    if (stat(path, &t->st) == 0 && is_stream(t->st.st_mode)) {
        t->kind = DS_TARGET_STREAM;
        t->path = strdup(path);
        return t->path ? DS_OK : ds__nomem("a file name", strlen(path) + 1);
    }
    int exists;
    ds_status s = follow(path, &t->path, &t->st, &exists);
    if (s != DS_OK) return s;
    mode_t m = t->st.st_mode;
    if (!exists) {
        memset(&t->st, 0, sizeof t->st);
        t->kind = DS_TARGET_NEW;
    } else if (S_ISREG(m)) {
        t->kind = DS_TARGET_FILE;
    } else {
        s = ds__fail(DS_ERR_INVALID, "'%s' is %s: refused as an output (give a file name)", t->path,
                     type_name(m));
        ds_target_free(t);
    }
    return s;
}

void ds_target_free(ds_target *t)
{
    free(t->path);
    memset(t, 0, sizeof *t);
}

static void release(ds_afile *a)
{
    free(a->path);
    free(a->tmp);
    a->f = NULL;
    a->path = a->tmp = NULL;
}

/* Creates a->path + ".tmp.XXXXXX" with a fresh random suffix. mkstemp would
 * do, but makes the file 0600: opening with 0666 lets the kernel apply the
 * umask (and a folder's default ACL), as for any new file. */
static int make_temp(ds_afile *a)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static atomic_uint_fast64_t calls;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ds_rng r = ds_rng_seed((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
                           (uint64_t)getpid() << 40 ^ atomic_fetch_add(&calls, 1));
    size_t len = strlen(a->path);
    if (!(a->tmp = malloc(len + sizeof ".tmp.XXXXXX"))) return errno = ENOMEM, -1;
    memcpy(a->tmp, a->path, len);
    memcpy(a->tmp + len, ".tmp.", 5);
    for (int tries = 0; tries < 100; tries++) {
        for (int i = 0; i < 6; i++)
            a->tmp[len + 5 + i] = digits[ds_rng_below(&r, sizeof digits - 1)];
        a->tmp[len + 11] = '\0';
        int fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1; /* errno EEXIST */
}

/* The old file's owner (when root: nobody else may give a file away) and
 * permission bits, onto the temporary file. chown first: it clears the
 * set-user-ID bits that chmod then restores. */
static int keep_mode(int fd, const struct stat *old)
{
    if (geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid) != 0) return -1;
    return fchmod(fd, old->st_mode & 07777);
}

/* A FIFO or device opened for writing as is; a socket connected to. */
static int open_stream(const ds_target *t)
{
    if (!S_ISSOCK(t->st.st_mode)) return open(t->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(t->path) >= sizeof sa.sun_path) return errno = ENAMETOOLONG, -1;
    strcpy(sa.sun_path, t->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)&sa, sizeof sa) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        fd = -1;
    }
    return fd;
}

/* Opens the temporary file or the stream for t, into a (which owns t->path). */
static ds_status open_target(ds_afile *a, const ds_target *t)
{
    int stream = t->kind == DS_TARGET_STREAM;
    int fd = stream ? open_stream(t) : make_temp(a);
    if (fd >= 0 && (stream || t->kind == DS_TARGET_NEW || keep_mode(fd, &t->st) == 0))
        a->f = fdopen(fd, "wb");
    if (a->f) return DS_OK;
    ds_status s = ds__fail(DS_ERR_IO, "cannot %s '%s': %s", stream ? "open" : "create",
                           stream   ? a->path
                           : a->tmp ? a->tmp
                                    : a->path,
                           strerror(errno));
    if (fd >= 0) close(fd);
    if (fd >= 0 && !stream) unlink(a->tmp);
    release(a);
    return s;
}

ds_status ds_afile_open(ds_afile *a, const char *path, int flags)
{
    memset(a, 0, sizeof *a);
    ds_target t;
    ds_status s = ds_afile_target(path, &t);
    if (s != DS_OK) return s;
    if (t.kind == DS_TARGET_STREAM && !(flags & DS_AFILE_STREAM_OK)) {
        s = ds__fail(DS_ERR_INVALID,
                     "'%s' is a device, FIFO or socket: this output is seeked or read back, so it "
                     "must be a file",
                     t.path);
        ds_target_free(&t);
        return s;
    }
    a->path = t.path; /* a owns it from here */
    return open_target(a, &t);
}

void ds_afile_abort(ds_afile *a)
{
    if (a->f) fclose(a->f);
    if (a->tmp) unlink(a->tmp);
    release(a);
}

/* fsync of the folder holding `path`, so the renamed entry is durable. */
static int sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

ds_status ds_afile_commit(ds_afile *a)
{
    const char *step = NULL; /* the first step that failed */
    if (fflush(a->f) != 0 || ferror(a->f))
        step = "write";
    else if (a->tmp && fsync(fileno(a->f)) != 0) /* a pipe or a tty cannot be synced */
        step = "fsync";
    int err = errno;
    if (fclose(a->f) != 0 && !step) step = "close", err = errno;
    a->f = NULL;
    if (!step && a->tmp && rename(a->tmp, a->path) != 0) step = "rename", err = errno;
    if (step) {
        ds_status s =
            ds__fail(DS_ERR_IO, "cannot write '%s' (%s failed: %s)", a->path, step, strerror(err));
        ds_afile_abort(a);
        return s;
    }
    if (a->tmp && sync_folder(a->path) != 0) {
        ds_status s =
            ds__fail(DS_ERR_IO, "cannot sync the folder of '%s': %s", a->path, strerror(errno));
        release(a);
        return s;
    }
    release(a);
    return DS_OK;
}

ds_status ds_write_file_atomic(const char *path, const void *data, size_t len)
{
    ds_afile a;
    ds_status s = ds_afile_open(&a, path, DS_AFILE_STREAM_OK);
    if (s != DS_OK) return s;
    if (len && fwrite(data, 1, len, a.f) != len) {
        ds_status e = ds__fail(DS_ERR_IO, "cannot write '%s': %s", a.path, strerror(errno));
        ds_afile_abort(&a);
        return e;
    }
    return ds_afile_commit(&a);
}
