/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Error codes: 0 is success, failures are negative MSH_ERR_* (OpenSSH ssherr.h style). */
#ifndef MSH_UTIL_ERR_H
#define MSH_UTIL_ERR_H

enum {
    MSH_OK = 0,
    MSH_ERR_INTERNAL = -1,  /* a bug of ours */
    MSH_ERR_NOMEM = -2,     /* a library reported out of memory */
    MSH_ERR_TRUNCATED = -3, /* input ended before a field did */
    MSH_ERR_TOO_LARGE = -4, /* a cap of util/limits.h or a wbuf max was reached */
    MSH_ERR_FORMAT = -5,    /* malformed input */
    MSH_ERR_TRAILING = -6,  /* bytes left after a complete message */
    MSH_ERR_AUTH = -7,      /* OCB tag mismatch or wrong direction: drop, never log contents */
    MSH_ERR_REPLAY = -8,    /* an old or duplicate datagram */
    MSH_ERR_SYS = -9,       /* a system call failed; errno is preserved */
    MSH_ERR_PROTO = -10,    /* a protocol rule was broken (version, state numbers) */
    MSH_ERR_CRYPTO = -11,   /* the crypto library failed */
    MSH_ERR_SSH = -12,      /* libssh failed */
    MSH_ERR_ARG = -13,      /* an invalid argument from our own caller or the command line */
    MSH_ERR_AGAIN = -14,    /* nothing available now (EAGAIN); try later */
    /* Bootstrap outcomes (each its own exit status of `mosh`, client/exitcode.c). */
    MSH_ERR_CONNECT = -15,  /* SSH could not connect (name, route, port, handshake, jump) */
    MSH_ERR_HOSTKEY_UNKNOWN = -16, /* host key unknown and not confirmed */
    MSH_ERR_HOSTKEY_CHANGED = -17, /* host key differs from the known one, or revoked */
    MSH_ERR_DENIED = -18,   /* every authentication method failed */
    MSH_ERR_REMOTE = -19,   /* the remote command (mosh-server) is missing or failed */
    MSH_ERR_STARTUP = -20,  /* no MOSH CONNECT line, or a malformed one */
};

/* Static text for r (never NULL); unknown codes map to "unknown error". */
const char *err_str(int r);

#endif
