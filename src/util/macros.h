/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Compiler annotations and the always-on ASSERT for our own invariants (style.md §5). */
#ifndef MSH_UTIL_MACROS_H
#define MSH_UTIL_MACROS_H

#include <stdlib.h>

#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN _Noreturn
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MSH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MSH_MAX(a, b) ((a) > (b) ? (a) : (b))

NORETURN void assert_fail(const char *file, int line, const char *expr);

/* Our own invariants only, never peer data; aborts in release builds too (mosh's
 * fatal_assert). Peer data that breaks a rule is an MSH_ERR_FORMAT return. */
#define ASSERT(x) ((x) ? (void)0 : assert_fail(__FILE__, __LINE__, #x))

#endif
