/* fuzz_util.c - the helpers declared in fuzz.h, linked into every harness
 * and replay driver. memfd_create is a GNU/Linux call, hence _GNU_SOURCE. */
#define _GNU_SOURCE
#include "fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char *ds_fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return NULL;
    if (size > 0) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int ds_fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_size)
{
    int fd = memfd_create("ds_fuzz_input", MFD_CLOEXEC);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    /* Readers open the path themselves, getting their own offset at 0. */
    int n = snprintf(path, path_size, "/proc/self/fd/%d", fd);
    if (n < 0 || (size_t)n >= path_size) {
        close(fd);
        return -1;
    }
    return fd;
}

void ds_fuzz_file_close(int fd)
{
    if (fd >= 0) close(fd);
}

/* ASan's defaults for every harness and replay driver (the environment's
 * ASAN_OPTIONS still override them). Parsers are fed sizes such as
 * "mlp:100000000-100000000" or an IDX header promising 2^32 pixels; such a
 * request must fail cleanly with DS_ERR_NOMEM, so allocations over 32 MiB
 * return NULL (as malloc does on a machine without that memory) instead of
 * aborting the run, and the library's out-of-memory paths get fuzzed too. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:max_allocation_size_mb=32";
}
