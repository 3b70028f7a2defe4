/* atomic_file.c - temp file in the same folder, fsync, rename, fsync of the
 * folder (see atomic_file.h for why each step is needed). */
#include "core/atomic_file.h"
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void release(ds__afile *a)
{
    free(a->path);
    free(a->tmp);
    a->f = NULL;
    a->path = a->tmp = NULL;
}

ds_status ds__afile_open(ds__afile *a, const char *path)
{
    memset(a, 0, sizeof *a);
    size_t len = strlen(path);
    a->path = malloc(len + 1);
    a->tmp = malloc(len + sizeof ".tmp.XXXXXX");
    if (!a->path || !a->tmp) {
        release(a);
        return ds__nomem("a file name", 2 * len + 16);
    }
    memcpy(a->path, path, len + 1);
    memcpy(a->tmp, path, len);
    memcpy(a->tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        ds_status s = ds__fail(DS_ERR_IO, "cannot create '%s': %s", a->tmp, strerror(errno));
        release(a);
        return s;
    }
    /* mkstemp makes the file 0600; outputs are ordinary files. */
    if (fchmod(fd, 0644) == 0) a->f = fdopen(fd, "wb");
    if (!a->f) {
        ds_status s = ds__fail(DS_ERR_IO, "cannot open '%s': %s", a->tmp, strerror(errno));
        close(fd);
        unlink(a->tmp);
        release(a);
        return s;
    }
    return DS_OK;
}

void ds__afile_abort(ds__afile *a)
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

ds_status ds__afile_commit(ds__afile *a)
{
    const char *step = NULL; /* the first step that failed */
    if (fflush(a->f) != 0 || ferror(a->f))
        step = "write";
    else if (fsync(fileno(a->f)) != 0)
        step = "fsync";
    int err = errno;
    if (fclose(a->f) != 0 && !step) step = "close", err = errno;
    a->f = NULL;
    if (!step && rename(a->tmp, a->path) != 0) step = "rename", err = errno;
    if (step) {
        ds_status s =
            ds__fail(DS_ERR_IO, "cannot write '%s' (%s failed: %s)", a->path, step, strerror(err));
        ds__afile_abort(a);
        return s;
    }
    if (sync_folder(a->path) != 0) {
        ds_status s =
            ds__fail(DS_ERR_IO, "cannot sync the folder of '%s': %s", a->path, strerror(errno));
        release(a);
        return s;
    }
    release(a);
    return DS_OK;
}

ds_status ds__write_file_atomic(const char *path, const void *data, size_t len)
{
    ds__afile a;
    ds_status s = ds__afile_open(&a, path);
    if (s != DS_OK) return s;
    if (len && fwrite(data, 1, len, a.f) != len) {
        ds_status e = ds__fail(DS_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        ds__afile_abort(&a);
        return e;
    }
    return ds__afile_commit(&a);
}
