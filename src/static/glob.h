/* SPDX-License-Identifier: GPL-3.0-or-later */
/* glob(3) for the static executable: glibc's links its NSS code (for GLOB_TILDE's
 * ~user), so the link wraps glob/globfree to this one. Flags: 0 or GLOB_ERR (what ssh_config
 * Include needs; tildes are expanded before); anything else is GLOB_NOSYS. */
#ifndef MSH_STATIC_GLOB_H
#define MSH_STATIC_GLOB_H

#include <glob.h>

/* POSIX glob with flags 0: '*', '?', '[...]' and backslash escapes in each path
 * component (fnmatch FNM_PERIOD: a leading dot must be matched explicitly), results in
 * strcmp order, GLOB_NOMATCH when nothing exists, GLOB_NOSPACE past LIMITS_GLOB_PATHS. */
int __wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
                glob_t *g);
void __wrap_globfree(glob_t *g);

#endif
