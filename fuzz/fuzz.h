/* fuzz.h - what every libFuzzer harness in fuzz/ shares: the entry point
 * that both libFuzzer and the plain replay driver (replay.c) call, a check
 * macro for invariants, and helpers that turn the fuzzer's bytes into what a
 * library entry point takes (a C string, a file).
 *
 * A harness is one file fuzz_<target>.c defining LLVMFuzzerTestOneInput; it
 * must free everything it allocates (LeakSanitizer runs with the fuzzer) and
 * must never call exit(). See doc/testing.md. */
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The harness entry point (libFuzzer's contract): return 0; any crash,
 * sanitizer report or DS_FUZZ_CHECK failure is a finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken library contract is a finding just like a crash: print it and
 * abort, so libFuzzer saves the input and the replay test fails. */
#define DS_FUZZ_CHECK(cond)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of the input (embedded NULs end the string early,
 * as they would for a command-line argument). Free with free(). NULL only
 * if malloc fails. */
char *ds_fuzz_cstring(const uint8_t *data, size_t size);

/* Writes the input to an anonymous in-memory file (memfd: no disk, nothing
 * left behind after a crash) and puts a path that opens it, such as
 * "/proc/self/fd/5", into path. Returns the descriptor, to be closed with
 * ds_fuzz_file_close(), or -1 on failure (the harness then skips the input). */
int ds_fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_size);
void ds_fuzz_file_close(int fd);

#endif
