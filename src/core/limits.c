/* limits.c - requests checked against the machine before they are served:
 * the memory a spec or a file describes (against physical memory and the
 * process's limits, `ulimit -v` / `ulimit -d`) and the disk space a file
 * will take (against the free space of its folder). Both run before
 * anything is allocated or created, so a request that cannot fit fails at
 * once with both numbers, instead of swapping, being killed by the OOM
 * killer, or filling the disk and leaving a half-written file. */
#include "core/internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

static double gib(uint64_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0 * 1024.0);
}

/* The smaller of a soft limit and *cap; 1 if the limit is the smaller. */
static int lower_to(int resource, uint64_t *cap)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        (uint64_t)rl.rlim_cur >= *cap)
        return 0;
    *cap = (uint64_t)rl.rlim_cur;
    return 1;
}

ds_status ds__check_alloc(uint64_t bytes, const char *what)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return DS_OK; /* unknown: let malloc decide */
    uint64_t cap = (uint64_t)pages * (uint64_t)page;
    int limited = lower_to(RLIMIT_AS, &cap);
    limited |= lower_to(RLIMIT_DATA, &cap);
    if (bytes <= cap) return DS_OK;
    /* more than the machine could ever give: the request is at fault */
    return ds__fail(DS_ERR_INVALID,
                    "%s needs %llu bytes (%.1f GiB) of memory; %s %llu bytes (%.1f GiB)", what,
                    (unsigned long long)bytes, gib(bytes),
                    limited ? "the process may use (ulimit -v / -d)" : "this machine has",
                    (unsigned long long)cap, gib(cap));
}

ds_status ds__check_disk(const char *path, uint64_t bytes)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir) return ds__nomem("a folder name", strlen(path));
    struct statvfs fs;
    int rc = statvfs(dir, &fs), err = errno;
    ds_status s = DS_OK;
    uint64_t avail = rc == 0 ? (uint64_t)fs.f_bavail * (uint64_t)fs.f_frsize : 0;
    if (rc != 0)
        s = ds__fail(DS_ERR_IO, "%s: cannot read the free space of folder '%s': %s", path, dir,
                     strerror(err));
    else if (bytes > avail)
        s = ds__fail(DS_ERR_IO,
                     "%s: needs %llu bytes (%.1f GiB) of disk space; folder '%s' has %llu bytes "
                     "(%.1f GiB) free",
                     path, (unsigned long long)bytes, gib(bytes), dir, (unsigned long long)avail,
                     gib(avail));
    free(dir);
    return s;
}
