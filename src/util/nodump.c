/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No core dumps, not dumpable. */
#include "util/nodump.h"

#include <errno.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "util/err.h"

int
nodump_enable(struct rlimit *saved_core)
{
    struct rlimit none = {0, 0};
    int r = 0, saved_errno = 0;

    if (saved_core != NULL && getrlimit(RLIMIT_CORE, saved_core) != 0) {
        saved_core->rlim_cur = saved_core->rlim_max = 0;
        r = MSH_ERR_SYS;
        saved_errno = errno;
    }
    if (setrlimit(RLIMIT_CORE, &none) != 0) {
        r = MSH_ERR_SYS;
        saved_errno = errno;
    }
#ifdef __linux__
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        r = MSH_ERR_SYS;
        saved_errno = errno;
    }
#endif
    if (r != 0)
        errno = saved_errno;
    return r;
}
