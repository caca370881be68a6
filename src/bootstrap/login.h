/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One SSH login: a libssh session over a given socket (or a ProxyCommand, or libssh's own
 * connection), the host key verified, the user authenticated. Used for every jump host
 * and for the target. */
#ifndef MSH_BOOTSTRAP_LOGIN_H
#define MSH_BOOTSTRAP_LOGIN_H

#include <stddef.h>

#include <libssh/libssh.h>

#include "bootstrap/boot.h"
#include "bootstrap/sshcfg.h"
#include "util/macros.h"

/* How login_open reaches the host. */
struct login_how {
    int fd;                 /* a connected socket (a jump host's relay; login_open owns
                               it), or -1: cfg->proxy_command, else a TCP connection */
    int family;             /* for that connection: AF_INET/AF_INET6 only, or AF_UNSPEC */
    enum addr_family order; /* and how its addresses are ordered */
    char peer[ADDR_TEXT_LEN]; /* out: the numeric address it reached ("" otherwise) */
};

/* Logs in to cfg's host: resolves cfg->hostname with o->resolve and connects to its
 * addresses in order (ConnectionAttempts, ConnectTimeout), unless how->fd or a
 * ProxyCommand says otherwise. o gives -v, -i, --connect-timeout and batch (o->batch
 * already includes BatchMode). On success *out is the caller's (login_close); on failure
 * it is NULL and the return is MSH_ERR_CONNECT, MSH_ERR_ARG (--family=auto and both
 * families), MSH_ERR_HOSTKEY_*, or MSH_ERR_DENIED with a message in msg. */
int login_open(const struct sshcfg *cfg, const struct boot_opts *o, struct login_how *how,
               ssh_session *out, char *msg, size_t len) WARN_UNUSED_RESULT;

/* Disconnects and frees s; NULL is fine. */
void login_close(ssh_session s);

#endif
