/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Outcomes to exit statuses: one table. */
#include "client/exitcode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fdio.h"
#include "util/macros.h"

static const struct {
    int err;
    int code;
} table[] = {
    {MSH_OK, EXITCODE_OK},
    {MSH_ERR_ARG, EXITCODE_USAGE},
    {MSH_ERR_CONNECT, EXITCODE_CONNECT},
    {MSH_ERR_HOSTKEY_UNKNOWN, EXITCODE_HOSTKEY_UNKNOWN},
    {MSH_ERR_HOSTKEY_CHANGED, EXITCODE_HOSTKEY_CHANGED},
    {MSH_ERR_DENIED, EXITCODE_AUTH},
    {MSH_ERR_REMOTE, EXITCODE_SERVER},
    {MSH_ERR_STARTUP, EXITCODE_NO_CONNECT},
};

int
exitcode_from_err(int r)
{
    for (size_t i = 0; i < ARRAY_LEN(table); i++)
        if (table[i].err == r)
            return table[i].code;
    return EXITCODE_CONNECT;
}

int
exitcode_from_session(enum stm_result sr, int remote_status, enum exitcode_origin *origin)
{
    *origin = EXITCODE_FROM_MOSH;
    if (remote_status >= 0 && remote_status <= 255) {
        *origin = EXITCODE_FROM_REMOTE;
        return remote_status;
    }
    switch (sr) {
    case STM_SCREEN_ONLY:
        return EXITCODE_SCREEN_ONLY;
    case STM_CLEAN:
        return EXITCODE_OK;
    case STM_NEVER_CONNECTED:
        return EXITCODE_NO_UDP;
    case STM_SETUP_FAILED:
        return EXITCODE_LOCAL;
    case STM_UNCLEAN:
    default:
        return EXITCODE_SESSION;
    }
}

void
exitcode_status_write(int fd, int code, enum exitcode_origin origin)
{
    char line[32];
    if (fd < 0)
        return;
    int n = snprintf(line, sizeof(line), "%s %d\n",
                     origin == EXITCODE_FROM_REMOTE ? "remote" : "mosh", code);
    if (n > 0 && fdio_write_all(fd, line, (size_t)n) != 0)
        fprintf(stderr, "mosh: --status-file: %s\n", strerror(errno));
}
