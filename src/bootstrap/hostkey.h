/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host-key verification, OpenSSH's way: known_hosts looked up by us (knownhosts.c, so
 * messages name file and line), then a pure decision from (key status,
 * StrictHostKeyChecking, batch, terminal) to an action, then the action (ask, record,
 * refuse with OpenSSH's warnings). */
#ifndef MSH_BOOTSTRAP_HOSTKEY_H
#define MSH_BOOTSTRAP_HOSTKEY_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "bootstrap/knownhosts.h"
#include "bootstrap/sshcfg.h"
#include "util/macros.h"

/* User files then global ones: at most this many (each list has at most
 * SSHCFG_HOSTFILES_MAX names, the ssh_config limit). */
#define HOSTKEY_FILES_MAX (2 * SSHCFG_HOSTFILES_MAX)

enum hostkey_action {
    HOSTKEY_ACCEPT,          /* known: go on */
    HOSTKEY_RECORD,          /* unknown, accepted by configuration: record, go on */
    HOSTKEY_ASK,             /* ask the user on the terminal */
    HOSTKEY_REFUSE_UNKNOWN,  /* unknown, and nobody to ask (batch or no terminal) */
    HOSTKEY_REFUSE_STRICT,   /* unknown, StrictHostKeyChecking yes */
    HOSTKEY_REFUSE_CHANGED,  /* a different key of the same type is known */
    HOSTKEY_REFUSE_REVOKED,  /* the key is marked @revoked */
    HOSTKEY_REFUSE_TYPES,    /* only keys of other types are known, and nobody to ask */
};

/* What to do about a host key in status st. Pure: no I/O. */
enum hostkey_action hostkey_decide(enum kh_status st, enum sshcfg_shkc shkc, bool batch,
                                   bool tty);

/* The known_hosts files of cfg, user files first (*n_user of them), into files (borrowed
 * from cfg); returns how many. */
size_t hostkey_files(const struct sshcfg *cfg, const char *files[HOSTKEY_FILES_MAX],
                     size_t *n_user);

/* The host key algorithms for libssh, those of key types already known for the host first
 * (OpenSSH orders them so): false if none are known (libssh's order is then kept). */
bool hostkey_order(const struct sshcfg *cfg, char *out, size_t len);

/* Checks the server's key of s against cfg's known_hosts, asks or records as decided.
 * Returns 0, or MSH_ERR_HOSTKEY_UNKNOWN / MSH_ERR_HOSTKEY_CHANGED / MSH_ERR_CONNECT (the
 * key or the files cannot be read) with a message in msg. */
int hostkey_verify(ssh_session s, const struct sshcfg *cfg, bool batch, char *msg,
                   size_t len) WARN_UNUSED_RESULT;

#endif
