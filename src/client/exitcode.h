/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The exit statuses of `mosh` (README "Exit status", man/mosh.1, `mosh --help`): the one
 * place where an outcome (a MSH_ERR_* from the command line or the bootstrap, or how the
 * session ended) becomes a process exit status. */
#ifndef MSH_CLIENT_EXITCODE_H
#define MSH_CLIENT_EXITCODE_H

#include "client/stm.h"
#include "util/macros.h"

enum exitcode {
    EXITCODE_OK = 0,                /* the session ended normally */
    EXITCODE_SESSION = 1,           /* the session ended without a clean shutdown */
    EXITCODE_USAGE = 2,             /* bad command line or ssh_config */
    EXITCODE_LOCAL = 3,             /* local set-up failed (locale, terminal) */
    EXITCODE_CONNECT = 10,          /* SSH could not connect (name, port, jump host, ...) */
    EXITCODE_HOSTKEY_UNKNOWN = 11,  /* host key unknown and not confirmed */
    EXITCODE_HOSTKEY_CHANGED = 12,  /* host key differs from known_hosts, or is revoked */
    EXITCODE_AUTH = 13,             /* every authentication method failed */
    EXITCODE_SERVER = 14,           /* the remote mosh-server is missing or failed */
    EXITCODE_NO_CONNECT = 15,       /* no (or a bad) MOSH CONNECT line */
    EXITCODE_NO_UDP = 16,           /* the server never answered over UDP */
    EXITCODE_SCREEN_ONLY = 17,      /* pipe mode, but the server has no pipe mode (Debian's):
                                       only the final screen's text was printed */
};

/* Whose exit status it is (--status-file): the remote command's, or mosh's own. */
enum exitcode_origin { EXITCODE_FROM_MOSH, EXITCODE_FROM_REMOTE };

/* The exit status for a failure r (a negative MSH_ERR_*) before the session started:
 * each bootstrap outcome has its own; MSH_ERR_ARG is a usage error; anything else means
 * the connection could not be set up (10). 0 for 0. */
int exitcode_from_err(int r);

/* The exit status once the session loop has ended with sr: the remote command's status
 * (0..255, 128 + signal; cmosh extension EXT_EXIT_STATUS) when the server sent one,
 * else mosh's own for sr. *origin says which. */
int exitcode_from_session(enum stm_result sr, int remote_status,
                          enum exitcode_origin *origin);

/* --status-file: one line, "remote N" or "mosh N", N being the exit status, to fd (the
 * caller opened the file, emptied, at start: an empty file means mosh did not get to the
 * end). Nothing for fd < 0. */
void exitcode_status_write(int fd, int code, enum exitcode_origin origin);

#endif
