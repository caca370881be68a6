/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeps the session key out of core dumps and out of other processes' reach: used first
 * thing by mosh, mosh-client and mosh-server. */
#ifndef MSH_UTIL_NODUMP_H
#define MSH_UTIL_NODUMP_H

#include <sys/resource.h>

#include "util/macros.h"

/* Sets RLIMIT_CORE to 0 (after saving the old limit in *saved_core, unless NULL, for a
 * child to restore before exec) and, on Linux, makes the process not dumpable
 * (prctl PR_SET_DUMPABLE 0): a core_pattern that pipes to a program (systemd-coredump,
 * apport) ignores RLIMIT_CORE (core(5)), and a non-dumpable process cannot be ptraced or
 * have its /proc/PID/mem read by other processes of the same user. execve makes a
 * process dumpable again (prctl(2)), so a child shell is unaffected. MSH_ERR_SYS (errno
 * kept) if either call failed; both are always attempted. */
int nodump_enable(struct rlimit *saved_core) WARN_UNUSED_RESULT;

#endif
