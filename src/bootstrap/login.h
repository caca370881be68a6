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

/* Logs in to cfg's host: over fd if >= 0 (then libssh owns it), else through
 * cfg->proxy_command, else by libssh connecting to connect_host. o gives -v, -i,
 * --connect-timeout and batch (o->batch already includes BatchMode). On success *out is
 * the caller's (ssh_disconnect + ssh_free); on failure it is NULL and the return is
 * MSH_ERR_CONNECT, MSH_ERR_HOSTKEY_*, or MSH_ERR_DENIED with a message in msg. */
int login_open(const struct sshcfg *cfg, const struct boot_opts *o, const char *connect_host,
               int fd, ssh_session *out, char *msg, size_t len) WARN_UNUSED_RESULT;

/* Disconnects and frees s; NULL is fine. */
void login_close(ssh_session s);

#endif
