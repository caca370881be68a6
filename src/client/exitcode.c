/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Outcomes to exit statuses: one table. */
#include "client/exitcode.h"

#include "util/err.h"
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
exitcode_from_session(enum stm_result sr)
{
    switch (sr) {
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
