/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A libssh 0.10 session set up from our ssh_config reading (libssh reads no config file
 * itself: its ProxyJump would spawn an external ssh), then host key and authentication. */
#include "bootstrap/login.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/auth.h"
#include "bootstrap/hostkey.h"
#include "util/err.h"

/* A TCP connection to cfg's host: every address in order, ssh(1)'s rounds. */
static int
tcp_connect(const struct sshcfg *cfg, const struct boot_opts *o, struct login_how *how,
            char *msg, size_t len)
{
    struct addr_list l;
    char err[256];
    size_t which;
    int r, timeout = o->connect_timeout ? o->connect_timeout : cfg->connect_timeout;

    if ((r = o->resolve(cfg->hostname, cfg->port, how->family, &l, err, sizeof(err))) != 0) {
        snprintf(msg, len, "ssh: cannot resolve %s%s: %s", cfg->hostname,
                 how->family == AF_INET    ? " to an IPv4 address"
                 : how->family == AF_INET6 ? " to an IPv6 address" : "", err);
        return MSH_ERR_CONNECT;
    }
    if ((r = addr_order(&l, how->order, cfg->hostname, msg, len)) != 0)
        return r;
    if (addr_connect(&l, cfg->connection_attempts, timeout, o->verbosity > 0, cfg->hostname,
                     &how->fd, &which, err, sizeof(err)) != 0) {
        snprintf(msg, len, "ssh: cannot connect to %s port %d: %s; check the host name and "
                 "port (--ssh-port) and that sshd runs there", cfg->hostname, cfg->port, err);
        return MSH_ERR_CONNECT;
    }
    snprintf(how->peer, sizeof(how->peer), "%s", l.a[which].text);
    return 0;
}

static int
open_session(const struct sshcfg *cfg, const struct boot_opts *o, int fd,
             ssh_session *out, char *msg, size_t len)
{
    ssh_session s = ssh_new();
    bool no = false;
    int verbosity = o->verbosity;
    long timeout = o->connect_timeout ? o->connect_timeout : cfg->connect_timeout;
    char order[512];

    *out = NULL;
    if (s == NULL) {
        if (fd >= 0)
            close(fd);
        snprintf(msg, len, "ssh: out of memory");
        return MSH_ERR_CONNECT;
    }
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s, SSH_OPTIONS_HOST, cfg->hostname);
    ssh_options_set(s, SSH_OPTIONS_PORT, &cfg->port);
    ssh_options_set(s, SSH_OPTIONS_USER, cfg->user);
    if (timeout > 0)
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    /* Host keys are checked by us (hostkey.c); libssh only gets the algorithm order,
     * known key types first as OpenSSH orders them. libssh would expand '%' in
     * known_hosts paths again, so it is not given any. */
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    if (hostkey_order(cfg, order, sizeof(order)))
        ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, order);
    if (cfg->identity_agent && strcmp(cfg->identity_agent, "none") != 0)
        ssh_options_set(s, SSH_OPTIONS_IDENTITY_AGENT, cfg->identity_agent);
    if (fd >= 0)
        ssh_options_set(s, SSH_OPTIONS_FD, &fd);
    else if (cfg->proxy_command)
        ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, cfg->proxy_command);
    if (ssh_connect(s) != SSH_OK) {
        snprintf(msg, len,
                 "ssh: cannot connect to %s port %d: %s; check the host name and port "
                 "(--ssh-port) and that sshd runs there",
                 cfg->hostname, cfg->port, ssh_get_error(s));
        ssh_free(s);
        return MSH_ERR_CONNECT;
    }
    *out = s;
    return 0;
}

void
login_close(ssh_session s)
{
    if (s == NULL)
        return;
    ssh_disconnect(s);
    ssh_free(s);
}

int
login_open(const struct sshcfg *cfg, const struct boot_opts *o, struct login_how *how,
           ssh_session *out, char *msg, size_t len)
{
    char who[512];
    struct auth_opts ao = {.identity = o->identity, .batch = o->batch, .who = who,
                           .verbose = o->verbosity > 0};
    int r;

    *out = NULL;
    how->peer[0] = '\0';
    if (how->fd < 0 && cfg->proxy_command == NULL &&
        (r = tcp_connect(cfg, o, how, msg, len)) != 0)
        return r;
    r = open_session(cfg, o, how->fd, out, msg, len);
    how->fd = -1; // libssh's now (or closed)
    if (r != 0)
        return r;
    snprintf(who, sizeof(who), "%s@%s", cfg->user, cfg->hostname);
    if ((r = hostkey_verify(*out, cfg, o->batch, msg, len)) != 0 ||
        (r = auth_login(*out, cfg, &ao, msg, len)) != 0) {
        login_close(*out);
        *out = NULL;
    }
    return r;
}
