/* descent/export.h - DS_API, the mark of a public declaration.
 *
 * libdescent is built with -fvisibility=hidden: a function is exported from
 * the shared library only if its declaration in a public header carries
 * DS_API, so the library's private helpers (ds__ names, src/) stay out of
 * its ABI. tests/cli/exports.sh checks that `nm -D` lists exactly the
 * marked names. A static link ignores the mark. */
#ifndef DESCENT_EXPORT_H
#define DESCENT_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define DS_API __attribute__((visibility("default")))
#else
#define DS_API
#endif

#endif
