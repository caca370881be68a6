/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Texts for MSH_ERR_* codes and the ASSERT failure path. */
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/macros.h"

const char *
err_str(int r)
{
    switch (r) {
    case MSH_OK: return "success";
    case MSH_ERR_INTERNAL: return "internal error";
    case MSH_ERR_NOMEM: return "out of memory";
    case MSH_ERR_TRUNCATED: return "input truncated";
    case MSH_ERR_TOO_LARGE: return "size limit exceeded";
    case MSH_ERR_FORMAT: return "malformed input";
    case MSH_ERR_TRAILING: return "trailing bytes after message";
    case MSH_ERR_AUTH: return "message failed authentication";
    case MSH_ERR_REPLAY: return "replayed or stale message";
    case MSH_ERR_SYS: return "system call failed";
    case MSH_ERR_PROTO: return "protocol violation";
    case MSH_ERR_CRYPTO: return "cryptographic library failure";
    case MSH_ERR_SSH: return "ssh failure";
    case MSH_ERR_ARG: return "invalid argument";
    case MSH_ERR_AGAIN: return "try again";
    case MSH_ERR_CONNECT: return "could not connect";
    case MSH_ERR_HOSTKEY_UNKNOWN: return "host key not verified";
    case MSH_ERR_HOSTKEY_CHANGED: return "host key changed or revoked";
    case MSH_ERR_DENIED: return "authentication failed";
    case MSH_ERR_REMOTE: return "remote command failed";
    case MSH_ERR_STARTUP: return "no server startup line";
    default: return "unknown error";
    }
}

void
assert_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "cmosh: internal error: assertion '%s' failed at %s:%d\n", expr, file,
            line);
    abort();
}
